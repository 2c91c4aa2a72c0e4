// The package's surface: the same functions from the Node entry, the browser entry, the TypeScript types and the
// wasm-bindgen glue, so none of them can drift from the others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as xerosync from "xerosync";
import * as glue from "../pkg/node/xerosync.js";
import { declaredExports, packageDir, reexported, repoRoot } from "./helpers.js";

const exported = Object.keys(xerosync).sort();

test("the node entry exports functions, usable right after import (no init)", () => {
  assert.ok(exported.length >= 5, exported.join(", "));
  for (const name of exported) assert.equal(typeof xerosync[name], "function", name);
  assert.deepEqual(xerosync.planUpdate([], { mode: "all" }), { update: [], skipped: [] });
});

test("index.d.ts declares exactly the exported functions and classes", () => {
  assert.deepEqual(declaredExports(), exported);
});

test("the browser entry re-exports the same functions as the node entry", () => {
  assert.deepEqual(reexported("browser.js"), exported);
  assert.deepEqual(reexported("node.js"), exported);
});

test("every function and class of the wasm glue is re-exported", () => {
  const glueFunctions = Object.keys(glue).filter((k) => typeof glue[k] === "function").sort();
  assert.deepEqual(glueFunctions, exported);
});

test("package.json routes node, browser and types", () => {
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  assert.equal(pkg.name, "xerosync");
  const root = pkg.exports["."];
  assert.deepEqual(Object.keys(root), ["types", "node", "browser", "default"]);
  assert.equal(root.node, "./node.js");
  assert.equal(root.browser, "./browser.js");
});

test("from the repository root, after npm install, a plain import works (contract.md)", () => {
  const code = 'import * as x from "xerosync"; if (x.planSend([], { mode: "selected" }).send.length !== 0) process.exit(2);';
  const run = spawnSync(process.execPath, ["--input-type=module", "--eval", code], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
});

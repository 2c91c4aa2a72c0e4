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

test("manual.js lists the node entry's exports; the browser and workerd entries re-export manual.js whole", () => {
  assert.deepEqual(reexported("manual.js"), exported);
  for (const entry of ["browser.js", "workerd.js"]) {
    const text = readFileSync(join(packageDir, entry), "utf8");
    assert.deepEqual([...text.matchAll(/^export .*$/gm)].map((m) => m[0]), ['export * from "./manual.js";'], entry);
  }
});

test("every function and class of the wasm glue is re-exported, with init", () => {
  const glueFunctions = Object.keys(glue).filter((k) => typeof glue[k] === "function");
  assert.deepEqual([...glueFunctions, "init"].sort(), exported);
});

test("init resolves at once on Node, whatever it is given", async () => {
  assert.equal(await xerosync.init(), undefined);
  assert.equal(await xerosync.init({ wasm: "https://example.invalid/x.wasm" }), undefined);
});

test("package.json routes workerd, node, browser and types; ./manual; ./xerosync_bg.wasm", () => {
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  assert.equal(pkg.name, "xerosync");
  const root = pkg.exports["."];
  // Order matters: wrangler resolves with workerd, worker, browser; "types" first for TypeScript.
  assert.deepEqual(Object.keys(root), ["types", "workerd", "node", "browser", "default"]);
  assert.equal(root.workerd, "./workerd.js");
  assert.equal(root.node, "./node.js");
  assert.equal(root.browser, "./browser.js");
  assert.deepEqual(pkg.exports["./manual"], { types: "./index.d.ts", workerd: "./workerd.js", node: "./node.js", default: "./manual.js" });
  assert.equal(pkg.exports["./xerosync_bg.wasm"], "./pkg/web/xerosync_bg.wasm");
  for (const file of ["manual.js", "workerd.js"]) assert.ok(pkg.files.includes(file), file);
});

test("xerosync/manual resolves to the node entry on Node, and xerosync/xerosync_bg.wasm to the web build's wasm", async () => {
  const manual = await import("xerosync/manual");
  assert.equal(manual.previewInvoice, xerosync.previewInvoice);
  assert.match(import.meta.resolve("xerosync/xerosync_bg.wasm"), /\/pkg\/web\/xerosync_bg\.wasm$/);
});

test("from the repository root, after npm install, a plain import works (contract.md)", () => {
  const code = 'import * as x from "xerosync"; if (x.planSend([], { mode: "selected" }).send.length !== 0) process.exit(2);';
  const run = spawnSync(process.execPath, ["--input-type=module", "--eval", code], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
});

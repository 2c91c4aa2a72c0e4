// The entry `xerosync/core` (issue 13, size): the pure functions without the sync client, from their own smaller wasm
// build (cargo --no-default-features). Same functions as `xerosync` but XeroClient, the same answers (the shared
// fixtures run against both in fixtures.test.js), routed for every runtime, and really smaller.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as xerosync from "xerosync";
import * as core from "xerosync/core";
import * as manual from "xerosync/core/manual";
import { packageDir, reexported } from "./helpers.js";

const full = Object.keys(xerosync).sort();
const pure = Object.keys(core).sort();

test("xerosync/core exports every function of xerosync but the sync client", () => {
  assert.deepEqual(pure, full.filter((name) => name !== "XeroClient"));
  assert.equal(core.XeroClient, undefined);
  for (const name of pure) assert.equal(typeof core[name], "function", name);
  // Its own instance, not the full build's.
  assert.notEqual(core.previewInvoice, xerosync.previewInvoice);
  assert.deepEqual(core.planUpdate([], { mode: "all" }), { update: [], skipped: [] });
});

test("xerosync/core/manual resolves to the core's node entry on Node; core/manual.js lists the same names", async () => {
  assert.equal(manual.previewInvoice, core.previewInvoice);
  assert.equal(await manual.init(), undefined);
  assert.deepEqual(reexported("core/manual.js"), pure);
  assert.match(import.meta.resolve("xerosync/core/xerosync_bg.wasm"), /\/pkg\/core-web\/xerosync_bg\.wasm$/);
});

test("core/index.d.ts declares exactly the core entry's functions and classes as values", () => {
  const dts = readFileSync(join(packageDir, "core", "index.d.ts"), "utf8");
  const list = dts.match(/export \{([^}]*)\} from "\.\.\/index\.js"/);
  assert.ok(list, "core/index.d.ts has no export list");
  assert.deepEqual(list[1].split(",").map((s) => s.trim()).filter(Boolean).sort(), pure);
});

test("package.json routes xerosync/core like xerosync, and ships its builds", () => {
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  assert.deepEqual(pkg.exports["./core"], {
    types: "./core/index.d.ts",
    workerd: "./core/workerd.js",
    node: "./core/node.js",
    browser: "./core/browser.js",
    default: "./core/browser.js",
  });
  for (const file of ["core/", "pkg/core-web/", "pkg/core-node/"]) assert.ok(pkg.files.includes(file), file);
});

test("the core's wasm is at least a quarter smaller than the full one, gzipped", () => {
  const gz = (dir) => gzipSync(readFileSync(join(packageDir, "pkg", dir, "xerosync_bg.wasm")), { level: 9 }).length;
  const [small, big] = [gz("core-web"), gz("web")];
  assert.ok(small < 0.75 * big, `core ${small} bytes gzipped, full ${big}`);
  assert.ok(statSync(join(packageDir, "pkg", "core-node", "xerosync_bg.wasm")).size > 0);
});

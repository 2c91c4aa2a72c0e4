// The TypeScript types: `tsc --noEmit` over a typed usage of the package (test/types/usage.ts), resolved through the
// package's "exports" → "types" as a TypeScript user's project would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { packageDir } from "./helpers.js";

test("tsc --noEmit accepts the typed usage and rejects the wrong calls", () => {
  // The package's `bin`, found from its package.json ("exports" hides the file itself).
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", join(packageDir, "test", "types", "tsconfig.json")], {
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});

// Runs every ```js example of the package README as a module importing "xerosync" as users do. A block that
// declares the shared records (`export const …`) is prepended, without `export`, to the blocks after it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageDir } from "./helpers.js";

const readme = readFileSync(join(packageDir, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the README has examples", () => {
  assert.ok(blocks.length >= 5, `${blocks.length} js blocks`);
});

let prelude = "";
blocks.forEach((code, i) => {
  if (/^export const /m.test(code)) {
    prelude += code.replace(/^export const /gm, "const ");
    return;
  }
  const title = code.split("\n").find((line) => line.startsWith("import {")) ?? code.split("\n")[0];
  test(`README example ${i + 1}: ${title}`, () => {
    // --eval resolves "xerosync" from the current directory: the package itself (self-reference by name).
    const run = spawnSync(process.execPath, ["--input-type=module", "--eval", prelude + code], {
      cwd: packageDir,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `example ${i + 1} failed:\n${run.stderr}`);
  });
});

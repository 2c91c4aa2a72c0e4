// Runs every ```js example of the package README as a module importing "xerosync" as users do (see
// `readmeExamples`: a block declaring the shared records is prepended to the blocks after it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { packageDir, readmeExamples } from "./helpers.js";

const examples = readmeExamples();

test("the README has examples", () => {
  assert.ok(examples.length >= 4, `${examples.length} js examples`);
});

for (const { index, title, code } of examples) {
  test(`README example ${index}: ${title}`, () => {
    // --eval resolves "xerosync" from the current directory: the package itself (self-reference by name).
    const run = spawnSync(process.execPath, ["--input-type=module", "--eval", code], {
      cwd: packageDir,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `example ${index} failed:\n${run.stderr}`);
  });
}

// Runs every shared fixture (tests/fixtures/core/*.json) against the built package, imported as users import it,
// so the wasm build and the native core (whose Rust tests read the same files) agree: through `xerosync` and through
// `xerosync/core` (the pure functions' own, smaller build).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as xerosync from "xerosync";
import * as core from "xerosync/core";
import { loadFixtures } from "./helpers.js";

const fixtures = loadFixtures();

test("there are fixtures for each contract function", () => {
  const calls = new Set(fixtures.map((f) => f.call));
  for (const name of ["planSend", "planUpdate", "previewInvoice", "buildInvoicePayload", "applyXeroInvoice"]) {
    assert.ok(calls.has(name), `no fixture calls ${name}`);
  }
});

for (const [entry, module] of [["xerosync", xerosync], ["xerosync/core", core]]) {
  for (const fixture of fixtures) {
    const label = `${entry}: ${fixture.name}: rule ${fixture.rule}: ${fixture.description}`;
    test(label, () => {
      const fn = module[fixture.call];
      assert.equal(typeof fn, "function", `the package does not export ${fixture.call}`);
      if (fixture.expectError) {
        assert.throws(
          () => fn(...fixture.args),
          (err) => {
            assert.ok(err instanceof Error, `threw a ${typeof err}, not an Error`);
            assert.equal(err.code, fixture.expectError.code, err.message);
            for (const part of fixture.expectError.messageIncludes ?? []) {
              assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(part)}`);
            }
            return true;
          },
        );
      } else {
        assert.ok("expect" in fixture, `${fixture.name} has neither expect nor expectError`);
        // Through JSON so that an `undefined` property would show up as a difference too.
        const got = fn(...fixture.args);
        assert.deepStrictEqual(JSON.parse(JSON.stringify(got)), fixture.expect);
        assert.deepStrictEqual(got, fixture.expect);
      }
    });
  }
}

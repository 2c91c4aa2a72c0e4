// What JS callers get on bad input: real Error objects (never bare strings) with a stable `code`, and `record` and
// `field` when a record is at fault (rule L2).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as xerosync from "xerosync";
import { loadFixtures } from "./helpers.js";

const base = loadFixtures().find((f) => f.call === "previewInvoice" && f.expect);
const [invoice, ctx] = base.args;

function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail("did not throw");
}

test("every error fixture throws an Error with its code (rule L2)", () => {
  const errorFixtures = loadFixtures().filter((f) => f.expectError);
  assert.ok(errorFixtures.length > 0);
  for (const fixture of errorFixtures) {
    const err = thrown(() => xerosync[fixture.call](...fixture.args));
    assert.ok(err instanceof Error, fixture.name);
    assert.equal(err.name, "XerosyncError", fixture.name);
    assert.equal(typeof err.code, "string", fixture.name);
    assert.match(err.code, /^[a-z_]+$/, fixture.name);
    assert.ok(err.stack.includes("XerosyncError"), fixture.name);
  }
});

test("a bad field names the record and the field, as properties too (rule L2)", () => {
  const bad = structuredClone(invoice);
  bad.lines[0].quantity = "three";
  const err = thrown(() => xerosync.previewInvoice(bad, ctx));
  assert.equal(err.code, "invalid_field");
  assert.equal(err.record, `invoice ${invoice.id}`);
  assert.equal(err.field, "lines[0].quantity");
  assert.ok(err.message.includes(invoice.id) && err.message.includes("lines[0].quantity"), err.message);
});

test("a missing field is missing_field, naming it", () => {
  const { number, ...bad } = invoice;
  assert.ok(number);
  const err = thrown(() => xerosync.buildInvoicePayload(bad, ctx));
  assert.equal(err.code, "missing_field");
  assert.equal(err.field, "number");
});

test("bad options are invalid_options", () => {
  const err = thrown(() => xerosync.planSend([invoice], { mode: "everything" }));
  assert.equal(err.code, "invalid_options");
  assert.equal(err.field, "mode");
});

test("arguments that are not JSON data are invalid_argument, naming the argument", () => {
  const cyclic = [];
  cyclic.push(cyclic);
  for (const [value, what] of [[cyclic, "circular"], [[{ id: 1n }], "BigInt"], [() => [], "function"]]) {
    const err = thrown(() => xerosync.planSend(value, { mode: "selected" }));
    assert.ok(err instanceof Error);
    assert.equal(err.code, "invalid_argument", what);
    assert.equal(err.field, "invoices", what);
    assert.ok(err.message.startsWith("invoices: "), err.message);
  }
});

test("a failure leaves the module usable", () => {
  thrown(() => xerosync.previewInvoice(null, ctx));
  assert.deepEqual(xerosync.previewInvoice(invoice, ctx), base.expect);
});

test("errorCodes() lists exactly the ErrorCode union of the types (generated from the core's list), and every error fixture's code is in it", async () => {
  const { readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { packageDir } = await import("./helpers.js");
  const dts = readFileSync(join(packageDir, "types.generated.d.ts"), "utf8");
  const union = dts.slice(dts.indexOf("export type ErrorCode ="), dts.indexOf(";", dts.indexOf("export type ErrorCode =")));
  const declared = [...union.matchAll(/\|\s*"([a-z_]+)"/g)].map((m) => m[1]).sort();
  const listed = [...xerosync.errorCodes()].sort();
  assert.deepEqual(listed, declared);
  assert.equal(new Set(listed).size, listed.length, "no code twice");
  for (const fixture of loadFixtures().filter((f) => f.expectError)) {
    assert.ok(listed.includes(fixture.expectError.code), `${fixture.name}: ${fixture.expectError.code}`);
  }
});

test("every error also carries a sentence for people: no record id, rule code or field path in it", () => {
  for (const fixture of loadFixtures().filter((f) => f.expectError)) {
    const err = thrown(() => xerosync[fixture.call](...fixture.args));
    assert.equal(typeof err.sentence, "string", fixture.name);
    assert.match(err.sentence, /\.$/, fixture.name);
    // No rule code, index, snake_case, code quote, dotted path or camelCase word: those are for programs.
    assert.ok(!/\(rule [A-Z]\d|\[\d+\]|_|`|[a-zA-Z]\.[a-zA-Z]|\b[a-z]+[A-Z]\w*/.test(err.sentence), `${fixture.name}: ${err.sentence}`);
    if (err.record) assert.ok(!err.sentence.includes(err.record.split(" ").pop()), `${fixture.name}: ${err.sentence}`);
  }
});

// Issue 13's fast per-invoice path: `prepare(ctx)` and the content-keyed context cache of `buildInvoicePayload` /
// `previewInvoice` give byte-identical answers to a fresh decode, over every shared fixture; a context edited in
// place is seen at once (never a stale answer).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as xerosync from "xerosync";
import { loadFixtures } from "./helpers.js";

const perInvoice = loadFixtures().filter((f) => ["buildInvoicePayload", "previewInvoice"].includes(f.call));

test("there are per-invoice fixtures to compare", () => {
  assert.ok(perInvoice.length >= 20, `${perInvoice.length}`);
});

for (const fixture of perInvoice) {
  test(`prepared context = fresh decode: ${fixture.name} (rule ${fixture.rule})`, () => {
    const [invoice, ctx] = fixture.args;
    const outcome = (fn) => {
      try {
        return JSON.stringify({ ok: fn() });
      } catch (e) {
        return JSON.stringify({ code: e.code, message: e.message });
      }
    };
    const expected = "expect" in fixture;
    const fresh = outcome(() => xerosync[fixture.call](invoice, ctx));
    // The same context object again: served from the cache.
    const again = outcome(() => xerosync[fixture.call](invoice, ctx));
    let prepared;
    const viaPrepare = outcome(() => {
      prepared = xerosync.prepare(ctx);
      return prepared[fixture.call](invoice);
    });
    prepared?.free();
    assert.equal(again, fresh);
    assert.equal(viaPrepare, fresh);
    if (expected) assert.deepEqual(JSON.parse(fresh), { ok: fixture.expect });
  });
}

test("a context edited in place between two calls is decoded again (rule T1's mapping changed)", () => {
  const fixture = perInvoice.find(
    (f) => f.call === "buildInvoicePayload" && f.expect?.LineItems?.[0]?.TaxType && f.expect.LineItems[0].TaxType !== "ZERORATEDOUTPUT",
  );
  const [invoice, ctx] = structuredClone(fixture.args);
  const before = xerosync.buildInvoicePayload(invoice, ctx);
  const rate = ctx.taxRates.find((r) => r.id === invoice.lines[0].taxRateId);
  rate.xeroTaxType = "ZERORATEDOUTPUT";
  const after = xerosync.buildInvoicePayload(invoice, ctx);
  assert.notEqual(before.LineItems[0].TaxType, "ZERORATEDOUTPUT");
  assert.equal(after.LineItems[0].TaxType, "ZERORATEDOUTPUT");
  // A prepared context keeps what it was given.
  rate.xeroTaxType = before.LineItems[0].TaxType;
  const prepared = xerosync.prepare(ctx);
  rate.xeroTaxType = "ZERORATEDOUTPUT";
  assert.equal(prepared.buildInvoicePayload(invoice).LineItems[0].TaxType, before.LineItems[0].TaxType);
  prepared.free();
});

test("prepare throws what buildInvoicePayload throws for a malformed context", () => {
  assert.throws(() => xerosync.prepare("nope"), (e) => e.code === "invalid_options" && /ctx/.test(e.message));
  assert.throws(() => xerosync.buildInvoicePayload({}, "nope"), (e) => e.code === "invalid_options");
});

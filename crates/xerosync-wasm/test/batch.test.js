// buildInvoicePayloads (rules S4-S7, L2) in the built package: per invoice, exactly what buildInvoicePayload gives
// (the same document, or in `failed` the same error it throws), and a bad invoice does not lose the others.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as xerosync from "xerosync";
import { loadFixtures } from "./helpers.js";

const fixtures = loadFixtures().filter((f) => f.call === "buildInvoicePayload");

function outcome(invoice, ctx) {
  try {
    return { ok: xerosync.buildInvoicePayload(invoice, ctx) };
  } catch (err) {
    return { err };
  }
}

test("each invoice of a batch is what buildInvoicePayload gives, good or bad (rule L2)", () => {
  let good = 0;
  let bad = 0;
  for (const fixture of fixtures) {
    const [invoice, ctx] = fixture.args;
    const single = outcome(invoice, ctx);
    if (single.err?.code === "invalid_options") {
      assert.throws(() => xerosync.buildInvoicePayloads([invoice], ctx), { code: "invalid_options" }, fixture.name);
      continue;
    }
    const broken = { ...structuredClone(invoice), id: "inv-bad" };
    broken.lines[0].quantity = "three";
    const answer = xerosync.buildInvoicePayloads([invoice, broken, invoice], ctx);
    const key = invoice.kind === "creditNote" ? "CreditNotes" : "Invoices";
    const brokenFailure = answer.failed.find((f) => f.index === 1);
    assert.equal(brokenFailure.record, `${key === "Invoices" ? "invoice" : "credit note"} inv-bad`, fixture.name);
    if (single.ok) {
      assert.deepEqual(answer[key], [single.ok, single.ok], fixture.name);
      assert.equal(answer.failed.length, 1, fixture.name);
      good++;
    } else {
      const { code, message, sentence, record, field } = single.err;
      const want = Object.fromEntries(Object.entries({ code, message, sentence, record, field }).filter(([, v]) => v !== undefined));
      assert.deepEqual(answer.failed[0], { index: 0, ...want }, fixture.name);
      assert.deepEqual(answer.failed[2], { index: 2, ...want }, fixture.name);
      assert.deepEqual(answer[key], [], fixture.name);
      bad++;
    }
    assert.equal(typeof answer.needsUnitdp4, "boolean");
  }
  assert.ok(good >= 10 && bad >= 3, `${good} good, ${bad} bad fixtures`);
});

test("buildInvoicePayloads throws only for a list that is not an array or a malformed context", () => {
  const [invoice, ctx] = fixtures.find((f) => f.expect).args;
  assert.throws(() => xerosync.buildInvoicePayloads({ invoice }, ctx), { code: "invalid_options", field: "invoices" });
  assert.throws(() => xerosync.buildInvoicePayloads([invoice], 5), { code: "invalid_options" });
  assert.throws(() => xerosync.buildInvoicePayloads(() => [], ctx), { code: "invalid_argument", field: "invoices" });
  const answer = xerosync.buildInvoicePayloads([], ctx);
  assert.deepEqual(answer, { Invoices: [], CreditNotes: [], failed: [], needsUnitdp4: false });
});

test("buildRequestBodies gives the batch's documents as PUT bodies of at most 50 (rules S9, L2)", () => {
  const fixture = fixtures.find((f) => f.expect && f.args[0].kind !== "creditNote");
  const [invoice, ctx] = fixture.args;
  const note = { ...structuredClone(invoice), id: "cn-1", kind: "creditNote" };
  const broken = { ...structuredClone(invoice), id: "inv-bad" };
  broken.lines[0].quantity = "three";
  const list = Array.from({ length: 120 }, (_, i) => (i === 7 ? broken : i % 40 === 3 ? note : invoice));
  const bodies = xerosync.buildRequestBodies(list, ctx);
  const payloads = xerosync.buildInvoicePayloads(list, ctx);
  const documents = (texts, key) =>
    texts.flatMap((text) => {
      assert.equal(typeof text, "string");
      const body = JSON.parse(text);
      assert.deepEqual(Object.keys(body), [key]);
      assert.ok(body[key].length >= 1 && body[key].length <= 50, `${body[key].length} in one body`);
      return body[key];
    });
  assert.deepEqual(documents(bodies.invoices, "Invoices"), payloads.Invoices);
  assert.deepEqual(documents(bodies.creditNotes, "CreditNotes"), payloads.CreditNotes);
  assert.equal(bodies.invoices.length, 3); // 116 invoices
  assert.deepEqual(bodies.failed, payloads.failed);
  assert.equal(bodies.failed[0].index, 7);
  assert.equal(bodies.needsUnitdp4, payloads.needsUnitdp4);
  assert.throws(() => xerosync.buildRequestBodies({ invoice }, ctx), { code: "invalid_options", field: "invoices" });
  assert.deepEqual(xerosync.buildRequestBodies([], ctx), { invoices: [], creditNotes: [], failed: [], needsUnitdp4: false });
});

test("a long argument with any Unicode arrives whole (the TextEncoder path of long JSON text)", () => {
  const [invoice, ctx] = fixtures.find((f) => f.expect && f.args[0].kind !== "creditNote").args;
  const description = "Café crème — 😀 naïve 𝄞 \u2028 \"quoted\" \\ back";
  const list = Array.from({ length: 200 }, (_, i) => {
    const copy = structuredClone(invoice);
    copy.id = `inv-${i}`;
    copy.lines[0].description = `${description} ${i}`;
    return copy;
  });
  assert.ok(JSON.stringify(list).length > 16 * 1024, "long enough for the TextEncoder path");
  const { invoices: bodies } = xerosync.buildRequestBodies(list, ctx);
  const lines = bodies.flatMap((b) => JSON.parse(b).Invoices).map((d) => d.LineItems[0].Description);
  assert.deepEqual(lines, list.map((i) => i.lines[0].description));
  const short = xerosync.buildInvoicePayload(list[3], ctx);
  assert.equal(short.LineItems[0].Description, `${description} 3`);
});

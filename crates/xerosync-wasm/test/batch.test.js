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

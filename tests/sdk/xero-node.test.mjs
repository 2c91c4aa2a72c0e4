// Xero's official SDK (xero-node's AccountingApi, its own models and deserialiser) pointed at the simulator's
// lived-in organisation: what xerosync reads there (contacts by `where`, archived ones, addresses and phones;
// invoices with payments and allocated credit notes) parses as it does against Xero. The simulator binary is the
// workspace's debug build (`cargo build -p xero-sim`), started on 127.0.0.1 and stopped at the end.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { XeroClient } from "xero-node";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const binary = join(process.env.CARGO_TARGET_DIR || join(root, "target"), "debug", "xero-sim");
const LIVED_IN = "7f3c1a2b-4d5e-4f60-8a71-b2c3d4e5f604";

async function startSim() {
  assert.ok(existsSync(binary), `${binary} missing: cargo build -p xero-sim`);
  const child = spawn(binary, ["--port", "0", "--seed", "lived-in", "--control"], { stdio: ["ignore", "pipe", "inherit"] });
  after(() => child.kill());
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("xero-sim did not print its URL")), 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve(out.split("\n")[0].trim());
      }
    });
    child.on("exit", (code) => reject(new Error(`xero-sim exited with ${code}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  return url;
}

const base = await startSim();
const tokens = await (await fetch(`${base}/_sim/tokens`, { method: "POST", body: JSON.stringify({ tenants: [LIVED_IN] }) })).json();
const xero = new XeroClient();
xero.accountingApi.basePath = `${base}/api.xro/2.0`;
xero.setTokenSet({ access_token: tokens.access_token, token_type: "Bearer" });
const api = xero.accountingApi;

test("rule S3a: xero-node reads the simulator's contact search, archived contacts included, with their details", async () => {
  const where = 'Name=="kestrel dental group" OR Name=="Millbrook Bakery" OR ContactNumber=="co-5"';
  const { body } = await api.getContacts(LIVED_IN, undefined, where, undefined, undefined, undefined, true);
  const names = body.contacts.map((c) => c.name).sort();
  assert.deepEqual(names, ["MILLBROOK BAKERY", "Pennine Outdoor Ltd", "kestrel DENTAL   group"]);
  const millbrook = body.contacts.find((c) => c.name === "MILLBROOK BAKERY");
  assert.equal(String(millbrook.contactStatus), "ARCHIVED");
  assert.match(millbrook.contactID, /^[0-9a-f-]{36}$/);
  // Without includeArchived the archived one is not listed (Xero's default).
  const active = await api.getContacts(LIVED_IN, undefined, where);
  assert.deepEqual(active.body.contacts.map((c) => c.name).sort(), ["Pennine Outdoor Ltd", "kestrel DENTAL   group"]);
  // Addresses and phones (rule S3b) come back as the SDK's own models.
  const all = await api.getContacts(LIVED_IN, undefined, undefined, undefined, undefined, 1, false, false, undefined, 1000);
  const withAddress = all.body.contacts.find((c) => (c.addresses ?? []).some((a) => a.addressLine1));
  assert.ok(withAddress, "some lived-in contact has an address");
  assert.ok(["POBOX", "STREET"].includes(String(withAddress.addresses.find((a) => a.addressLine1).addressType)));
});

test("rules U7, S10: xero-node reads invoices with their payments, allocated credit notes and voided ones", async () => {
  const { body } = await api.getInvoices(LIVED_IN, undefined, undefined, undefined, undefined, ["LI-0002", "LI-0003", "LI-0900"]);
  const byNumber = Object.fromEntries(body.invoices.map((i) => [i.invoiceNumber, i]));
  assert.deepEqual(Object.keys(byNumber).sort(), ["LI-0002", "LI-0003", "LI-0900"]);
  assert.equal(String(byNumber["LI-0900"].status), "VOIDED");
  const credited = byNumber["LI-0002"];
  assert.equal(credited.creditNotes.length, 1);
  assert.equal(credited.creditNotes[0].appliedAmount, 10);
  assert.equal(credited.amountCredited, 10);
  const paid = byNumber["LI-0003"];
  assert.ok(paid.payments.length >= 1, JSON.stringify(paid.payments));
  const sum = paid.payments.reduce((s, p) => s + Math.round(p.amount * 100), 0);
  assert.equal(sum, Math.round(paid.amountPaid * 100), "the payments add up to AmountPaid");
  assert.ok(paid.payments[0].date instanceof Date || typeof paid.payments[0].date === "string");
});

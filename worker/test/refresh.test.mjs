// Rule C4 / R2: the refresh race (50 concurrent relayed calls when the access token expires → exactly one
// refresh at Xero, all answered), and 60 idle days kept alive by the Cron Trigger, against the simulator's clock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, session, auth, connect, enable, sim, tokenCalls } from "./harness.mjs";

let env;

// The cron refreshes whenever it runs here (KEEPALIVE_AFTER_SECS=0): the Worker's own clock does not move when the
// simulator's does.
let tenants;
before(async () => {
  env = await start({ vars: { KEEPALIVE_AFTER_SECS: "0" } });
  // One Xero organisation per CRM organisation: a tenant is bound to one CRM organisation (rule C7).
  tenants = (await sim(env, "/tenants")).map((t) => t.tenantId);
});
after(async () => env && (await env.stop()));

const cron = () => fetch(`${env.base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);

test("rule C4 (R2): 50 concurrent calls at token expiry → exactly one refresh, no invalid_grant, all answered", async () => {
  const token = await session(env, { org: "org-race" });
  await connect(env, token, { tenants: [tenants[0]] });
  await enable(env, token);
  assert.equal((await fetch(`${env.base}/xero/Organisation`, { headers: auth(token) })).status, 200);
  await sim(env, "/clock", { advanceMinutes: 31 }); // the access token is now expired at Xero
  await sim(env, "/counters", undefined, "DELETE");
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      fetch(`${env.base}/xero/Invoices?page=${(i % 3) + 1}`, { headers: auth(token) }).then(async (r) => ({ status: r.status, body: await r.text() })),
    ),
  );
  const bad = answers.filter((a) => a.status !== 200);
  assert.equal(bad.length, 0, `not answered 200: ${bad.slice(0, 3).map((a) => `${a.status} ${a.body.slice(0, 120)}`).join(" | ")}`);
  assert.equal(await tokenCalls(env), 1, "exactly one refresh reached the token endpoint");
  const counters = await sim(env, "/counters");
  assert.equal(counters.byStatus?.["400"] ?? 0, 0, "no invalid_grant");
  const status = await (await fetch(`${env.base}/connection`, { headers: auth(token) })).json();
  assert.equal(status.status, "connected");
  assert.equal(status.refreshCount, 1);
});

test("rule C4: without the cron, 61 idle days end in reconnect required, with the reason", async () => {
  const token = await session(env, { org: "org-idle" });
  await connect(env, token, { tenants: [tenants[1]] });
  await enable(env, token);
  // Another org's connection must not be touched by the cron meanwhile: run no cron in this test.
  await sim(env, "/clock", { advanceDays: 61 });
  const r = await fetch(`${env.base}/xero/Organisation`, { headers: auth(token) });
  assert.equal(r.status, 409);
  const err = (await r.json()).error;
  assert.equal(err.code, "reconnect_required");
  const status = await (await fetch(`${env.base}/connection`, { headers: auth(token) })).json();
  assert.equal(status.status, "reconnect_required");
  assert.match(status.reason, /invalid_grant/);
});

test("rule C4: 60 idle days with the Cron Trigger → still connected", async () => {
  const token = await session(env, { org: "org-alive" });
  await connect(env, token, { tenants: [tenants[2]] });
  await enable(env, token);
  const before = await tokenCalls(env);
  for (let day = 5; day <= 60; day += 5) {
    await sim(env, "/clock", { advanceDays: 5 });
    const r = await cron();
    assert.ok(r.status < 500, `cron on day ${day}: ${r.status}`);
  }
  assert.ok((await tokenCalls(env)) - before >= 12, "the cron refreshed on every run");
  const status = await (await fetch(`${env.base}/connection`, { headers: auth(token) })).json();
  assert.equal(status.status, "connected", JSON.stringify(status));
  const r = await fetch(`${env.base}/xero/Organisation`, { headers: auth(token) });
  assert.equal(r.status, 200);
});

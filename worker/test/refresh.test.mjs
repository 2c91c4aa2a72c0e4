// Rule C4 / R2: the refresh race (50 concurrent relayed calls when the access token expires → exactly one
// refresh at Xero, all answered), and 60 idle days kept alive by the organisation's own Durable Object alarm (no
// Cron Trigger), against the simulator's clock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { start, session, auth, connect, enable, sim, tokenCalls, eventually } from "./harness.mjs";

let env;

// The harness's alarm intervals are long here: nothing refreshes in the background during the race.
let tenants;
before(async () => {
  env = await start();
  // One Xero organisation per CRM organisation: a tenant is bound to one CRM organisation (rule C7).
  tenants = (await sim(env, "/tenants")).map((t) => t.tenantId);
});
after(async () => env && (await env.stop()));

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

test("rule C4: without a keepalive (alarms far off), 61 idle days end in reconnect required, with the reason", async () => {
  const token = await session(env, { org: "org-idle" });
  await connect(env, token, { tenants: [tenants[1]] });
  await enable(env, token);
  // No keepalive reaches it meanwhile: the harness arms alarms days away, and no cron runs in this test.
  await sim(env, "/clock", { advanceDays: 61 });
  const r = await fetch(`${env.base}/xero/Organisation`, { headers: auth(token) });
  assert.equal(r.status, 409);
  const err = (await r.json()).error;
  assert.equal(err.code, "reconnect_required");
  const status = await (await fetch(`${env.base}/connection`, { headers: auth(token) })).json();
  assert.equal(status.status, "reconnect_required");
  assert.match(status.reason, /invalid_grant/);
});

test("rule C4: 60 idle days kept alive by the organisation's alarm alone → still connected", async () => {
  // Its own Worker: the alarm keeps alive whenever the last refresh is a second old (KEEPALIVE_AFTER_SECS=1); the
  // Worker's clock is real time while the simulator's jumps 5 days at a time, so each jump must be followed by a
  // refresh from the alarm before the next one. No Cron Trigger runs in this test.
  const alive = await start({ vars: { KEEPALIVE_AFTER_SECS: "1" } });
  try {
    const [tenant] = (await sim(alive, "/tenants")).map((t) => t.tenantId);
    const token = await session(alive, { org: "org-alive" });
    await connect(alive, token, { tenants: [tenant] });
    await enable(alive, token);
    const first = await tokenCalls(alive);
    for (let day = 5; day <= 60; day += 5) {
      await sim(alive, "/clock", { advanceDays: 5 });
      const seen = await tokenCalls(alive);
      assert.ok(await eventually(async () => (await tokenCalls(alive)) > seen, 20_000), `the alarm refreshed after day ${day}`);
    }
    assert.ok((await tokenCalls(alive)) - first >= 12, "the alarm refreshed after every jump");
    const status = await (await fetch(`${alive.base}/connection`, { headers: auth(token) })).json();
    assert.equal(status.status, "connected", JSON.stringify(status));
    assert.ok(status.refreshCount >= 12, `refreshCount ${status.refreshCount}`);
    const r = await fetch(`${alive.base}/xero/Organisation`, { headers: auth(token) });
    assert.equal(r.status, 200);
  } finally {
    await alive.stop();
  }
});

test("rule C4: a disconnected organisation's alarm stops refreshing", async () => {
  const quiet = await start({ vars: { KEEPALIVE_AFTER_SECS: "1" } });
  try {
    const [tenant] = (await sim(quiet, "/tenants")).map((t) => t.tenantId);
    const token = await session(quiet, { org: "org-gone" });
    await connect(quiet, token, { tenants: [tenant] });
    const seen = await tokenCalls(quiet);
    assert.ok(await eventually(async () => (await tokenCalls(quiet)) > seen, 20_000), "the alarm keeps it alive");
    const d = await fetch(`${quiet.base}/connection/disconnect`, { method: "POST", headers: auth(token) });
    assert.equal(d.status, 200);
    await new Promise((r) => setTimeout(r, 1500)); // an alarm already running may finish
    const after = await tokenCalls(quiet);
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(await tokenCalls(quiet), after, "no refresh after disconnect");
  } finally {
    await quiet.stop();
  }
});

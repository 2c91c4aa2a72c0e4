// R3: every security case as a test. Rule C1 (roles, sessions, origins), C3 (state bound, one use), the relay's
// refusals (X2: no open relay; nothing reaches Xero), webhook signatures (B1), and no token material anywhere
// (responses, headers, the log, the CSV, the Worker's output, and the Durable Object's storage at rest).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { createHmac, hkdfSync } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  start, session, auth, connect, beginConnect, connectTicket, consent, consentFlow, enable, newTenant, sim, signSession,
  parseCsv, eventually, ORIGIN, NAVIGATION, ENCRYPTION_KEY, WEBHOOK_KEY, SESSION_SECRET,
} from "./harness.mjs";

let env;
let token;
const seen = []; // every response body + headers, for the token grep

before(async () => {
  env = await start();
  token = await session(env, { org: "org-sec", sub: "u-sec", name: "Sec Admin", role: "admin" });
  await connect(env, token);
  await enable(env, token);
});
after(async () => env && (await env.stop()));

async function call(path, { method = "GET", headers = {}, body } = {}) {
  const r = await fetch(`${env.base}${path}`, { method, headers, body, redirect: "manual" });
  const text = await r.text();
  seen.push(`${JSON.stringify([...r.headers])}\n${text}`);
  return { status: r.status, text, headers: r.headers, json: () => JSON.parse(text) };
}

/** A request whose path goes out exactly as written (fetch would normalise `..` and friends). */
function raw(method, path, headers = {}) {
  const u = new URL(env.base);
  return new Promise((res, rej) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (r) => {
      let body = "";
      r.on("data", (d) => (body += d));
      r.on("end", () => { seen.push(body); res({ status: r.statusCode, body }); });
    });
    req.on("error", rej);
    req.end();
  });
}

const now = () => Math.floor(Date.now() / 1000);

test("rule C1: roles other than finance and admin get 403 everywhere", async () => {
  const sales = await session(env, { org: "org-sec", sub: "u-sales", role: "sales" });
  for (const path of ["/connection", "/connections", "/settings", "/log", "/changes", "/xero/Invoices"]) {
    const r = await call(path, { headers: auth(sales) });
    assert.equal(r.status, 403, path);
    assert.equal(r.json().error.code, "forbidden_role", path);
  }
  const finance = await session(env, { org: "org-sec", sub: "u-fin", role: "finance" });
  assert.equal((await call("/connection", { headers: auth(finance) })).status, 200);
});

test("rule C1: no, forged, tampered, alg=none and expired sessions get 401", async () => {
  const claims = { sub: "u-sec", name: "x", role: "admin", org: "org-sec", exp: now() + 600, iat: now() };
  const cases = {
    missing: {},
    notBearer: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
    garbage: auth("not-a-jwt"),
    forged: auth(signSession(claims, "another-secret-of-enough-length")),
    none: auth(`${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`),
    expired: auth(signSession({ ...claims, exp: now() - 1 })),
    noAud: auth(signSession({ ...claims, aud: undefined })),
    wrongAud: auth(signSession({ ...claims, aud: "another-proxy" })),
    noIss: auth(signSession({ ...claims, iss: undefined })),
    wrongIss: auth(signSession({ ...claims, iss: "https://evil.test" })),
    futureNbf: auth(signSession({ ...claims, nbf: now() + 600 })),
    aYear: auth(signSession({ ...claims, exp: now() + 365 * 86_400 })),
    tampered: auth((() => {
      const [h, , s] = signSession({ ...claims, role: "sales" }).split(".");
      return `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    })()),
  };
  for (const [name, headers] of Object.entries(cases)) {
    const r = await call("/xero/Invoices", { headers });
    assert.equal(r.status, 401, name);
    assert.match(r.json().error.code, name === "expired" ? /^expired_session$/ : /^(missing|invalid)_session$/, name);
  }
  // The CRM's back end signs with the shared secret: that works.
  assert.equal((await call("/connection", { headers: auth(signSession(claims, SESSION_SECRET)) })).status, 200);
});

test("rule C1: CORS only for the configured CRM origins", async () => {
  const ok = await call("/connection", { headers: auth(token, { origin: ORIGIN }) });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), ORIGIN);
  const pre = await call("/xero/Invoices", {
    method: "OPTIONS",
    headers: { origin: ORIGIN, "access-control-request-method": "PUT", "access-control-request-headers": "authorization,idempotency-key" },
  });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get("access-control-allow-headers"), /idempotency-key/);
  for (const origin of ["https://evil.test", `${ORIGIN}.evil.test`, "null", "http://crm.test:8081"]) {
    const r = await call("/connection", { headers: auth(token, { origin }) });
    assert.equal(r.status, 403, origin);
    assert.equal(r.json().error.code, "forbidden_origin");
    assert.equal(r.headers.get("access-control-allow-origin"), null);
    const p = await call("/connection", { method: "OPTIONS", headers: { origin } });
    assert.equal(p.status, 403);
  }
});

test("rule C1: every mutating route refuses a role other than finance or admin", async () => {
  const sales = await session(env, { org: "org-sec", sub: "u-sales", role: "sales" });
  const json = { "content-type": "application/json" };
  const routes = [
    ["PUT", "/settings", { enabled: false, taxMapping: {}, discountStrategy: "auto", autoSend: false }],
    ["POST", "/connections/select", { tenantId: "00000000-0000-0000-0000-000000000000" }],
    ["POST", "/connection/disconnect", {}],
    ["DELETE", "/connection", undefined],
    ["POST", "/oauth/ticket", {}],
    ["PUT", "/xero/Invoices", { Invoices: [] }],
    ["POST", "/xero/Invoices", { Invoices: [] }],
    ["POST", "/xero/Contacts", { Contacts: [] }],
    ["PUT", "/xero/Items", { Items: [] }],
  ];
  await sim(env, "/counters", undefined, "DELETE");
  for (const [method, path, body] of routes) {
    const r = await call(path, { method, headers: auth(sales, json), body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal(r.status, 403, `${method} ${path}`);
    assert.equal(r.json().error.code, "forbidden_role", `${method} ${path}`);
  }
  assert.equal((await sim(env, "/counters")).total, 0, "nothing reached Xero");
  assert.equal((await call("/connection", { headers: auth(token) })).json().status, "connected", "still connected");
});

test("rule C3: connect takes a one-use ticket, never a session in the URL, from a navigation of the CRM page", async () => {
  const { ticket, url, expiresAt } = await connectTicket(env, token);
  assert.ok(expiresAt - now() <= 60 && expiresAt - now() > 0, "about a minute");
  assert.doesNotMatch(url, /session=|eyJ/, "the URL carries no session");
  // Navigations that did not come from the CRM page are refused before the ticket is spent.
  for (const headers of [{}, { referer: "https://evil.test/page", "sec-fetch-site": "cross-site" },
    { origin: "https://evil.test" }, { referer: `${ORIGIN}/x`, "sec-fetch-site": "none" }]) {
    const r = await call(url.replace(env.base, ""), { headers });
    assert.equal(r.status, 403, JSON.stringify(headers));
    assert.equal(r.json().error.code, "forbidden_origin");
  }
  const first = await fetch(url, { redirect: "manual", headers: NAVIGATION });
  assert.equal(first.status, 302);
  assert.match(first.headers.get("location"), /^http:\/\/127\.0\.0\.1:\d+\/identity\/connect\/authorize\?/);
  const twice = await call(url.replace(env.base, ""), { headers: NAVIGATION });
  assert.equal(twice.status, 400);
  assert.equal(twice.json().error.code, "invalid_ticket");
  for (const forged of [`${ticket}x`, ticket.replace(/^[^.]+/, Buffer.from("org-other").toString("base64url")), "nodot", ""]) {
    const r = await call(`/oauth/connect?ticket=${encodeURIComponent(forged)}`, { headers: NAVIGATION });
    assert.equal(r.status, 400, forged);
    assert.equal(r.json().error.code, "invalid_ticket");
  }
  // The old way in: a session token in the query is no longer read.
  const old = await call(`/oauth/connect?session=${token}`, { headers: NAVIGATION });
  assert.equal(old.status, 400);
  assert.equal(old.json().error.code, "invalid_ticket");
});

test("caps: bodies over a route's limit are refused before they are read (webhook 1 MB, JSON 64 KB, relay 3.5 MB)", async () => {
  // A 2 MB webhook: refused on its Content-Length (the signature is never computed over it).
  const early = await new Promise((res, rej) => {
    const u = new URL(env.base);
    const req = httpRequest({ host: u.hostname, port: u.port, method: "POST", path: "/webhooks/xero",
      headers: { "content-length": String(2 * 1024 * 1024), "content-type": "application/json", "x-xero-signature": "x" } }, (r) => {
      let body = "";
      r.on("data", (d) => (body += d));
      r.on("end", () => res({ status: r.statusCode, body }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error("no answer in 20 s")));
    req.on("error", rej);
    req.end(Buffer.alloc(2 * 1024 * 1024, 0x20));
  });
  assert.equal(early.status, 413);
  assert.equal(JSON.parse(early.body).error.code, "payload_too_large");
  const big = (n) => JSON.stringify({ enabled: true, taxMapping: { x: "y".repeat(n) }, discountStrategy: "auto", autoSend: false });
  const settings = await call("/settings", { method: "PUT", headers: auth(token, { "content-type": "application/json" }), body: big(100_000) });
  assert.equal(settings.status, 413);
  const relay = await call("/xero/Invoices", { method: "PUT", headers: auth(token, { "content-type": "application/json" }), body: big(4_000_000) });
  assert.equal(relay.status, 413);
  // A body without Content-Length (chunked) is refused too (a local proxy in front may add the length: then the
  // body is simply read, as it is small).
  const chunked = await new Promise((res, rej) => {
    const u = new URL(env.base);
    const req = httpRequest({ host: u.hostname, port: u.port, method: "PUT", path: "/settings",
      headers: { ...auth(token), "content-type": "application/json", "transfer-encoding": "chunked" } }, (r) => {
      r.resume();
      r.on("end", () => res(r.statusCode));
    });
    req.setTimeout(20_000, () => req.destroy(new Error("no answer in 20 s")));
    req.on("error", rej);
    req.end(big(10));
  });
  assert.ok(chunked === 411 || chunked === 200, String(chunked));
  // Error bodies are fixed texts: a decoder's message (which can echo what was sent) never comes back.
  const echo = await call("/settings", { method: "PUT", headers: auth(token, { "content-type": "application/json" }),
    body: JSON.stringify({ enabled: "SECRET-ECHO", taxMapping: {}, discountStrategy: "auto", autoSend: false }) });
  assert.equal(echo.status, 400);
  assert.doesNotMatch(echo.text, /SECRET-ECHO/);
  const notJson = await call("/settings", { method: "PUT", headers: auth(token, { "content-type": "application/json" }), body: "{SECRET-ECHO" });
  assert.equal(notJson.status, 400);
  assert.doesNotMatch(notJson.text, /SECRET-ECHO/);
});

test("rule X1: a write's body must be JSON, without a byte order mark (it goes to Xero as it came); nothing reaches Xero", async () => {
  await sim(env, "/counters", undefined, "DELETE");
  const invoices = JSON.stringify({ Invoices: [] });
  for (const [body, why] of [["{", "not JSON"], [`\uFEFF${invoices}`, "byte order mark"]]) {
    const r = await call("/xero/Invoices", { method: "PUT", headers: auth(token, { "content-type": "application/json" }), body });
    assert.equal(r.status, 400, why);
    assert.equal(r.json().error.code, "invalid_request");
    assert.match(r.json().error.message, new RegExp(why));
  }
  assert.equal((await sim(env, "/counters")).total, 0);
});

test("/health checks the configuration and the bindings", async () => {
  const r = await call("/health");
  assert.equal(r.status, 200);
  assert.deepEqual(r.json(), { ok: true, checks: { config: "ok", webhookKey: "ok", durableObject: "ok", d1: "ok" } });
});

test("rule X2: no open relay: escapes are refused and nothing reaches Xero", async () => {
  await sim(env, "/counters", undefined, "DELETE");
  const h = auth(token);
  const attempts = [
    ["GET", "/xero/Users"],
    ["GET", "/xero/connections"],
    ["GET", "/xero/Invoices/../../connections"],
    ["GET", "/xero/Invoices/..%2F..%2Fconnections"],
    ["GET", "/xero/%2e%2e/connections"],
    ["GET", "/xero/Invoices%2F..%2FUsers"],
    ["GET", "/xero//evil.test/Invoices"],
    ["GET", "/xero/http://evil.test/Invoices"],
    ["GET", "/xero/@evil.test/Invoices"],
    ["GET", "/xero/Invoices/a.b"],
    ["GET", "/xero/Invoices/%00"],
    ["GET", "/xero/Invoices\\..\\Users"],
    ["GET", "/xero/invoices"],
    ["GET", "/xero/Invoices/x/y"],
    ["GET", "/xero/Invoices?where=Total%3E0"],
    ["GET", "/xero/Invoices?page=1&page=2"],
    ["GET", "/xero/Invoices?order=Date"],
    ["GET", "/xero/Invoices?IDs=1%27%20OR%201=1"],
    ["GET", "/xero/Contacts?Statuses=PAID"],
    ["DELETE", "/xero/Invoices"],
    ["PATCH", "/xero/Invoices"],
    ["PUT", "/xero/TaxRates"],
    ["POST", "/xero/Payments"],
    ["PUT", "/xero/Organisation"],
    ["GET", "/xero/Invoices?summarizeErrors=false"],
    ["GET", "/xeroInvoices"],
    ["GET", "/xero"],
  ];
  for (const [method, path] of attempts) {
    const r = await raw(method, path, h);
    if (r.status === 200) {
      // The runtime resolves `..` before routing: `/xero/Invoices/../../connections` is the proxy's own
      // `/connections` (the organisation list), never a relayed call.
      assert.ok("tenants" in JSON.parse(r.body), `${method} ${path} answered 200: ${r.body.slice(0, 200)}`);
      continue;
    }
    assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} → ${r.status}`);
  }
  const headerTricks = [
    { "idempotency-key": "x".repeat(129) },
    { "if-modified-since": "2026-01-01; drop" },
  ];
  for (const extra of headerTricks) {
    const r = await call("/xero/Invoices", { method: "PUT", headers: auth(token, { "content-type": "application/json", ...extra }), body: "{}" });
    assert.equal(r.status, 400, JSON.stringify(extra));
  }
  const notJson = await call("/xero/Invoices", { method: "PUT", headers: auth(token, { "content-type": "text/plain" }), body: "x" });
  assert.equal(notJson.status, 400);
  const counters = await sim(env, "/counters");
  assert.equal(counters.total, 0, `reached the simulator: ${JSON.stringify(counters.byEndpoint)}`);
});

test("rule C3: a replayed state is refused", async () => {
  const t = await session(env, { org: "org-replay", sub: "u-r" });
  const { location, cookie } = await beginConnect(env, t);
  const cb = await consent(location, [await newTenant(env, "Replay Ltd")]);
  const first = await call(cb.replace(env.base, ""), { headers: { cookie } });
  assert.equal(first.status, 200, first.text);
  const again = await call(cb.replace(env.base, ""), { headers: { cookie } });
  assert.equal(again.status, 400);
  assert.equal(again.json().error.code, "invalid_state");
});

test("rule C3: a foreign, tampered or cookie-less state is refused, and no code is exchanged", async () => {
  const alice = await session(env, { org: "org-a", sub: "u-alice" });
  const mallory = await session(env, { org: "org-m", sub: "u-mallory" });
  const a = await beginConnect(env, alice);
  const m = await beginConnect(env, mallory);
  const cb = new URL(await consent(a.location, [await newTenant(env, "Alice Ltd")]));
  await sim(env, "/counters", undefined, "DELETE");
  const path = cb.pathname + cb.search;
  // Alice's state in Mallory's browser (login CSRF / state swap).
  const foreign = await call(path, { headers: { cookie: m.cookie } });
  assert.equal(foreign.status, 400);
  assert.equal(foreign.json().error.code, "invalid_state");
  // No binding cookie at all.
  assert.equal((await call(path)).status, 400);
  // A tampered state (org swapped) with Alice's own cookie.
  const state = cb.searchParams.get("state");
  const [payload, sig] = state.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url"));
  const swapped = `${Buffer.from(JSON.stringify({ ...claims, org: "org-m" })).toString("base64url")}.${sig}`;
  const tampered = new URL(cb);
  tampered.searchParams.set("state", swapped);
  assert.equal((await call(tampered.pathname + tampered.search, { headers: { cookie: a.cookie } })).status, 400);
  // A state signed by someone else.
  const forgedSig = createHmac("sha256", "other").update(payload).digest("base64url");
  tampered.searchParams.set("state", `${payload}.${forgedSig}`);
  assert.equal((await call(tampered.pathname + tampered.search, { headers: { cookie: a.cookie } })).status, 400);
  const counters = await sim(env, "/counters");
  assert.equal(counters.byEndpoint?.["POST /connect/token"] ?? 0, 0, "no code exchanged for a refused state");
  // Alice's own browser still completes.
  assert.equal((await call(path, { headers: { cookie: a.cookie } })).status, 200);
  assert.equal((await call("/connection", { headers: auth(mallory) })).json().status, "not_connected");
});

test("rule C7: org B cannot list or select org A's tenant (two consents by the same Xero user)", async () => {
  const [t1, t2] = [await newTenant(env, "Isolation A Ltd"), await newTenant(env, "Isolation B Ltd")];
  const a = await session(env, { org: "org-iso-a", sub: "u-iso-a", role: "admin" });
  const b = await session(env, { org: "org-iso-b", sub: "u-iso-b", role: "admin" });
  const list = async (t) => (await call("/connections", { headers: auth(t) })).json();
  const select = (t, tenantId) =>
    call("/connections/select", { method: "POST", headers: auth(t, { "content-type": "application/json" }), body: JSON.stringify({ tenantId }) });
  const tenantName = async (t) => {
    await enable(env, t);
    const r = await call("/xero/Organisation", { headers: auth(t) });
    assert.equal(r.status, 200, r.text);
    return r.json().Organisations[0].Name;
  };
  // A connects its organisation; the simulator's /connections now lists it for the app (and the same Xero user).
  assert.equal((await consentFlow(env, a, [t1])).status, 200);
  assert.equal(await tenantName(a), "Isolation A Ltd");
  // B's consent grants only its own: A's organisation is neither listed nor selectable.
  const onlyB = await consentFlow(env, b, [t2]);
  assert.equal(onlyB.status, 200, JSON.stringify(onlyB.body));
  assert.deepEqual((await list(b)).tenants.map((t) => t.tenantId), [t2]);
  const foreign = await select(b, t1);
  assert.equal(foreign.status, 400);
  assert.equal(foreign.json().error.code, "unknown_tenant");
  assert.equal(await tenantName(b), "Isolation B Ltd");
  // The same Xero user ticks A's organisation too: B is still refused it while A holds it.
  assert.equal((await consentFlow(env, b, [t1, t2])).status, 200);
  assert.deepEqual((await list(b)).tenants.map((t) => t.tenantId), [t2]);
  const bound = await select(b, t1);
  assert.equal(bound.status, 409);
  assert.equal(bound.json().error.code, "tenant_bound");
  // A consent of A's organisation alone is refused outright, and B's connection is left as it was.
  const refused = await consentFlow(env, b, [t1]);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, "tenant_bound");
  assert.deepEqual((await list(b)).tenants.map((t) => t.tenantId), [t2]);
  assert.equal(await tenantName(a), "Isolation A Ltd", "A unaffected");
  // Once A disconnects, the organisation is free: B connects to it, and A can no longer take it back.
  assert.equal((await call("/connection/disconnect", { method: "POST", headers: auth(a) })).status, 200);
  assert.equal((await consentFlow(env, b, [t1])).status, 200);
  assert.equal(await tenantName(b), "Isolation A Ltd");
  const back = await consentFlow(env, a, [t1]);
  assert.equal(back.status, 409);
  assert.equal(back.body.error.code, "tenant_bound");
  // B's earlier organisation was released when B moved: A may take that one.
  assert.equal((await consentFlow(env, a, [t2])).status, 200);
  assert.equal(await tenantName(a), "Isolation B Ltd");
});

test("rule B1: webhook signatures: wrong → 401 empty, right → 200 empty", async () => {
  const body = JSON.stringify({ events: [], firstEventSequence: 1, lastEventSequence: 1, entropy: "x" });
  const sign = (key, b) => createHmac("sha256", key).update(b).digest("base64");
  const post = (sig, b = body) => call("/webhooks/xero", { method: "POST", headers: sig ? { "x-xero-signature": sig } : {}, body: b });
  for (const sig of [null, "", sign("wrong-key", body), sign(WEBHOOK_KEY, body + " "), "!!!"]) {
    const r = await post(sig);
    assert.equal(r.status, 401, String(sig));
    assert.equal(r.text, "");
  }
  const ok = await post(sign(WEBHOOK_KEY, body));
  assert.equal(ok.status, 200);
  assert.equal(ok.text, "");
});

test("rule C1: no dev door in a deployment: the session and clock routes need DEV_MODE and every Xero URL on loopback, and its tokens are refused elsewhere; tickets expire", async () => {
  // Inside the demo (this suite's proxy), a dev token works: it says so.
  const devToken = await session(env, { org: "org-dev", sub: "u-dev" });
  assert.equal(JSON.parse(Buffer.from(devToken.split(".")[1], "base64url")).dev, true);
  assert.equal((await call("/connection", { headers: auth(devToken) })).status, 200);
  // A deployment that forgot DEV_MODE=true but talks to the real Xero: no route, and no dev token.
  const prod = await start({ vars: { DEV_MODE: "true", XERO_TOKEN_URL: "https://identity.xero.com/connect/token", CONNECT_TICKET_TTL_SECS: "1" } });
  try {
    for (const base of [prod.base]) {
      const r = await fetch(`${base}/dev/session`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      assert.equal(r.status, 404);
    }
    const claims = { sub: "u-dev", name: "x", role: "admin", org: "org-dev", exp: now() + 600 };
    const refused = await fetch(`${prod.base}/connection`, { headers: auth(signSession({ ...claims, dev: true })) });
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.code, "invalid_session");
    const real = signSession(claims);
    assert.equal((await fetch(`${prod.base}/connection`, { headers: auth(real) })).status, 200);
    // Nor the demo's clock (a bench's way to let a day pass), even with a real session.
    const clock = await fetch(`${prod.base}/dev/clock`, { method: "POST", headers: { ...auth(real), "content-type": "application/json" }, body: '{"advanceMs":86400000}' });
    assert.equal(clock.status, 404);
    // A ticket used after its (here one-second) lifetime.
    const t = await connectTicket(prod, real);
    await new Promise((r) => setTimeout(r, 2100));
    const late = await fetch(t.url, { redirect: "manual", headers: NAVIGATION });
    assert.equal(late.status, 400);
    assert.equal((await late.json()).error.code, "invalid_ticket");
  } finally {
    await prod.stop();
  }
});

// The key id of a TOKEN_ENCRYPTION_KEY, as worker/src/crypto.rs derives it (HKDF-SHA256, its own `info`).
const keyId = (secret) => Buffer.from(hkdfSync("sha256", secret, "xerosync token store", "v2 key id", 8)).toString("hex");
const sealedUnder = (dir, id) => filesUnder(join(dir, "state")).some((f) => readFileSync(f).toString("latin1").includes(`v2.${id}.`));

test("rule C4: key rotation (old blobs open and are sealed again), a lost key still disconnects, and a hung Xero call frees its slot after the timeout", async () => {
  const K2 = "the-second-token-encryption-key-0123456789";
  const K3 = "a-third-key-nobody-configured-0123456789ab";
  const other = await start({ vars: { XERO_TIMEOUT_MS: "700" } });
  try {
    const t = await session(other, { org: "org-keys", sub: "u-keys", role: "admin" });
    await connect(other, t);
    await enable(other, t);
    const org = () => fetch(`${other.base}/xero/Organisation`, { headers: auth(t) });
    assert.equal((await org()).status, 200);
    assert.ok(sealedUnder(other.dir, keyId(ENCRYPTION_KEY)), "sealed under the first key");
    // Rotate: K2 current, the first key previous. The old blob opens, and is sealed again under K2.
    await other.restart({ secrets: { TOKEN_ENCRYPTION_KEY: K2, TOKEN_ENCRYPTION_KEY_PREVIOUS: ENCRYPTION_KEY } });
    assert.equal((await org()).status, 200);
    assert.ok(sealedUnder(other.dir, keyId(K2)), "re-sealed under the new key");
    // The first key retired: everything still opens.
    await other.restart({ secrets: { TOKEN_ENCRYPTION_KEY: K2 } });
    assert.equal((await org()).status, 200);
    // A hung Xero: every call gives up after the timeout, and the slots are free again afterwards.
    // Five calls, the proxy's whole allowance: a sixth would wait for a slot, start once the first five
    // time out, and meet Xero still counting the abandoned five (its concurrent limit, a 429 passed through).
    await sim(other, "/faults", { latencyMs: 2500 });
    const hung = await Promise.all(Array.from({ length: 5 }, () => org().then(async (r) => ({ status: r.status, body: await r.text() }))));
    for (const h of hung) {
      assert.equal(h.status, 504, h.body);
      assert.equal(JSON.parse(h.body).error.code, "upstream_timeout");
    }
    // The simulator still holds the abandoned calls until its latency (from their start) has passed.
    await new Promise((r) => setTimeout(r, 2600));
    await sim(other, "/faults", { latencyMs: 0 });
    const after = await Promise.all(Array.from({ length: 5 }, () => org()));
    assert.deepEqual(after.map((r) => r.status), [200, 200, 200, 200, 200]);
    // A weak key: /health names the failing check, and nothing else works.
    await other.restart({ secrets: { TOKEN_ENCRYPTION_KEY: "too-short" }, healthy: false });
    const health = await (await fetch(`${other.base}/health`)).json();
    assert.equal(health.ok, false);
    assert.match(health.checks.config.failed, /TOKEN_ENCRYPTION_KEY must be at least 32 bytes/);
    assert.equal(health.checks.d1, "ok");
    // A key nobody has any more: the connection cannot be opened (a fixed message), but disconnect still works.
    await other.restart({ secrets: { TOKEN_ENCRYPTION_KEY: K3 } });
    const lost = await fetch(`${other.base}/connection`, { headers: auth(t) });
    assert.equal(lost.status, 500);
    assert.deepEqual((await lost.json()).error, { code: "internal_error", message: "internal error (see the proxy's log)" });
    const gone = await fetch(`${other.base}/connection/disconnect`, { method: "POST", headers: auth(t, { "content-type": "application/json" }), body: "{}" });
    assert.equal(gone.status, 200);
    assert.equal((await (await fetch(`${other.base}/connection`, { headers: auth(t) })).json()).status, "not_connected");
  } finally {
    await other.stop();
  }
});

test("rule L1: the log's CSV defuses formulas from caller-supplied text (CRM references, the action label)", async () => {
  const contacts = (await call("/xero/Contacts", { headers: auth(token) })).json().Contacts;
  // (Xero trims a number's surrounding spaces, so a leading tab is left to csv.rs's unit tests.)
  const refs = ["=1+1", "a;=1", "-5", "x\t=2", "@SUM(A1)\tb"];
  const r = await call("/xero/Invoices?summarizeErrors=false", {
    method: "PUT",
    headers: auth(token, { "content-type": "application/json", "idempotency-key": "sec-csv-1", "x-xerosync-action": "-5" }),
    body: JSON.stringify({ Invoices: refs.map((n) => ({
      Type: "ACCREC", Contact: { ContactID: contacts[0].ContactID }, InvoiceNumber: n, Status: "DRAFT",
      LineItems: [{ Description: "x", Quantity: 1, UnitAmount: 1, AccountCode: "200" }],
    })) }),
  });
  assert.ok(r.status < 500, r.text);
  const action = encodeURIComponent("-5: PUT Invoices");
  const logged = await eventually(async () => {
    const rows = (await call(`/log?action=${action}&pageSize=50`, { headers: auth(token) })).json().rows;
    return rows.length >= 1 + refs.length ? rows : null;
  });
  assert.ok(logged, "the call and its records are logged");
  assert.deepEqual(logged.filter((x) => x.crmRef).map((x) => x.crmRef).sort(), [...refs].sort(), "the refs as written");
  const csv = await fetch(`${env.base}/log?format=csv&action=${action}`, { headers: auth(token) });
  const bytes = Buffer.from(await csv.arrayBuffer());
  seen.push(bytes.toString("utf8"));
  // A UTF-8 BOM, once, at the start; every cell quoted (quotes doubled inside); CRLF line ends.
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.toString("utf8").slice(1);
  assert.ok(!text.includes("\uFEFF"), "one BOM");
  assert.match(text, /^("([^"]|"")*")(,"([^"]|"")*")*\r\n(("([^"]|"")*")(,"([^"]|"")*")*\r\n)*$/, "every cell quoted");
  const rows = parseCsv(text);
  assert.equal(rows.length, 1 + 1 + refs.length);
  const refCells = rows.slice(1).map((row) => row[5]).filter(Boolean).sort();
  assert.deepEqual(refCells, ["'=1+1", "'-5", "'@SUM(A1)\tb", "a;'=1", "x\t'=2"].sort());
  for (const [i, want] of [["'=1+1", `"'=1+1"`], ["a;'=1", `"a;'=1"`], ["'-5", `"'-5"`], ["x\t'=2", `"x\t'=2"`]]) {
    assert.ok(text.includes(`,${want},`), `${JSON.stringify(i)} as ${want}`);
  }
  assert.ok(rows.slice(1).every((row) => row[3] === "'-5: PUT Invoices"), "the action label too");
  // Nothing a spreadsheet would run: no cell starts with a formula character, none follows a separator unguarded.
  for (const cell of rows.flat()) {
    assert.doesNotMatch(cell, /^[=+\-@\t\r]/, JSON.stringify(cell));
    assert.doesNotMatch(cell, /[;,\t\r\n] *[=+\-@]/, JSON.stringify(cell));
  }
});

function filesUnder(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test("tokens never appear in responses, headers, the log, the CSV, the Worker's output or storage at rest", async () => {
  // Make sure there is token activity to leak: relayed calls and a forced refresh.
  await call("/xero/Invoices?page=1", { headers: auth(token) });
  await sim(env, "/clock", { advanceMinutes: 31 });
  const r = await call("/xero/Contacts", { headers: auth(token) });
  assert.equal(r.status, 200, r.text);
  const status = (await call("/connection", { headers: auth(token) })).json();
  assert.ok(status.refreshCount >= 1, "a refresh happened");
  await call("/log?pageSize=500", { headers: auth(token) });
  await call("/log?format=csv", { headers: auth(token) });
  // Access tokens are JWTs as Xero's (their fixed header is the needle); refresh tokens are opaque `sim_rt_…`.
  const jwtHeader = Buffer.from(JSON.stringify({ alg: "RS256", kid: "sim", typ: "JWT" })).toString("base64url");
  const direct = (await sim(env, "/tokens", {})).access_token;
  assert.ok(direct.startsWith(`${jwtHeader}.`), "the needle finds the simulator's access tokens");
  const leaks = new RegExp(`${jwtHeader}|sim_rt_|access_token|refresh_token|Bearer\\s+(sim|eyJ)`);
  for (const s of seen) assert.doesNotMatch(s, leaks);
  assert.doesNotMatch(env.log(), leaks);
  // The Durable Object's storage and D1 on disk: tokens are sealed (AES-GCM), never plain.
  const files = filesUnder(join(env.dir, "state"));
  assert.ok(files.length > 0);
  for (const f of files) {
    const bytes = readFileSync(f).toString("latin1");
    assert.doesNotMatch(bytes, new RegExp(`${jwtHeader}|sim_rt_`), f);
  }
});

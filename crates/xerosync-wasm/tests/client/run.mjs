// Runs the client's wasm-bindgen tests (tests/client.rs) in headless Chromium against the real proxy under
// `wrangler dev` and the Xero simulator: starts both with the Worker's test harness, connects three CRM
// organisations (each to its own simulator organisation, so their rate limits do not mix), opens a CORS relay to
// the simulator for the page (its /_sim/ control API and its Xero API for payments), bakes the URLs and session
// tokens into the test build, runs it, and stops everything (bounded).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { start, session, connect, enable, sim, freePort, root, WEBHOOK_KEY } from "../../../../worker/test/harness.mjs";

// The test page's origin must be allowed by the proxy before it starts, and the port may be taken meanwhile (the
// proxy's own ports are picked after): allow three candidates, then use the first one still free.
const candidates = [];
while (candidates.length < 3) {
  const p = await freePort();
  if (!candidates.includes(p)) candidates.push(p);
}
const env = await start({ vars: { ALLOWED_ORIGINS: candidates.map((p) => `http://127.0.0.1:${p}`).join(",") } });
const bindable = (port) => new Promise((res) => {
  const probe = createServer();
  probe.once("error", () => res(false));
  probe.listen(port, "127.0.0.1", () => probe.close(() => res(true)));
});
let testPort;
for (const p of candidates) {
  if (await bindable(p)) {
    testPort = p;
    break;
  }
}
let relay;
let code = 1;
try {
  // The page may not call the simulator itself (no CORS there): this relay forwards any path and adds CORS.
  relay = createServer(async (req, res) => {
    const cors = {
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, PUT, POST, DELETE, OPTIONS",
      "access-control-allow-headers": "authorization, content-type, xero-tenant-id, accept",
    };
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = {};
    for (const h of ["authorization", "content-type", "xero-tenant-id", "accept"]) {
      if (req.headers[h]) headers[h] = req.headers[h];
    }
    try {
      const r = await fetch(`${env.sim}${req.url}`, {
        method: req.method,
        headers,
        body: ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks),
      });
      res.writeHead(r.status, { ...cors, "content-type": r.headers.get("content-type") || "application/json" });
      res.end(Buffer.from(await r.arrayBuffer()));
    } catch (e) {
      res.writeHead(502, cors).end(String(e));
    }
  });
  if (!testPort) throw new Error(`ports ${candidates.join(", ")} all taken`);
  let relayPort = await freePort();
  while (relayPort === testPort) relayPort = await freePort();
  await new Promise((r) => relay.listen(relayPort, "127.0.0.1", r));

  const orgs = {};
  for (const name of ["basic", "faults", "resume"]) {
    const token = await session(env, { org: `org-client-${name}`, sub: `u-${name}`, name: "Client test", ttlSecs: 86_400 });
    const tenant = await sim(env, "/tenants", { name: `Client ${name} Ltd`, country: "UK" });
    await connect(env, token, { tenants: [tenant.tenantId] });
    // The simulator's consent may grant earlier organisations too: pick this one explicitly (rule C7).
    const picked = await fetch(`${env.base}/connections/select`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ tenantId: tenant.tenantId }),
    });
    if (picked.status !== 200) throw new Error(`select ${name}: ${picked.status} ${await picked.text()}`);
    await enable(env, token);
    orgs[name] = { token, tenant: tenant.tenantId };
  }
  const vars = {
    XEROSYNC_TEST_PROXY: env.base,
    XEROSYNC_TEST_SIM: `http://127.0.0.1:${relayPort}`,
    XEROSYNC_TEST_WEBHOOK_KEY: WEBHOOK_KEY,
  };
  for (const [name, o] of Object.entries(orgs)) {
    vars[`XEROSYNC_TEST_${name.toUpperCase()}_TOKEN`] = o.token;
    vars[`XEROSYNC_TEST_${name.toUpperCase()}_TENANT`] = o.tenant;
  }
  const child = spawn("cargo", ["test", "-p", "xerosync-wasm", "--target", "wasm32-unknown-unknown", "--test", "client", "--locked"], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      ...vars,
      PATH: `${process.env.HOME}/.cargo/bin:${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: "wasm-bindgen-test-runner",
      CHROMEDRIVER: process.env.CHROMEDRIVER || "/usr/bin/chromedriver",
      WASM_BINDGEN_TEST_ADDRESS: `127.0.0.1:${testPort}`,
      WASM_BINDGEN_TEST_TIMEOUT: "600",
    },
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 900_000);
  code = await new Promise((r) => child.on("exit", (c) => r(c ?? 1)));
  clearTimeout(killer);
} catch (e) {
  console.error(e);
  console.error(env.log().slice(-4000));
} finally {
  relay?.close();
  await env.stop();
}
process.exit(code);

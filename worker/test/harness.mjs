// Starts the Xero simulator and the built Worker under `wrangler dev` on free 127.0.0.1 ports, with state in a
// fresh temp dir, and stops both at the end (bounded). Used by every worker test file and by the bench.
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createHmac } from "node:crypto";

const here = dirname(fileURLToPath(import.meta.url));
export const workerDir = resolve(here, "..");
export const root = resolve(workerDir, "..");
const wranglerBin = join(root, "node_modules", ".bin", "wrangler");

export const SESSION_SECRET = "test-session-secret-0123456789abcdef";
export const WEBHOOK_KEY = "test-webhook-key-abcdef";
export const ORIGIN = "http://crm.test:8080";
export const ENCRYPTION_KEY = "test-encryption-key-0123456789abcdef";
export const ISSUER = "http://crm.test:8080";
export const AUDIENCE = "xerosync-proxy-test";
const CLIENT_ID = "xerosync-demo";
const CLIENT_SECRET = "xerosync-demo-secret";

const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1" };

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function simBinary() {
  const candidates = [process.env.XERO_SIM_BIN, join(process.env.CARGO_TARGET_DIR || join(root, "target"), "debug", "xero-sim")];
  const found = candidates.find((p) => p && existsSync(p));
  if (!found) throw new Error(`xero-sim binary not found (tried ${candidates.filter(Boolean).join(", ")}); run scripts/test-worker.sh`);
  return found;
}

/** Starts the simulator on a free port: `{ child, url }` (its process group is killed when this process exits). */
export function startSim(extraArgs = []) {
  return new Promise((res, rej) => {
    const child = spawn(simBinary(), ["--port", "0", "--seed", "demo", "--control", ...extraArgs], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    const timer = setTimeout(() => rej(new Error("xero-sim did not print its URL")), 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        clearTimeout(timer);
        res({ child, url: line.trim() });
      }
    });
    groups.add(child.pid);
    child.on("exit", (code) => rej(new Error(`xero-sim exited with ${code}`)));
  });
}

async function waitFor(url, ms, healthy = true) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok || (!healthy && r.status === 503)) return;
      last = r.status;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} not up after ${ms} ms (${last})`);
}

// Servers run in their own process groups; if this process is told to stop (a timeout, Ctrl-C) or exits, they go too.
const groups = new Set();
function killGroupsNow() {
  for (const pid of groups) {
    try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ }
  }
}
process.once("exit", killGroupsNow);
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) {
  process.once(sig, () => { killGroupsNow(); process.exit(1); });
}

/** Stops a server started here (its process group): SIGTERM, then SIGKILL after 3 s. Also for the bench's workerd. */
export function kill(child) {
  child?.once("exit", () => groups.delete(child.pid));
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => {
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
      res();
    }, 3000);
    child.once("exit", () => { clearTimeout(t); res(); });
    try { process.kill(-child.pid, "SIGTERM"); } catch { clearTimeout(t); res(); }
  });
}

/** The Worker's [vars] for a run against the simulator at `simUrl`, served at `base`; `vars` override. */
export function workerVars(simUrl, base, vars = {}) {
  return {
    XERO_AUTHORIZE_URL: `${simUrl}/identity/connect/authorize`,
    XERO_TOKEN_URL: `${simUrl}/connect/token`,
    XERO_REVOKE_URL: `${simUrl}/connect/revocation`,
    XERO_CONNECTIONS_URL: `${simUrl}/connections`,
    XERO_API_URL: `${simUrl}/api.xro/2.0`,
    XERO_CLIENT_ID: CLIENT_ID,
    XERO_REDIRECT_URI: `${base}/oauth/callback`,
    ALLOWED_ORIGINS: ORIGIN,
    SESSION_ISSUER: ISSUER,
    SESSION_AUDIENCE: AUDIENCE,
    DEV_MODE: "true",
    KEEPALIVE_AFTER_SECS: "604800",
    POLL_OVERLAP_SECS: "300",
    FULL_REREAD_SECS: "604800",
    // Alarms fire in real time under wrangler dev: by default the first poll falls somewhere in 30 days, so tests that
    // are not about the alarm see no background calls. Alarm tests pass small values (seconds).
    POLL_INTERVAL_SECS: "2592000",
    SYNC_CONTINUE_SECS: "1",
    SYNC_RETRY_SECS: "1",
    ...vars,
  };
}

/** The Worker's secrets as a developer's machine has them (`secrets` override). */
export function workerSecrets(secrets = {}) {
  return {
    CRM_SESSION_SECRET: SESSION_SECRET,
    TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY,
    XERO_CLIENT_SECRET: CLIENT_SECRET,
    XERO_WEBHOOK_KEY: WEBHOOK_KEY,
    ...secrets,
  };
}

/**
 * Starts sim + worker. `vars` override the Worker's [vars]. `npm start` (scripts/start.mjs) also passes its own
 * `secrets` ({ CRM_SESSION_SECRET, … }) and `lifetimeMs: null` (no bound: it stops on Ctrl-C).
 */
export async function start({ vars = {}, simArgs = [], secrets = {}, lifetimeMs = 600_000 } = {}) {
  if (!existsSync(join(workerDir, "build", "index.js"))) throw new Error("worker/build/index.js missing: run scripts/build-worker.sh");
  const dir = mkdtempSync(join(tmpdir(), "xerosync-worker-"));
  const sim = await startSim(["--webhook-key", secrets.XERO_WEBHOOK_KEY ?? WEBHOOK_KEY, ...simArgs]);
  const port = await freePort();
  const inspector = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const allVars = workerVars(sim.url, base, vars);
  const toml = [
    `name = "xerosync-proxy-test"`,
    `main = ${JSON.stringify(join(workerDir, "build", "index.js"))}`,
    `compatibility_date = "2025-09-01"`,
    `[[durable_objects.bindings]]`, `name = "CONNECTION"`, `class_name = "Connection"`,
    `[[migrations]]`, `tag = "v1"`, `new_sqlite_classes = ["Connection"]`,
    `[[d1_databases]]`, `binding = "DB"`, `database_name = "xerosync"`,
    `database_id = "00000000-0000-0000-0000-000000000000"`,
    `migrations_dir = ${JSON.stringify(join(workerDir, "migrations"))}`,
    `[triggers]`, `crons = ["*/15 * * * *"]`,
    `[vars]`,
    ...Object.entries(allVars).map(([k, v]) => `${k} = ${JSON.stringify(v)}`),
  ].join("\n");
  const config = join(dir, "wrangler.toml");
  writeFileSync(config, toml);
  // Secrets the way a developer's machine has them: a generated .dev.vars next to the config (never committed).
  const devVars = workerSecrets(secrets);
  writeFileSync(join(dir, ".dev.vars"), Object.entries(devVars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n"));
  let healthy = true;
  const persist = join(dir, "state");
  await promisify(execFile)(wranglerBin, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, "-c", config], {
    env: quietEnv, cwd: dir, timeout: 60_000,
  });
  const devVarsFile = join(dir, ".dev.vars");
  const spawnWorker = async () => {
    const child = spawn(wranglerBin, [
      "dev", "-c", config, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--persist-to", persist, "--show-interactive-dev-session=false", "--log-level", "warn",
    ], { cwd: dir, env: quietEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
    groups.add(child.pid);
    child.stdout.on("data", (d) => { workerLog += d; });
    child.stderr.on("data", (d) => { workerLog += d; });
    try {
      await waitFor(`${base}/health`, 60_000, healthy);
    } catch (e) {
      await kill(child);
      await kill(sim.child);
      throw new Error(`${e.message}\n${workerLog}`);
    }
    return child;
  };
  let workerLog = "";
  let worker = await spawnWorker();
  // Bounded: whatever happens, both servers are gone after 10 minutes.
  const guard = lifetimeMs === null ? null : setTimeout(() => { kill(worker); kill(sim.child); }, lifetimeMs);
  guard?.unref();
  const env = {
    base,
    origin: String(allVars.ALLOWED_ORIGINS).split(",")[0].trim() || ORIGIN,
    get pid() { return worker.pid; },
    sim: sim.url,
    dir,
    log: () => workerLog,
    /**
     * Stops the Worker and starts it again on the same port and state with other secrets (a key rotation, a
     * broken configuration). `healthy: false` accepts a /health that answers 503.
     */
    async restart({ secrets: changed = {}, healthy: ok = true } = {}) {
      await kill(worker);
      const now = { ...devVars, ...changed };
      for (const [k, v] of Object.entries(now)) if (v === undefined) delete now[k];
      writeFileSync(devVarsFile, Object.entries(now).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n"));
      healthy = ok;
      worker = await spawnWorker();
    },
    async stop() {
      clearTimeout(guard);
      await kill(worker);
      await kill(sim.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** Mints a session through the DEV_MODE route. */
export async function session(env, { sub = "u-ann", name = "Ann Finance", role = "finance", org = "org-1", ttlSecs } = {}) {
  const r = await fetch(`${env.base}/dev/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sub, name, role, org, ttlSecs }),
  });
  if (r.status !== 200) throw new Error(`dev/session: ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

/**
 * Signs a session token locally, as a CRM's back end does: `iss`, `aud` and `iat` are filled in unless given
 * (pass `undefined` values to leave one out). For forged, expired and malformed cases.
 */
export function signSession(claims, secret = SESSION_SECRET, alg = "HS256") {
  claims = { iss: ISSUER, aud: AUDIENCE, iat: Math.floor(Date.now() / 1000), ...claims };
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const input = `${b64({ alg, typ: "JWT" })}.${b64(claims)}`;
  const sig = createHmac("sha256", secret).update(input).digest("base64url");
  return `${input}.${sig}`;
}

export function auth(token, extra = {}) {
  return { authorization: `Bearer ${token}`, ...extra };
}

export async function sim(env, path, body, method = body === undefined ? "GET" : "POST") {
  const r = await fetch(`${env.sim}/_sim${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

/** A one-use connect ticket (rule C3): `{ ticket, expiresAt, url }`. */
export async function connectTicket(env, token, ret) {
  const r = await fetch(`${env.base}/oauth/ticket`, {
    method: "POST",
    headers: auth(token, { "content-type": "application/json" }),
    body: JSON.stringify(ret ? { return: ret } : {}),
  });
  if (r.status !== 200) throw new Error(`ticket: ${r.status} ${await r.text()}`);
  return r.json();
}

/** The headers of a browser's top-level navigation from the CRM page to the proxy. */
export const NAVIGATION = { referer: `${ORIGIN}/settings`, "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" };

/** Starts the connect flow (ticket, then the navigation): returns the authorize URL, the binding cookie and the state. */
export async function beginConnect(env, token, ret) {
  const { url } = await connectTicket(env, token, ret);
  // The navigation comes from the proxy's (first) allowed CRM origin.
  const r = await fetch(url, { redirect: "manual", headers: { ...NAVIGATION, referer: `${env.origin ?? ORIGIN}/settings` } });
  if (r.status !== 302) throw new Error(`connect: ${r.status} ${await r.text()}`);
  const location = r.headers.get("location");
  const cookie = (r.headers.get("set-cookie") || "").split(";")[0];
  return { location, cookie, state: new URL(location).searchParams.get("state"), setCookie: r.headers.get("set-cookie") };
}

/** Approves on the simulator's consent page for the given tenants; returns the callback URL Xero redirects to. */
export async function consent(location, tenantIds) {
  const u = new URL(location);
  const form = new URLSearchParams(u.searchParams);
  form.set("decision", "allow");
  for (const t of tenantIds) form.append("tenant", t);
  const r = await fetch(`${u.origin}${u.pathname}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
    redirect: "manual",
  });
  if (r.status < 300 || r.status > 399) throw new Error(`consent: ${r.status} ${await r.text()}`);
  return r.headers.get("location");
}

/** A new, empty Xero organisation in the simulator (a tenant is bound to one CRM organisation: rule C7). */
export async function newTenant(env, name) {
  return (await sim(env, "/tenants", { name, country: "UK" })).tenantId;
}

/** Connect, consent to `tenantIds`, and follow Xero's redirect: the callback's raw answer `{ status, body }`. */
export async function consentFlow(env, token, tenantIds) {
  const { location, cookie } = await beginConnect(env, token);
  const callback = await consent(location, tenantIds);
  const r = await fetch(callback, { headers: { cookie }, redirect: "manual" });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** The whole connect flow for one organisation; returns the chosen tenant. */
export async function connect(env, token, { tenants } = {}) {
  const all = await sim(env, "/tenants");
  const ids = tenants ?? [all[0].tenantId];
  const { location, cookie } = await beginConnect(env, token);
  const callback = await consent(location, ids);
  const r = await fetch(callback, { headers: { cookie }, redirect: "manual" });
  const body = await r.text();
  if (r.status !== 200) throw new Error(`callback: ${r.status} ${body}`);
  return { tenants: ids, callbackBody: JSON.parse(body) };
}

export async function enable(env, token, extra = {}) {
  const r = await fetch(`${env.base}/settings`, {
    method: "PUT",
    headers: auth(token, { "content-type": "application/json" }),
    body: JSON.stringify({ enabled: true, taxMapping: {}, discountStrategy: "auto", autoSend: false, ...extra }),
  });
  if (r.status !== 200) throw new Error(`settings: ${r.status} ${await r.text()}`);
}

export async function tokenCalls(env) {
  const c = await sim(env, "/counters");
  return c.by_endpoint?.["POST /connect/token"] ?? c.byEndpoint?.["POST /connect/token"] ?? 0;
}

/** Runs one SQL statement on the running Worker's local D1 (wrangler d1 execute on the same state); its rows. */
export async function d1(env, sql) {
  const { stdout } = await promisify(execFile)(wranglerBin, [
    "d1", "execute", "DB", "--local", "--persist-to", join(env.dir, "state"), "-c", join(env.dir, "wrangler.toml"),
    "--json", "--command", sql,
  ], { env: quietEnv, cwd: env.dir, timeout: 60_000 });
  return JSON.parse(stdout)[0]?.results ?? [];
}

/** Rows of the organisation's log written by background sync (the alarm's user id is `cron`). */
/** How many log rows the organisation's background sync has written (counted over the log's key paging). */
export async function syncLogTotal(env, token) {
  let n = 0;
  for (let before = null; ;) {
    const q = new URLSearchParams({ user: "cron", pageSize: "500" });
    if (before !== null) q.set("before", String(before));
    const page = await (await fetch(`${env.base}/log?${q}`, { headers: auth(token) })).json();
    n += page.rows.length;
    if (page.nextBefore === null || page.nextBefore === undefined) return n;
    before = page.nextBefore;
  }
}

export async function eventually(fn, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** RFC 4180 CSV text (after an optional BOM) → rows of cells; quoted cells may hold separators, quotes and breaks. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r" && src[i + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    else cell += c;
  }
  if (cell !== "" || row.length) row.push(cell), rows.push(row);
  return rows;
}

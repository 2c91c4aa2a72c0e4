// The built Worker (worker/build) under `workerd serve` itself, as production runs it: no `wrangler dev` proxy,
// no Miniflare. Writes a capnp config into a temp dir: the Worker's modules, the `Connection` Durable Object with
// SQLite storage on local disk, the [vars] and secrets pointing Xero at the simulator (DEV_MODE on for minting a
// session), and the D1 binding `DB`. D1 is not native to plain workerd: as Miniflare does, `DB` is the
// `cloudflare-internal:d1-api` wrapped binding over a `fetcher` service; here that service is a small module
// (D1_MODULE below) serving D1's query protocol from one SQLite-backed Durable Object, with worker/migrations applied
// on first use. Listens on 127.0.0.1 only; everything stops on `stop()`, on exit and on a signal.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync, mkdirSync, symlinkSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { workerDir, root, freePort, startSim, workerVars, workerSecrets, kill, WEBHOOK_KEY } from "../test/harness.mjs";

const workerdBin = join(root, "node_modules", "workerd", "bin", "workerd");

// D1's wire protocol as `cloudflare-internal:d1-api` speaks it (the same Miniflare's D1 plugin serves):
// POST /query or /execute?resultsFormat=…, a body of one `{ sql, params }` or a list of them, run in one transaction;
// the answer is a list of `{ success, results, meta }`, or `{ success: false, error }`.
const D1_MODULE = (migrations) => `
import { DurableObject } from "cloudflare:workers";
const MIGRATIONS = ${JSON.stringify(migrations)};
export class D1Database extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS d1_migrations (name TEXT PRIMARY KEY)");
    const done = new Set(sql.exec("SELECT name FROM d1_migrations").toArray().map((r) => r.name));
    for (const [name, text] of MIGRATIONS) {
      if (done.has(name)) continue;
      ctx.storage.transactionSync(() => {
        sql.exec(text);
        sql.exec("INSERT INTO d1_migrations (name) VALUES (?)", name);
      });
    }
  }
  async fetch(req) {
    const format = new URL(req.url).searchParams.get("resultsFormat") ?? "ARRAY_OF_OBJECTS";
    let queries = await req.json();
    if (!Array.isArray(queries)) queries = [queries];
    queries = queries.filter((q) => q.sql.replace(/^\\s+--.*/gm, "").trim().length > 0);
    const sql = this.ctx.storage.sql;
    const one = (q) => {
      const params = (q.params ?? []).map((p) => (Array.isArray(p) ? new Uint8Array(p).buffer : p));
      const before = sql.exec("SELECT total_changes() AS c").one().c;
      const t0 = performance.now();
      const cursor = sql.exec(q.sql, ...params);
      const columns = cursor.columnNames;
      const rows = [...cursor.raw()].map((row) => row.map((v) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v)));
      const { c: after, id } = sql.exec("SELECT total_changes() AS c, last_insert_rowid() AS id").one();
      const results = format === "ROWS_AND_COLUMNS" ? { columns, rows }
        : format === "NONE" ? [] : rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
      return { success: true, results, meta: { served_by: "xerosync-bench-d1", duration: performance.now() - t0,
        changes: after - before, last_row_id: id, changed_db: after !== before, size_after: sql.databaseSize,
        rows_read: cursor.rowsRead, rows_written: cursor.rowsWritten } };
    };
    try {
      if (queries.length === 0) throw new Error("No SQL statements detected.");
      return Response.json(this.ctx.storage.transactionSync(() => queries.map(one)));
    } catch (e) {
      return Response.json({ success: false, error: String(e?.message ?? e) });
    }
  }
}
export default {
  fetch(req, env) {
    return env.DATABASE.get(env.DATABASE.idFromName("xerosync")).fetch(req);
  },
};
`;

const capnpText = (s) => JSON.stringify(String(s));

function config({ port, dir, vars, secrets }) {
  const bindings = [
    ...Object.entries({ ...vars, ...secrets }).map(([k, v]) => `(name = ${capnpText(k)}, text = ${capnpText(v)})`),
    `(name = "CONNECTION", durableObjectNamespace = "Connection")`,
    `(name = "DB", wrapped = (moduleName = "cloudflare-internal:d1-api", innerBindings = [(name = "fetcher", service = "d1")]))`,
  ];
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .proxy),
    (name = "d1", worker = .d1),
    (name = "proxy-state", disk = (path = ${capnpText(join(dir, "state", "proxy"))}, writable = true)),
    (name = "d1-state", disk = (path = ${capnpText(join(dir, "state", "d1"))}, writable = true)),
    (name = "internet", network = (allow = ["public", "private"])),
  ],
  sockets = [(name = "http", address = ${capnpText(`127.0.0.1:${port}`)}, http = (), service = "main")],
);
const proxy :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "worker/index.js"),
    (name = "index_bg.wasm", wasm = embed "worker/index_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  bindings = [
    ${bindings.join(",\n    ")}
  ],
  durableObjectNamespaces = [(className = "Connection", uniqueKey = "xerosync-proxy-Connection", enableSql = true)],
  durableObjectStorage = (localDisk = "proxy-state"),
  globalOutbound = "internet",
);
const d1 :Workerd.Worker = (
  modules = [(name = "d1.js", esModule = embed "d1.js")],
  compatibilityDate = "2025-09-01",
  bindings = [(name = "DATABASE", durableObjectNamespace = "D1Database")],
  durableObjectNamespaces = [(className = "D1Database", uniqueKey = "xerosync-bench-D1Database", enableSql = true)],
  durableObjectStorage = (localDisk = "d1-state"),
);
`;
}

const children = new Set();
const killAll = () => {
  for (const pid of children) {
    try { process.kill(-pid, "SIGKILL"); } catch { /* gone */ }
  }
};
process.once("exit", killAll);

async function waitUp(url, ms, child, log) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not up after ${ms} ms:\n${log()}`);
}

/**
 * Starts the simulator and the built Worker under `workerd serve`; the same shape as the harness's `start()`
 * (`base`, `sim`, `pid`, `log()`, `stop()`), so the harness's helpers (session, connect, enable, sim) work on it.
 * `args` go to `workerd serve` (e.g. `--inspector-addr=127.0.0.1:9229` for a CPU profile).
 * `build` is the built Worker's directory (default worker/build; BENCH_WORKER_BUILD to compare another build).
 */
export async function startWorkerd({ vars = {}, secrets = {}, args = [], build = process.env.BENCH_WORKER_BUILD || join(workerDir, "build") } = {}) {
  if (!existsSync(join(build, "index.js"))) throw new Error(`${build}/index.js missing: run scripts/build-worker.sh`);
  const dir = mkdtempSync(join(tmpdir(), "xerosync-workerd-"));
  let sim;
  let child;
  let log = "";
  try {
    const allSecrets = workerSecrets(secrets);
    sim = await startSim(["--webhook-key", allSecrets.XERO_WEBHOOK_KEY ?? WEBHOOK_KEY]);
    children.add(sim.child.pid);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    mkdirSync(join(dir, "state", "proxy"), { recursive: true });
    mkdirSync(join(dir, "state", "d1"), { recursive: true });
    symlinkSync(resolve(build), join(dir, "worker"));
    const migrationsDir = join(workerDir, "migrations");
    const migrations = readdirSync(migrationsDir).filter((f) => f.endsWith(".sql")).sort()
      .map((f) => [f, readFileSync(join(migrationsDir, f), "utf8")]);
    writeFileSync(join(dir, "d1.js"), D1_MODULE(migrations));
    writeFileSync(join(dir, "config.capnp"), config({ port, dir, vars: workerVars(sim.url, base, vars), secrets: allSecrets }));
    child = spawn(workerdBin, ["serve", join(dir, "config.capnp"), "--experimental", ...args], {
      cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    children.add(child.pid);
    child.stdout.on("data", (d) => { log += d; });
    child.stderr.on("data", (d) => { log += d; });
    await waitUp(`${base}/health`, 30_000, child, () => log);
    return {
      base,
      origin: vars.ALLOWED_ORIGINS ?? workerVars("", "").ALLOWED_ORIGINS,
      sim: sim.url,
      dir,
      pid: child.pid,
      simPid: sim.child.pid,
      log: () => log,
      async stop() {
        await kill(child);
        await kill(sim.child);
        children.delete(child.pid);
        children.delete(sim.child.pid);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await kill(child);
    await kill(sim?.child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

// The runtime's floor: a plain JS Worker making only the hops the relay makes (into a Durable Object with SQLite
// storage, from there one outbound fetch passing the answer's bytes back), under the same workerd and config shape.
const FLOOR_MODULE = `
import { DurableObject } from "cloudflare:workers";
export class Hop extends DurableObject {
  async fetch(req) {
    const to = new URL(req.url).searchParams.get("to");
    const r = await fetch(to, { headers: { authorization: req.headers.get("authorization"), "xero-tenant-id": req.headers.get("xero-tenant-id") } });
    return new Response(await r.arrayBuffer(), { status: r.status, headers: { "content-type": r.headers.get("content-type") ?? "" } });
  }
}
export default {
  async fetch(req, env) {
    if (!new URL(req.url).searchParams.has("to")) return new Response("ok");
    const stub = env.HOP.get(env.HOP.idFromName("floor"));
    const r = await stub.fetch(new Request("https://hop/" + new URL(req.url).search, { headers: req.headers }));
    return new Response(await r.arrayBuffer(), r);
  },
};
`;

/** Starts the floor Worker (FLOOR_MODULE): GET `${base}/?to=<url>` relays one GET through a Durable Object; `/` answers ok. */
export async function startFloor() {
  const dir = mkdtempSync(join(tmpdir(), "xerosync-floor-"));
  let child;
  let log = "";
  try {
    mkdirSync(join(dir, "state"));
    const port = await freePort();
    writeFileSync(join(dir, "floor.js"), FLOOR_MODULE);
    writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .floor),
    (name = "state", disk = (path = ${capnpText(join(dir, "state"))}, writable = true)),
    (name = "internet", network = (allow = ["public", "private"])),
  ],
  sockets = [(name = "http", address = ${capnpText(`127.0.0.1:${port}`)}, http = (), service = "main")],
);
const floor :Workerd.Worker = (
  modules = [(name = "floor.js", esModule = embed "floor.js")],
  compatibilityDate = "2025-09-01",
  bindings = [(name = "HOP", durableObjectNamespace = "Hop")],
  durableObjectNamespaces = [(className = "Hop", uniqueKey = "xerosync-bench-floor", enableSql = true)],
  durableObjectStorage = (localDisk = "state"),
  globalOutbound = "internet",
);
`);
    child = spawn(workerdBin, ["serve", join(dir, "config.capnp")], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: true });
    children.add(child.pid);
    child.stdout.on("data", (d) => { log += d; });
    child.stderr.on("data", (d) => { log += d; });
    const base = `http://127.0.0.1:${port}`;
    await waitUp(`${base}/`, 30_000, child, () => log);
    return {
      base,
      async stop() {
        await kill(child);
        children.delete(child.pid);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await kill(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

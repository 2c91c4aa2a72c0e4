// The bundler matrix (issue 12, "Any bundler"): the tiny app of tests/bundlers/app, which imports "xerosync" as any
// app does, is built with Vite (production build and dev server), esbuild and webpack 5 with the configs beside this
// file, and each result is loaded in Debian's headless Chromium, where it must preview the invoice of a shared
// fixture exactly as the fixture expects and construct a XeroClient. Also: the escape hatch (xerosync/manual and
// init({ wasm }) fed the URL of the package's xerosync/xerosync_bg.wasm export, built by esbuild) and the same calls
// inside a Cloudflare Worker under `wrangler dev` (the package's `workerd` condition). And a preview-only page built by
// Vite from `xerosync/core`, which must load the core's smaller wasm and nothing else.
//
// The package is installed into a temporary project as a copy of what it publishes (package.json "files"), not as
// the workspace's symlink: Vite treats a linked package as source and would not pre-bundle it, which is exactly the
// case that breaks wasm-bindgen's `new URL("xerosync_bg.wasm", import.meta.url)`. Every server listens on 127.0.0.1,
// and all of them, the temporary project and the browser are gone when this script ends (a watchdog ends it after
// 150 s whatever happens). Needs the package built (scripts/build-wasm.sh) and /usr/bin/chromium (scripts/setup.sh).
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { chromium } from "playwright-core";
import * as esbuild from "esbuild";
import { build as viteBuild, createServer as viteServer } from "vite";
import webpack from "webpack";
import viteConfig from "./vite.config.mjs";
import * as esbuildConfig from "./esbuild.config.mjs";
import webpackConfig from "./webpack.config.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");
const packageDir = join(repoRoot, "crates", "xerosync-wasm");
const FIXTURE = "preview-total-differs-from-crm.json";
const CHROMIUM = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", FORCE_COLOR: "0" };

const t0 = Date.now();
const since = (t) => `${((Date.now() - t) / 1000).toFixed(1)}s`;
const cleanups = [];
let work;
let wrangler;

function killWrangler() {
  if (wrangler && wrangler.exitCode === null) {
    try { process.kill(-wrangler.pid, "SIGKILL"); } catch { /* gone */ }
  }
}
process.once("exit", () => {
  killWrangler();
  if (work) rmSync(work, { recursive: true, force: true });
});
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.once(sig, () => process.exit(1));
setTimeout(() => {
  console.error("bundlers: watchdog: still running after 150 s, stopping");
  process.exit(1);
}, 150_000).unref();

function freePort() {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** A temporary project: the app, the fixture, and the package as `npm install` would lay it out. */
function makeProject() {
  const wasm = join(packageDir, "pkg", "web", "xerosync_bg.wasm");
  if (!existsSync(wasm)) throw new Error(`${wasm} missing: run scripts/build-wasm.sh`);
  const root = mkdtempSync(join(tmpdir(), "xerosync-bundlers-"));
  cpSync(join(here, "app"), root, { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "bundler-app", private: true, type: "module" }));
  cpSync(join(repoRoot, "tests", "fixtures", "core", FIXTURE), join(root, "fixture.json"));
  const installed = join(root, "node_modules", "xerosync");
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  for (const file of ["package.json", ...pkg.files]) cpSync(join(packageDir, file), join(installed, file), { recursive: true });
  return root;
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** A static server of a build's output folder, on 127.0.0.1 at a free port. */
function serveStatic(dir) {
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path.endsWith("/")) path += "index.html";
    if (path.includes("..")) return res.writeHead(404).end();
    try {
      const body = readFileSync(join(dir, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((res) => server.listen(0, "127.0.0.1", () => {
    cleanups.push(() => new Promise((done) => server.close(done)));
    res(`http://127.0.0.1:${server.address().port}/`);
  }));
}

function webpackBuild(config) {
  return new Promise((res, rej) => webpack(config, (err, stats) => {
    if (err) return rej(err);
    if (stats.hasErrors()) return rej(new Error(stats.toString("errors-only")));
    // webpack's size hints (the wasm is over its 244 KiB advice) are advice, not a problem of the build.
    const warnings = stats.compilation.warnings.filter((w) => !/AssetsOverSizeLimit|EntrypointsOverSizeLimit|NoAsyncChunks/.test(w.name));
    res(warnings.map((w) => w.message).join("\n"));
  }));
}

/**
 * Builds every target, each on its own (one failing does not stop the others): [{ name, url | error, buildTime }].
 */
async function buildAll(root) {
  const out = (name) => join(root, "dist", name);
  const page = (name) => cpSync(join(root, "index.html"), join(out(name), "index.html"));
  const builds = [
    ["vite build", async () => {
      await viteBuild(viteConfig({ root, outDir: out("vite") }));
      return serveStatic(out("vite"));
    }],
    ["vite build, xerosync/core (a preview-only page)", async () => {
      await viteBuild(viteConfig({ root, outDir: out("vite-core"), page: "core.html" }));
      return `${await serveStatic(out("vite-core"))}core.html`;
    }],
    ["vite dev server", async () => {
      const port = await freePort();
      const dev = await viteServer(viteConfig({ root, outDir: out("vite-dev"), port }));
      cleanups.push(() => dev.close());
      await dev.listen();
      return `http://127.0.0.1:${port}/`;
    }],
    ["esbuild", async () => {
      await esbuild.build(esbuildConfig.main({ root, outDir: out("esbuild") }));
      page("esbuild");
      return serveStatic(out("esbuild"));
    }],
    ["esbuild, xerosync/manual + init({ wasm })", async () => {
      await esbuild.build(esbuildConfig.manual({ root, outDir: out("esbuild-manual") }));
      page("esbuild-manual");
      return serveStatic(out("esbuild-manual"));
    }],
    ["webpack", async () => {
      const warnings = await webpackBuild(webpackConfig({ root, outDir: out("webpack") }));
      if (warnings) console.log(`webpack warnings:\n${warnings}`);
      page("webpack");
      return serveStatic(out("webpack"));
    }],
  ];
  const targets = [];
  for (const [name, build] of builds) {
    const t = Date.now();
    try {
      targets.push({ name, url: await build(), buildTime: since(t) });
    } catch (e) {
      targets.push({ name, error: `build failed: ${e.message}` });
    }
  }
  return targets;
}

/** Starts `wrangler dev` on the project's worker.js (while the bundlers build); answers its base URL. */
async function startWrangler(root) {
  const port = await freePort();
  const inspector = await freePort();
  const bin = join(repoRoot, "node_modules", ".bin", "wrangler");
  wrangler = spawn(bin, [
    "dev", "-c", join(root, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-port", String(inspector), "--persist-to", join(root, ".wrangler-state"),
    "--show-interactive-dev-session=false", "--log-level", "warn",
  ], { cwd: root, env: quietEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  wrangler.stdout.on("data", (d) => { log += d; });
  wrangler.stderr.on("data", (d) => { log += d; });
  return { url: `http://127.0.0.1:${port}/`, log: () => log };
}

async function askWorker({ url, log }) {
  const end = Date.now() + 60_000;
  let last;
  while (Date.now() < end) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited (${wrangler.exitCode}):\n${log()}`);
    try {
      const r = await fetch(url);
      const text = await r.text();
      if (r.ok) return JSON.parse(text);
      last = `${r.status} ${text.slice(0, 500)}`;
      if (r.status === 500) break; // the Worker threw (502, 503: still starting)
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the Worker did not answer (${last}):\n${log()}`);
}

/** Opens the page and waits for the app's outcome; page errors and failed requests are the diagnosis. */
async function runPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  let failed;
  const pageError = new Promise((_, reject) => { failed = reject; });
  pageError.catch(() => {});
  page.on("pageerror", (e) => {
    problems.push(`page error: ${e.message}`);
    failed(new Error("the page threw"));
  });
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  const loaded = [];
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    else if (/\.(wasm|js)$/.test(new URL(r.url()).pathname)) loaded.push(new URL(r.url()).pathname);
  });
  try {
    await page.goto(url);
    await Promise.race([page.waitForFunction(() => window.__xerosync, null, { timeout: 15_000 }), pageError]);
    return { ...(await page.evaluate(() => window.__xerosync)), loaded };
  } catch (e) {
    throw new Error(`${e.message.split("\n")[0]}\n  ${problems.join("\n  ") || "(no page error)"}`);
  } finally {
    await page.close();
  }
}

function check(result, expect) {
  if (!isDeepStrictEqual(result.preview, expect)) {
    throw new Error(`previewInvoice gave ${JSON.stringify(result.preview)}, the fixture expects ${JSON.stringify(expect)}`);
  }
  if (result.client === "none") {
    // The preview-only page: it must have loaded the core's wasm, and only that.
    const core = statSync(join(packageDir, "pkg", "core-web", "xerosync_bg.wasm")).size;
    if (!isDeepStrictEqual(result.wasmBytes, [core])) throw new Error(`loaded wasm of ${result.wasmBytes} bytes, the core's is ${core}`);
    return;
  }
  if (result.client !== true) throw new Error("new XeroClient(...) did not make a XeroClient");
}

async function main() {
  if (!CHROMIUM) throw new Error("chromium is not installed (scripts/setup.sh installs it)");
  const { expect } = JSON.parse(readFileSync(join(repoRoot, "tests", "fixtures", "core", FIXTURE), "utf8"));
  work = makeProject();
  const worker = await startWrangler(work);
  const targets = await buildAll(work);
  const failures = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  cleanups.push(() => browser.close());
  for (const { name, url, buildTime, error } of targets) {
    const t = Date.now();
    try {
      if (error) throw new Error(error);
      const result = await runPage(browser, url);
      check(result, expect);
      console.log(`ok   ${name} (build ${buildTime}, page ${since(t)}; loaded ${result.loaded.join(", ") || "?"})`);
    } catch (e) {
      failures.push(name);
      console.log(`FAIL ${name}: ${e.message}`);
    }
  }
  const t = Date.now();
  try {
    check(await askWorker(worker), expect);
    console.log(`ok   Cloudflare Worker under wrangler dev (answered ${since(t)} after the browser checks)`);
  } catch (e) {
    failures.push("wrangler dev");
    console.log(`FAIL Cloudflare Worker under wrangler dev: ${e.message}`);
  }
  return failures;
}

let failures;
try {
  failures = await main();
} catch (e) {
  console.error(e);
  failures = ["setup"];
} finally {
  killWrangler();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
console.log(`bundlers: ${failures.length ? `${failures.length} failed (${failures.join(", ")})` : "all passed"} in ${since(t0)}`);
process.exit(failures.length ? 1 : 0);

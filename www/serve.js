#!/usr/bin/env node
// A small static server for the CRM page, and the demo CRM's "back end": www/ at /, the xerosync package
// (node_modules/xerosync, a workspace link to crates/xerosync-wasm) under /vendor/xerosync/, its browser entry at
// /vendor/xerosync.js (the import map's target), /config.json (the proxy URL, from XEROSYNC_PROXY_URL), and
// `POST /session`: the session token of a CRM user for the proxy, minted server-side as a CRM's back end would (here
// through the proxy's DEV_MODE route `POST /dev/session`; a real CRM signs it with the shared secret). The page
// never mints a session itself, and never calls the proxy except through the package's XeroClient. Listens on
// 127.0.0.1 only.
//   node www/serve.js [--port 8080]            (prints the URL)
//   import { startStaticServer } from "./serve.js"   (the e2e tests: free port, closed by the test)

import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEMO_USERS } from "./src/demo-data.js";

const WWW = path.dirname(fileURLToPath(import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ts": "text/plain; charset=utf-8",
};

/** Where the xerosync package lives, resolved like Node resolves it from www/ (the workspace link). */
async function packageDir() {
  const require = createRequire(path.join(WWW, "package.json"));
  try {
    return path.dirname(require.resolve("xerosync/package.json"));
  } catch {
    // Packages whose `exports` hide package.json: fall back to the workspace link itself.
    return path.join(WWW, "..", "node_modules", "xerosync");
  }
}

/** The package's browser entry (relative to its folder), from `exports` conditions, then `browser`/`module`/`main`. */
export function browserEntry(pkg) {
  const pickCondition = (target) => {
    if (typeof target === "string") return target;
    if (!target || typeof target !== "object") return null;
    for (const condition of ["browser", "import", "module", "default"]) {
      const found = pickCondition(target[condition]);
      if (found) return found;
    }
    return null;
  };
  const root = pkg.exports && typeof pkg.exports === "object" && "." in pkg.exports ? pkg.exports["."] : pkg.exports;
  return pickCondition(root) ?? (typeof pkg.browser === "string" ? pkg.browser : null) ?? pkg.module ?? pkg.main ?? null;
}

/** Resolves `urlPath` inside `base`, refusing anything that escapes it. */
function inside(base, urlPath) {
  const resolved = path.resolve(base, `.${path.posix.normalize(`/${urlPath}`)}`);
  return resolved === base || resolved.startsWith(`${base}${path.sep}`) ? resolved : null;
}

async function sendFile(response, file) {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  response.writeHead(200, {
    "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
    "content-length": info.size,
    "cache-control": "no-store",
  });
  createReadStream(file).pipe(response);
  return true;
}

function fail(response, status, message) {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  response.end(message);
}

function json(response, status, body) {
  response.writeHead(status, { "content-type": TYPES[".json"], "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}

/** The CRM organisation of the demo: every demo user belongs to it. */
export const DEMO_ORG = "brightwater";

async function readJson(request) {
  let text = "";
  for await (const chunk of request) {
    text += chunk;
    if (text.length > 10_000) throw new Error("body too large");
  }
  return JSON.parse(text || "null");
}

/**
 * `POST /session` with the CRM user `{ id, name, role }`: a session for the proxy, `{ token, expiresAt }`. The
 * demo's users are the CRM's own (DEMO_USERS): an unknown id is refused, and the name and role are the CRM's, not
 * what the page said. The proxy's DEV_MODE route mints it (only there, server-side: the page never sees the route).
 * A request whose Host is not `127.0.0.1:<port>` or `localhost:<port>` is refused (DNS rebinding).
 */
async function mintSession(request, response, proxyUrl, fetchImpl, port) {
  // Only for a page loaded from this server by its loopback name: a site whose DNS name is rebound to 127.0.0.1
  // (its own name in the Host header) must not mint an admin session for the demo's users.
  const host = String(request.headers.host ?? "").toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return json(response, 403, { error: { code: "forbidden_host", message: `open the CRM at http://127.0.0.1:${port} or http://localhost:${port}` } });
  }
  if (request.method !== "POST") return json(response, 405, { error: { code: "method_not_allowed", message: "POST /session" } });
  // A JSON body only: a cross-site form cannot send one without the browser asking first (CORS, which this refuses).
  if (!/^application\/json\b/.test(request.headers["content-type"] ?? "")) return json(response, 415, { error: { code: "unsupported_media_type", message: "send the user as JSON" } });
  if (!proxyUrl) return json(response, 503, { error: { code: "no_proxy", message: "no xerosync proxy is configured for this CRM" } });
  const asked = await readJson(request).catch(() => null);
  const user = DEMO_USERS.find((candidate) => candidate.id === asked?.id);
  if (!user) return json(response, 403, { error: { code: "unknown_user", message: "this CRM has no such user" } });
  let answer;
  try {
    answer = await fetchImpl(`${proxyUrl.replace(/\/+$/, "")}/dev/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sub: user.id, name: user.name, role: user.role, org: DEMO_ORG }),
    });
  } catch (error) {
    return json(response, 502, { error: { code: "proxy_unreachable", message: `the xerosync proxy cannot be reached (${error.message})` } });
  }
  const body = await answer.json().catch(() => null);
  if (!answer.ok || typeof body?.token !== "string") {
    return json(response, 502, { error: { code: body?.error?.code ?? "session_refused", message: body?.error?.message ?? `the proxy refused the session (HTTP ${answer.status})` } });
  }
  return json(response, 200, { token: body.token, expiresAt: body.expiresAt });
}

/**
 * Options: `port` (0 = a free one), `proxyUrl` for the page's config and its sessions, `pkgDir` to serve another
 * package folder, `fetchImpl` for the session route's call to the proxy (tests).
 */
export async function startStaticServer({ port = 0, host = "127.0.0.1", proxyUrl = process.env.XEROSYNC_PROXY_URL ?? null, pkgDir: pkgDirOption, fetchImpl = globalThis.fetch } = {}) {
  const pkgDir = pkgDirOption ?? (await packageDir());
  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url, "http://localhost");
      const pathname = decodeURIComponent(url.pathname);
      if (pathname === "/config.json") {
        response.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" });
        return response.end(JSON.stringify({ proxyUrl }));
      }
      if (pathname === "/session") return await mintSession(request, response, proxyUrl, fetchImpl, server.address().port);
      if (pathname === "/vendor/xerosync.js") {
        const pkg = JSON.parse(await readFile(path.join(pkgDir, "package.json"), "utf8").catch(() => "{}"));
        const entry = browserEntry(pkg);
        if (!entry || !(await stat(path.join(pkgDir, entry)).catch(() => null))) {
          return fail(response, 503, `The xerosync package has no browser build yet (looked in ${pkgDir}); run: bash scripts/build-wasm.sh`);
        }
        // A redirect, so the module's own URL (and its relative .wasm) is the file's real place in the package.
        response.writeHead(302, { location: `/vendor/xerosync/${path.posix.normalize(entry).replace(/^\.\//, "")}`, "cache-control": "no-store" });
        return response.end();
      }
      if (pathname.startsWith("/vendor/xerosync/")) {
        const file = inside(pkgDir, pathname.slice("/vendor/xerosync/".length));
        if (file && (await sendFile(response, file))) return;
        return fail(response, 404, "not found");
      }
      const file = inside(WWW, pathname === "/" ? "index.html" : pathname);
      if (file && !file.startsWith(path.join(WWW, "node_modules")) && (await sendFile(response, file))) return;
      return fail(response, 404, "not found");
    } catch (error) {
      return fail(response, 500, error.message);
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const close = () => new Promise((resolve) => server.close(() => resolve()).closeAllConnections());
  return { url: `http://${host}:${address.port}`, server, close };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const portArg = process.argv.indexOf("--port");
  const { url } = await startStaticServer({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0 });
  console.log(url);
}

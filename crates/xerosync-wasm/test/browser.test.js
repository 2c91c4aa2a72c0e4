// The browser entry in Debian's headless Chromium (installed by scripts/setup.sh): a plain <script type="module">
// importing "xerosync" through an import map (as the README shows), running every shared fixture. The page is served
// from 127.0.0.1 by this test and the server stops with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fixturesDir, loadFixtures, repoRoot } from "./helpers.js";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
const SERVED = ["/crates/xerosync-wasm/", "/tests/fixtures/core/"];
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

function serve() {
  const names = loadFixtures().map((f) => f.name);
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path === "/fixtures.json") return res.writeHead(200, { "content-type": TYPES[".json"] }).end(JSON.stringify(names));
    if (!SERVED.some((prefix) => path.startsWith(prefix)) || path.includes("..")) return res.writeHead(404).end();
    try {
      const body = readFileSync(join(repoRoot, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("a plain <script type=module> imports the package and passes every fixture", { timeout: 90_000 }, async () => {
  assert.ok(CHROMIUM, "chromium is not installed (scripts/setup.sh installs it)");
  assert.ok(existsSync(fixturesDir));
  const server = await serve();
  try {
    const url = `http://127.0.0.1:${server.address().port}/crates/xerosync-wasm/test/browser/index.html`;
    const args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--virtual-time-budget=30000",
      "--dump-dom", url];
    const dom = await new Promise((resolve, reject) =>
      execFile(CHROMIUM, args, { timeout: 80_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    );
    const line = dom.match(/RESULT ([^<]*)/);
    assert.ok(line, `the page did not finish:\n${dom.slice(0, 2000)}`);
    const result = JSON.parse(line[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
    assert.deepEqual(result.failed, []);
    assert.equal(result.passed, loadFixtures().length);
  } finally {
    server.close();
  }
});

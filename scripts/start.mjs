#!/usr/bin/env node
// The second half of `npm start` (scripts/start.sh builds first): starts the Xero simulator with the demo
// organisations (and the lived-in one's data) and its control API, the proxy Worker under `wrangler dev` pointed at it (DEV_MODE on, for the
// demo's session route), and the CRM page configured with the proxy's URL, all on 127.0.0.1. Prints one URL.
// Ctrl-C (or SIGTERM/SIGHUP) stops all three; nothing is left running.
//
// The simulator and the proxy are started by the Worker tests' own harness (worker/test/harness.mjs), so the demo
// and the tests run the proxy the same way. What differs here: the proxy's secrets are generated once per machine
// into target/demo/.dev.vars (gitignored, never committed), there is no lifetime bound, and the simulator's
// webhooks are subscribed to the proxy so a payment made in the simulator reaches the page (rule B1).
//   node scripts/start.mjs [--port 8080]     (the page's port; a free one when 8080 is taken)

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { start as startProxyAndSim } from "../worker/test/harness.mjs";
import { startStaticServer } from "../www/serve.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SECRETS_FILE = path.join(ROOT, "target", "demo", ".dev.vars");
// The simulator's built-in OAuth app is xerosync-demo / xerosync-demo-secret: the harness configures that client.
const GENERATED = ["CRM_SESSION_SECRET", "TOKEN_ENCRYPTION_KEY", "XERO_WEBHOOK_KEY"];

/** The demo's secrets: read from target/demo/.dev.vars, generating what is missing (32 random bytes each). */
export function demoSecrets(file = SECRETS_FILE) {
  const secrets = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (match) secrets[match[1]] = JSON.parse(match[2]);
    }
  }
  const missing = GENERATED.filter((name) => !secrets[name]);
  if (missing.length > 0) {
    for (const name of missing) secrets[name] = randomBytes(32).toString("base64url");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Object.entries(secrets).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n") + "\n", { mode: 0o600 });
  }
  return Object.fromEntries(GENERATED.map((name) => [name, secrets[name]]));
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function pagePort() {
  const asked = process.argv.indexOf("--port");
  const wanted = asked > 0 ? Number(process.argv[asked + 1]) : Number(process.env.PORT ?? 8080);
  if (await portIsFree(wanted)) return wanted;
  if (asked > 0) throw new Error(`port ${wanted} is taken`);
  return 0; // a free one
}

async function main() {
  const secrets = demoSecrets();
  let port = await pagePort();
  if (port === 0) {
    // The proxy must know the page's origin (CORS) before it starts: reserve a free port for the page first.
    const { freePort } = await import("../worker/test/harness.mjs");
    port = await freePort();
  }
  const origin = `http://127.0.0.1:${port}`;
  // `--seed lived-in` adds Lived-in Ltd (UK)'s data to the harness's `--seed demo` (the flags add up): a fourth
  // organisation to pick, with years of customers, some of them colliding with the CRM's companies (rule S3a).
  const stack = await startProxyAndSim({
    secrets,
    lifetimeMs: null,
    simArgs: ["--seed", "lived-in"],
    vars: { ALLOWED_ORIGINS: `${origin},http://localhost:${port}` },
  });
  let page = null;
  let stopping = null;
  const stop = (reason) => {
    stopping ??= (async () => {
      await Promise.allSettled([page?.close(), stack.stop()]);
      process.exit(reason === "failed" ? 1 : 0);
    })();
    return stopping;
  };
  // The harness also stops its servers on these signals (and exits at once), so the message goes first and the
  // state dir is removed on any exit.
  process.on("exit", () => rmSync(stack.dir, { recursive: true, force: true }));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.prependListener(signal, () => process.stderr.write(`\n[start] stopping (${signal})\n`));
    process.on(signal, () => stop(signal));
  }
  try {
    // Rule B1: the simulator posts signed webhooks to the proxy (it checks intent-to-receive first).
    const subscribed = await fetch(`${stack.sim}/_sim/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${stack.base}/webhooks/xero`, key: secrets.XERO_WEBHOOK_KEY }),
    });
    if (!subscribed.ok) throw new Error(`webhook subscription: ${subscribed.status} ${await subscribed.text()}`);
    page = await startStaticServer({ port, proxyUrl: stack.base });
  } catch (error) {
    process.stderr.write(`[start] failed: ${error.message}\n`);
    await stop("failed");
  }
  process.stderr.write(`[start] simulator ${stack.sim} (control API at /_sim/), proxy ${stack.base}; Ctrl-C stops everything\n`);
  process.stdout.write(`Open ${page.url}\n`);
}

main().catch((error) => {
  process.stderr.write(`[start] ${error.stack ?? error.message}\n`);
  process.exit(1);
});

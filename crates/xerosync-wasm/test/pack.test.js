// The package as published: `npm pack` makes the tarball (the build is the test command's previous step; `prepack`
// builds it for a real publish), it is installed into an empty project with no network, and the README's examples
// run there, importing "xerosync" from node_modules as a user's project does. The tarball holds what users need and
// nothing of the repository's sources or tests.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageDir, readmeExamples } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "xerosync-pack-"));
after(() => rmSync(work, { recursive: true, force: true }));

function npm(args, cwd) {
  const run = spawnSync("npm", args, { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, npm_config_update_notifier: "false" } });
  assert.equal(run.status, 0, `npm ${args.join(" ")}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

let tarball;
let files;

test("npm pack: the tarball holds the entries, the types, both wasm builds, README, CHANGELOG and LICENSE only", () => {
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], packageDir));
  tarball = join(work, packed.filename);
  files = packed.files.map((f) => f.path).sort();
  for (const needed of ["LICENSE", "README.md", "CHANGELOG.md", "index.d.ts", "types.generated.d.ts", "node.js", "browser.js", "package.json",
    "pkg/node/xerosync_bg.wasm", "pkg/web/xerosync_bg.wasm", "pkg/node/xerosync.js", "pkg/web/xerosync.js"]) {
    assert.ok(files.includes(needed), `${needed} is not in the tarball: ${files.join(", ")}`);
  }
  for (const file of files) {
    assert.ok(!/^(src|test|tests)\//.test(file) && !file.endsWith(".rs") && file !== "Cargo.toml", `${file} is published`);
  }
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  assert.equal(pkg.license, "MIT");
  assert.ok(pkg.repository?.url && pkg.keywords?.length, "repository and keywords");
  assert.match(pkg.scripts.prepack, /build-wasm/, "prepack builds the wasm");
});

test("installed from the tarball into an empty project, the README's examples run", () => {
  const project = join(work, "app");
  spawnSync("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  npm(["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], project);
  const examples = readmeExamples();
  assert.ok(examples.length >= 4);
  for (const { index, code } of examples) {
    const run = spawnSync(process.execPath, ["--input-type=module", "--eval", code], { cwd: project, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, `README example ${index} failed in the installed package:\n${run.stderr}`);
  }
  // Resolved from node_modules, not from the repository.
  const where = spawnSync(process.execPath, ["--input-type=module", "--eval", "console.log(import.meta.resolve('xerosync'))"], { cwd: project, encoding: "utf8" });
  assert.match(where.stdout, /node_modules\/xerosync\/node\.js/);
});

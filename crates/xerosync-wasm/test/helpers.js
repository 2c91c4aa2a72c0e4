// Shared by the tests: paths, and the package imported exactly as users import it.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = join(packageDir, "..", "..");
export const fixturesDir = join(repoRoot, "tests", "fixtures", "core");

/** Every shared fixture (tests/fixtures/core/*.json), with its file name. */
export function loadFixtures() {
  return readdirSync(fixturesDir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => ({ name, ...JSON.parse(readFileSync(join(fixturesDir, name), "utf8")) }));
}

/** The names `index.d.ts` declares as exported functions and classes. */
export function declaredExports() {
  const dts = readFileSync(join(packageDir, "index.d.ts"), "utf8");
  return [...new Set([...dts.matchAll(/^export (?:declare )?(?:function|class) (\w+)/gm)].map((m) => m[1]))].sort();
}

/**
 * The names an entry file (node.js, browser.js, manual.js, workerd.js) exports: its `export { … } from` list and the
 * functions it declares itself (`export async function init`).
 */
export function reexported(file) {
  const text = readFileSync(join(packageDir, file), "utf8");
  const list = text.match(/export \{([^}]*)\} from/);
  const names = list ? list[1].split(",").map((s) => s.trim()).filter(Boolean) : [];
  const own = [...text.matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1]);
  return [...names, ...own].sort();
}

/**
 * The package README's ```js examples as runnable modules: a block declaring the shared records (`export const …`)
 * is prepended, without `export`, to the blocks after it. `[{ index, title, code }]`.
 */
export function readmeExamples() {
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  let prelude = "";
  const out = [];
  blocks.forEach((code, index) => {
    if (/^export const /m.test(code)) {
      prelude += code.replace(/^export const /gm, "const ");
      return;
    }
    const title = code.split("\n").find((line) => line.startsWith("import {")) ?? code.split("\n")[0];
    out.push({ index: index + 1, title, code: prelude + code });
  });
  return out;
}

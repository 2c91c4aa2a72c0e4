// Loads the `xerosync` npm package the way a CRM front-end developer would: a plain ES module import, resolved by the
// page's import map (index.html) to the package's browser build. Its pure functions (contract.md) are synchronous
// once the module is initialised; a wasm-bindgen `--target web` build exports its initialiser as `default`.

const PURE_FUNCTIONS = ["planSend", "planUpdate", "previewInvoice", "buildInvoicePayload", "applyXeroInvoice"];

/**
 * Resolves to { ok: true, xerosync } with the initialised package module, or { ok: false, message } saying why the
 * package could not be used (not built, failed to load, missing functions). Never throws.
 */
export async function loadEngine() {
  let xerosync;
  try {
    xerosync = await import("xerosync");
  } catch (error) {
    return {
      ok: false,
      message: `The xerosync package could not be loaded (${error.message}). Build it with: bash scripts/build-wasm.sh`,
    };
  }
  try {
    if (typeof xerosync.default === "function") await xerosync.default();
    else if (typeof xerosync.init === "function") await xerosync.init();
  } catch (error) {
    return { ok: false, message: `The xerosync package failed to initialise: ${error.message}` };
  }
  const missing = PURE_FUNCTIONS.filter((name) => typeof xerosync[name] !== "function");
  if (missing.length === PURE_FUNCTIONS.length) {
    return { ok: false, message: "This build of the xerosync package exports none of its functions yet." };
  }
  return { ok: true, xerosync, missing };
}

/** Calls one of the package's functions, turning a thrown Error into { error: { code, message } }. */
export function callEngine(engine, name, ...args) {
  if (!engine?.ok) return { error: { code: "package_unavailable", message: engine?.message ?? "not loaded" } };
  const fn = engine.xerosync[name];
  if (typeof fn !== "function") {
    return { error: { code: "function_missing", message: `xerosync.${name} is not in this build of the package` } };
  }
  try {
    return { value: fn(...args) };
  } catch (error) {
    return { error: { code: error?.code ?? "error", message: error?.message ?? String(error), sentence: error?.sentence, record: error?.record, field: error?.field } };
  }
}

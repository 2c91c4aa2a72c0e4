// Xero tools: Send all live invoices (A1) and Update all invoice balances (A2), as long runs (A3) that show progress
// and an ETA, can be cancelled, and resume from the checkpoint the link returned. A run belongs to the page, not to
// this view: moving to another view (or working on invoices) leaves it running.

import { callEngine } from "../engine.js";
import { progressPanel } from "../progress.js";
import { applyResult } from "../sync.js";
import { errorSentence } from "../messages.js";
import { announce, h, needsConnection, replace } from "../ui.js";

const TOOLS = [
  {
    key: "sendAll",
    title: "Send all live invoices",
    text: "Sends every invoice whose outstanding amount equals its total and whose status is not Paid, Pending or Cancelled.",
    plan: (app) => callEngine(app.engine, "planSend", app.data.invoices, { mode: "allLive", sentences: true }),
    ids: (plan) => plan.send,
    run: (app, options) => app.link.send({ ...options, mode: "allLive" }),
  },
  {
    key: "updateAll",
    title: "Update all invoice balances",
    text: "Reads back every invoice sent before that is not Paid or Cancelled, then every company's balance.",
    plan: (app) => callEngine(app.engine, "planUpdate", app.data.invoices, { mode: "all", sentences: true }),
    ids: (plan) => plan.update,
    run: (app, options) => app.link.update({ ...options, mode: "all" }),
  },
];

/** Runs in progress, by tool key: { controller, panel, last } (kept across renders). */
const running = new Map();
/** How each tool's last run ended, by tool key (kept across renders, so that a redraw does not lose it). */
const ended = new Map();

export function renderTools(app, main) {
  const rerender = () => {
    replace(main);
    renderTools(app, main);
  };
  main.append(
    h("div", { class: "page-header" }, h("h1", {}, "Xero tools"), h("p", { class: "subtle" }, "Long runs keep going while you use the rest of the CRM.")),
    h("div", { class: "cards" }, TOOLS.map((tool) => toolCard(app, tool, rerender))),
  );
}

function toolCard(app, tool, rerender) {
  const plan = tool.plan(app);
  const count = plan.value ? tool.ids(plan.value).length : null;
  const status = h("div", { class: "tool-status" });
  const start = h("button", { type: "button", class: "button primary", id: `${tool.key}-start`, disabled: !app.link.connected || !count || running.has(tool.key) }, "Start");
  const resume = h("button", { type: "button", class: "button", id: `${tool.key}-resume`, hidden: true, disabled: !app.link.connected }, "Resume");
  start.addEventListener("click", () => startRun(app, tool, { status, rerender }));
  resume.addEventListener("click", async () => startRun(app, tool, { status, rerender, checkpoint: await app.store.getMeta(`checkpoint:${tool.key}`) }));
  app.store.getMeta(`checkpoint:${tool.key}`).then((checkpoint) => {
    resume.hidden = !checkpoint;
  });
  const current = running.get(tool.key);
  if (current) status.append(current.panel.element);
  else if (ended.has(tool.key)) status.append(h("p", { class: ended.get(tool.key).failed ? "notice error" : "notice", role: "status", id: `${tool.key}-ended` }, ended.get(tool.key).text));
  return h(
    "section",
    { class: "card tool", "aria-labelledby": `${tool.key}-title` },
    h("h2", { id: `${tool.key}-title` }, tool.title),
    h("p", {}, tool.text),
    plan.error
      ? h("p", { class: "notice error", dataset: { code: plan.error.code ?? "" } }, `Cannot count the records. ${errorSentence(plan.error)}`)
      : h("p", { class: "tool-count", id: `${tool.key}-count` }, h("strong", {}, String(count)), ` ${count === 1 ? "record" : "records"} to do`),
    app.link.connected ? null : needsConnection(app),
    h("div", { class: "button-row" }, start, resume),
    status,
  );
}

async function startRun(app, tool, { status, rerender, checkpoint }) {
  const controller = new AbortController();
  const panel = progressPanel({ label: tool.title, onCancel: () => controller.abort() });
  running.set(tool.key, { controller, panel });
  replace(status, panel.element);
  const plan = tool.plan(app);
  const ids = new Set(plan.value ? tool.ids(plan.value) : []);
  const invoices = app.data.invoices.filter((invoice) => ids.has(invoice.id));
  try {
    const result = await tool.run(app, { invoices, ctx: await app.xeroCtx(), onProgress: (p) => panel.update(p), signal: controller.signal, checkpoint });
    await applyResult(app, result);
    // A cancelled or stopped run leaves a checkpoint to resume from; a finished one clears it.
    await app.store.setMeta(`checkpoint:${tool.key}`, result.finished ? undefined : result.checkpoint);
    const why = result.stopped ? `Stopped. ${errorSentence(result.stopped, "Xero stopped the run.")}` : "Cancelled.";
    const text = result.finished ? "Finished." : `${why} Resume finishes the rest without redoing what was done.`;
    panel.finish(text);
    ended.set(tool.key, { text, failed: false });
    announce(`${tool.title}: ${result.finished ? "finished" : "cancelled"}.`);
  } catch (error) {
    const text = `Stopped. ${errorSentence(error, "Xero could not be reached. Please try again.")}`;
    panel.finish(text);
    ended.set(tool.key, { text, failed: true });
    announce(`${tool.title}: ${text}`, { tone: "error" });
  } finally {
    running.delete(tool.key);
    rerender();
  }
}

// A progress panel for long Xero runs (rule A3): done / total, calls made, ETA, and a cancel button. The run itself
// is the link's (xero.js); this only shows what its progress callback reports.

import { formatDuration, h, replace } from "./ui.js";

export function progressPanel({ label, onCancel }) {
  const bar = h("progress", { max: 1, value: 0, "aria-label": label });
  const text = h("p", { class: "progress-text", "aria-live": "polite" }, "Starting…");
  const cancel = h("button", { type: "button", class: "button", onclick: onCancel }, "Cancel");
  const element = h("div", { class: "progress-panel" }, h("div", { class: "progress-label" }, label), bar, text, cancel);
  return {
    element,
    /** The package's SyncProgress: `{ stage, done, total, calls, etaMs }`. */
    update({ done = 0, total = 0, calls, etaMs, stage } = {}) {
      bar.max = Math.max(total, 1);
      bar.value = done;
      const parts = [`${done} of ${total} done`];
      if (stage) parts.push(stage);
      if (calls !== undefined) parts.push(`${calls} Xero calls`);
      if (etaMs !== undefined && etaMs !== null) parts.push(`about ${formatDuration(Math.ceil(etaMs / 1000))} left`);
      replace(text, parts.join(" · "));
    },
    finish(message) {
      cancel.remove();
      replace(text, message);
    },
  };
}

// Discrepancies (rule U4): invoices that Update from Xero (or the change feed) did not change silently because Xero
// voided or deleted them, or because Xero's total differs from the CRM's. They stay listed until a person resolves them.

import { formatDate, h, replace } from "../ui.js";

export function renderDiscrepancies(app, main) {
  const list = h("div", {}, h("p", { class: "subtle" }, "Loading…"));
  main.append(
    h("div", { class: "page-header" }, h("h1", {}, "Discrepancies"), h("p", { class: "subtle" }, "Differences between the CRM and Xero that need a person to decide.")),
    list,
  );
  const show = async () => {
    const all = (await app.store.getMeta("discrepancies")) ?? [];
    const open = all.filter((entry) => !entry.resolvedAt);
    if (open.length === 0) {
      replace(list, h("div", { class: "empty-state", id: "no-discrepancies" }, h("h2", {}, "No open discrepancies"), h("p", {}, "Update from Xero lists here any invoice that was voided or deleted in Xero, or whose Xero total differs from the CRM's, instead of changing it silently.")));
      return;
    }
    const resolve = async (entry) => {
      entry.resolvedAt = new Date().toISOString();
      entry.resolvedBy = app.user.id;
      await app.store.setMeta("discrepancies", all);
      show();
    };
    const rows = open.map((entry) =>
      h(
        "tr",
        {},
        h("td", {}, entry.number),
        h("td", {}, h("ul", { class: "differences" }, entry.messages.map((m) => h("li", {}, m)))),
        h("td", {}, formatDate(entry.foundAt)),
        h("td", {}, h("button", { type: "button", class: "button", onclick: () => resolve(entry) }, `Mark ${entry.number} resolved`)),
      ),
    );
    const head = h(
      "tr",
      {},
      h("th", { scope: "col" }, "Invoice"),
      h("th", { scope: "col" }, "What differs"),
      h("th", { scope: "col" }, "Found"),
      h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
    );
    replace(
      list,
      h("div", { class: "table-wrap" }, h("table", { class: "data-table", "aria-label": "Open discrepancies" }, h("thead", {}, head), h("tbody", {}, rows))),
    );
  };
  show();
}

// Xero settings (finance and admin only, rule C1): enable (C2), connect / disconnect (C3), the organisation (C7),
// tax mapping from Xero's rates (T1), the organisation's currencies (M1, shown), the default branding theme (K2),
// the tracking mapping of the CRM's line fields (K1), discount strategy (S6), tax on the invoice total (S6a) and
// auto-send (B2). Opening this page only *reads* the connection; it never clears it (C5).

import { connectionReason, errorSentence } from "../messages.js";
import { announce, h, replace } from "../ui.js";
import { STATUS } from "../xero.js";
import { brandingSection, currenciesSection, trackingSection } from "./organisation-options.js";

const STRATEGIES = [
  ["auto", "Automatic", "Send a discount percentage; where it cannot reproduce the CRM's line to the penny, send the discount as an amount."],
  ["rate", "Always a percentage", "Send every discount as a percentage, as the original integration did; differences are reported."],
  ["hold", "Hold back differences", "Do not send an invoice whose Xero totals would differ from the CRM's; report it instead."],
];

const STATUS_TEXT = {
  [STATUS.UNAVAILABLE]: "Not connected",
  [STATUS.NOT_CONNECTED]: "Not connected",
  [STATUS.PICK_REQUIRED]: "Connected: choose the organisation",
  [STATUS.CONNECTED]: "Connected",
  [STATUS.RECONNECT_REQUIRED]: "Reconnect required",
};

export function renderSettings(app, main) {
  const rerender = () => {
    replace(main);
    renderSettings(app, main);
  };
  const enabled = app.data.settings.enabled;
  // Through replace(): it skips what is null and flattens the organisation's cards (a bare DOM append would not).
  replace(
    main,
    h("div", { class: "page-header" }, h("h1", {}, "Xero settings")),
    integrationSection(app, rerender),
    enabled ? connectionSection(app, rerender) : null,
    enabled ? taxSection(app) : null,
    enabled ? organisationSections(app) : null,
    enabled ? sendingSection(app, rerender) : null,
  );
}

function card(title, ...children) {
  const id = `card-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), children);
}

function integrationSection(app, rerender) {
  const toggle = h("input", {
    type: "checkbox",
    id: "xero-enabled",
    checked: app.data.settings.enabled,
    onchange: async (event) => {
      await app.saveSettings({ enabled: event.target.checked });
      announce(event.target.checked ? "Xero integration enabled." : "Xero integration disabled.");
      app.render();
      document.getElementById("xero-enabled")?.focus();
    },
  });
  return card(
    "Integration",
    h("div", { class: "field-row" }, toggle, h("label", { for: "xero-enabled" }, "Enable the Xero integration")),
    h("p", { class: "hint" }, "While it is off there are no Xero buttons, no background sync, and the proxy refuses Xero calls."),
  );
}

function connectionSection(app, rerender) {
  const state = app.link.state;
  const connected = state.status === STATUS.CONNECTED || state.status === STATUS.PICK_REQUIRED;
  const error = h("div", { role: "alert" });
  const act = (fn) => async () => {
    replace(error);
    try {
      await fn();
      rerender();
    } catch (e) {
      replace(error, h("div", { class: "notice error", dataset: { code: e?.code ?? "" } }, errorSentence(e, "Xero could not be reached. Please try again.")));
    }
  };
  const connect = h(
    "button",
    {
      type: "button",
      class: "button primary",
      id: "connect-button",
      disabled: state.status === STATUS.UNAVAILABLE,
      onclick: act(async () => {
        location.assign(await app.link.connectUrl({ returnTo: `${location.origin}/#/settings` }));
      }),
    },
    state.status === STATUS.RECONNECT_REQUIRED ? "Reconnect to Xero" : "Connect to Xero",
  );
  const disconnect = h("button", { type: "button", class: "button danger", onclick: act(() => app.link.disconnect()) }, "Disconnect");
  const organisations = state.organisations ?? [];
  const orgSelect = h(
    "select",
    { id: "organisation", disabled: organisations.length === 0, onchange: act((e) => app.link.chooseOrganisation(document.getElementById("organisation").value)) },
    h("option", { value: "" }, organisations.length ? "Choose an organisation…" : "No organisations"),
    organisations.map((org) => h("option", { value: org.tenantId, selected: state.tenantId === org.tenantId }, org.name)),
  );
  return card(
    "Connection",
    h(
      "p",
      { class: "connection-status", id: "connection-status" },
      h("span", { class: `dot ${state.status === STATUS.CONNECTED ? "on" : ""}`, "aria-hidden": "true" }),
      h("strong", {}, STATUS_TEXT[state.status] ?? state.status),
      state.tenantId ? ` to ${state.tenantName || "your Xero organisation"}` : "",
      // The proxy's own reason (e.g. Xero's invalid_grant) stays for programs; people read what it means.
      state.status !== STATUS.PICK_REQUIRED && connectionReason(state) ? h("span", { class: "subtle", dataset: { reason: state.reason ?? "" } }, ` — ${connectionReason(state)}`) : null,
    ),
    h("div", { class: "button-row" }, connected ? disconnect : connect),
    h("div", { class: "field" }, h("label", { for: "organisation" }, "Xero organisation"), orgSelect, h("p", { class: "hint" }, "When one consent gives several organisations, choose which one this CRM sends to; it is never guessed.")),
    error,
  );
}

/**
 * Rules M1, K2, K1: three cards filled from the organisation's options (one read, kept by the Xero link); while not
 * connected they show what is saved and say why nothing can be chosen.
 */
function organisationSections(app) {
  const cards = [currenciesSection(app), brandingSection(app), trackingSection(app)];
  const load = (fresh) => {
    const read = app.link.connected ? app.link.organisationOptions({ fresh }) : Promise.reject(Object.assign(new Error("not connected"), { code: "not_connected" }));
    return read.then(
      (options) => cards.forEach((c) => c.fill(options)),
      (error) => cards.forEach((c) => c.fail(error)),
    );
  };
  load(false);
  // The link keeps what it read for a while (each reading is four Xero calls): a person who just changed something
  // in Xero reads it again here.
  const again = h("button", { type: "button", class: "button", id: "reread-options", disabled: !app.link.connected }, "Read them again from Xero");
  again.addEventListener("click", async () => {
    again.disabled = true;
    await load(true);
    again.disabled = false;
    announce("Currencies, branding themes and tracking categories read again from Xero.");
  });
  cards[cards.length - 1].element.append(h("div", { class: "button-row" }, again));
  return cards.map((c) => c.element);
}

function taxSection(app) {
  const body = h("tbody", {});
  const note = h("p", { class: "hint", id: "tax-note" }, "Loading Xero's tax rates…");
  const render = (xeroRates) => {
    replace(
      body,
      app.data.taxRates.map((rate) => {
        const id = `tax-${rate.id}`;
        const options = xeroRates ?? (rate.xeroTaxType ? [{ taxType: rate.xeroTaxType, name: rate.xeroTaxType }] : []);
        const select = h(
          "select",
          {
            id,
            disabled: !xeroRates,
            onchange: async (event) => {
              const taxRates = app.data.taxRates.map((r) => (r.id === rate.id ? { ...r, xeroTaxType: event.target.value || null } : r));
              await app.saveTaxRates(taxRates);
              announce(`${rate.name} mapped.`);
            },
          },
          h("option", { value: "" }, "Not mapped"),
          options.map((o) => h("option", { value: o.taxType, selected: o.taxType === rate.xeroTaxType }, o.rate !== undefined ? `${o.name} (${o.rate}%)` : o.name)),
        );
        return h("tr", {}, h("th", { scope: "row" }, h("label", { for: id }, rate.name)), h("td", { class: "num" }, `${rate.percent}%`), h("td", {}, select));
      }),
    );
  };
  render(null);
  app.link.taxRates().then(
    (rates) => {
      render(rates);
      replace(note, "Choose, for each CRM tax rate, the Xero tax type it is sent as. An invoice using an unmapped rate is not sent.");
    },
    (error) => replace(note, `Xero's tax rates cannot be read. ${errorSentence(error, "Xero could not be reached.")} The current mapping is kept.`),
  );
  return card(
    "Tax mapping",
    note,
    h("table", { class: "data-table compact" }, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "CRM tax rate"), h("th", { scope: "col", class: "num" }, "Rate"), h("th", { scope: "col" }, "Xero tax type"))), body),
  );
}

function sendingSection(app, rerender) {
  const settings = app.data.settings;
  const save = (patch, message) => async () => {
    await app.saveSettings(patch);
    announce(message);
  };
  return card(
    "Sending",
    h(
      "fieldset",
      { class: "radios" },
      h("legend", {}, "Discounts Xero cannot reproduce"),
      STRATEGIES.map(([value, label, hint]) =>
        h(
          "div",
          { class: "radio" },
          h("input", { type: "radio", name: "discount-strategy", id: `strategy-${value}`, value, "aria-describedby": `strategy-${value}-hint`, checked: settings.discountStrategy === value, onchange: save({ discountStrategy: value }, `Discount strategy: ${label}.`) }),
          h("div", {}, h("label", { for: `strategy-${value}` }, label), h("p", { class: "hint", id: `strategy-${value}-hint` }, hint)),
        ),
      ),
    ),
    h(
      "div",
      { class: "field-row" },
      h("input", {
        type: "checkbox",
        id: "tax-match-crm",
        "aria-describedby": "tax-match-crm-hint",
        checked: settings.taxStrategy === "matchCrm",
        onchange: (e) => save({ taxStrategy: e.target.checked ? "matchCrm" : "xero" }, e.target.checked ? "Tax on the invoice total: Xero's totals will match the CRM's to the penny." : "Tax per line, as Xero computes it.")(),
      }),
      h("label", { for: "tax-match-crm" }, "Tax on the invoice total (match the CRM's totals to the penny)"),
    ),
    h(
      "p",
      { class: "hint", id: "tax-match-crm-hint" },
      "This CRM works its tax out on the invoice total; Xero works it out line by line, so totals can differ by a penny. With this on, each line carries the tax that makes Xero's total the CRM's. A difference larger than rounding is still shown in the preview.",
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "sales-account" }, "Default sales account code"),
      h("input", {
        id: "sales-account",
        value: settings.defaultSalesAccountCode,
        inputMode: "numeric",
        size: 8,
        onchange: async (event) => {
          await app.saveSettings({ defaultSalesAccountCode: event.target.value.trim() });
          announce("Default sales account saved.");
        },
      }),
    ),
    h(
      "div",
      { class: "field-row" },
      h("input", { type: "checkbox", id: "auto-send", checked: settings.autoSend, onchange: async (e) => save({ autoSend: e.target.checked }, e.target.checked ? "Auto-send on." : "Auto-send off.")() }),
      h("label", { for: "auto-send" }, "Send live invoices automatically"),
    ),
    h("p", { class: "hint" }, "Auto-send uses the same rules as Send all live invoices, and runs only while connected."),
  );
}

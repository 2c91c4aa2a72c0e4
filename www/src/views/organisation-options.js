// The settings that come from what the Xero organisation offers (XeroClient.organisationOptions, read once by the
// Xero link): its currencies (rule M1, shown as information: an invoice in a currency Xero has not enabled is not
// sent), the default branding theme (K2) and the tracking mapping of the CRM's line fields (K1). Each section is a
// card that shows what is saved at once and becomes a picker when the options arrive (`fill`), or says why not (`fail`).

import { callEngine } from "../engine.js";
import { errorSentence } from "../messages.js";
import { announce, h, replace } from "../ui.js";

function card(id, title, ...children) {
  const body = h("div", {}, children);
  const element = h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), body);
  return { element, body };
}

function unavailable(what, error) {
  return h("p", { class: "hint", dataset: { code: error?.code ?? "" } }, `${what} cannot be read from Xero. ${errorSentence(error, "Xero could not be reached.")} What is saved is kept.`);
}

/** The CRM's invoice currencies, with how many invoices use each. */
function crmCurrencies(app) {
  const counts = new Map();
  for (const invoice of app.data.invoices) counts.set(invoice.currency, (counts.get(invoice.currency) ?? 0) + 1);
  return counts;
}

// ---- M1 -----------------------------------------------------------------------------------------------------------

export function currenciesSection(app) {
  const { element, body } = card("card-currencies", "Currencies", h("p", { class: "hint", id: "currency-note" }, "Reading the organisation's currencies…"));
  const fill = ({ baseCurrency, currencies }) => {
    const enabled = new Set(currencies.map((c) => c.code));
    const used = crmCurrencies(app);
    replace(
      body,
      h(
        "p",
        { id: "currency-note" },
        "Base currency ",
        h("strong", {}, baseCurrency ?? "unknown"),
        ". Enabled in Xero: ",
        h("span", { id: "enabled-currencies" }, currencies.map((c) => c.code).join(", ") || "none"),
        ".",
      ),
      h(
        "table",
        { class: "data-table compact", "aria-label": "The CRM's invoice currencies" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Currency"), h("th", { scope: "col", class: "num" }, "CRM invoices"), h("th", { scope: "col" }, "In Xero"))),
        h(
          "tbody",
          {},
          [...used].map(([code, count]) =>
            h(
              "tr",
              { class: enabled.has(code) ? null : "differs", dataset: { currency: code } },
              h("th", { scope: "row" }, `${code}${currencies.find((c) => c.code === code)?.description ? ` (${currencies.find((c) => c.code === code).description})` : ""}`),
              h("td", { class: "num" }, String(count)),
              h("td", {}, code === baseCurrency ? "Base currency" : enabled.has(code) ? "Enabled" : "Not enabled: these invoices are not sent until it is enabled in Xero"),
            ),
          ),
        ),
      ),
      h("p", { class: "hint" }, "Invoices go to Xero in their own currency, with Xero's daily rate unless the CRM fixed one. Amounts in different currencies are never added up."),
    );
  };
  return { element, fill, fail: (error) => replace(body, unavailable("The organisation's currencies", error)) };
}

// ---- K2 -----------------------------------------------------------------------------------------------------------

/** A select of branding themes: "Xero's default" and the organisation's themes (a saved one Xero lost, marked). */
export function brandingSelect({ id, themes, value, disabled = false, onchange, defaultLabel = "Xero's default theme", label = null }) {
  const known = themes ?? [];
  const lost = value && !known.some((t) => t.id === value);
  return h(
    "select",
    { id, disabled: disabled || !themes, onchange, "aria-label": label },
    h("option", { value: "" }, defaultLabel),
    known.map((t) => h("option", { value: t.id, selected: t.id === value }, t.name)),
    lost ? h("option", { value, selected: true }, themes ? "A theme no longer in Xero" : "Saved theme") : null,
  );
}

export function brandingSection(app) {
  const draw = (themes, note) => {
    const select = brandingSelect({
      id: "branding-theme",
      themes,
      value: app.data.settings.brandingThemeId ?? "",
      onchange: async (event) => {
        const id = event.target.value || null;
        await app.saveSettings({ brandingThemeId: id });
        announce(`Default branding theme: ${themes.find((t) => t.id === id)?.name ?? "Xero's default"}.`);
      },
    });
    return [
      h("div", { class: "field" }, h("label", { for: "branding-theme" }, "Default branding theme"), select),
      h("p", { class: "hint", id: "branding-note" }, note),
    ];
  };
  const { element, body } = card("card-branding", "Branding", draw(null, "Reading the organisation's branding themes…"));
  return {
    element,
    fill: ({ brandingThemes }) => replace(body, draw(brandingThemes, "Every invoice and credit note is sent with this theme, unless its company has a theme of its own (Companies).")),
    fail: (error) => replace(body, draw(null, ""), unavailable("The branding themes", error)),
  };
}

// ---- K1 -----------------------------------------------------------------------------------------------------------

/** The CRM's tracking fields on invoice lines and the values they take: Map field → [values], in first-seen order. */
export function crmTrackingFields(invoices) {
  const fields = new Map();
  for (const invoice of invoices) {
    for (const line of invoice.lines ?? []) {
      for (const [field, value] of Object.entries(line.tracking ?? {})) {
        if (!fields.has(field)) fields.set(field, new Set());
        if (value) fields.get(field).add(value);
      }
    }
  }
  return new Map([...fields].map(([field, values]) => [field, [...values]]));
}

const fieldId = (field) => field.toLowerCase().replace(/[^a-z0-9]+/g, "-");

export function trackingSection(app) {
  const fields = crmTrackingFields(app.data.invoices);
  const { element, body } = card("card-tracking", "Tracking categories", h("p", { class: "hint", id: "tracking-note" }, "Reading the organisation's tracking categories…"));
  let categories = null;

  const save = async (mapping, message) => {
    const focused = document.activeElement?.id;
    await app.saveSettings({ trackingMapping: mapping });
    announce(message);
    draw();
    if (focused) document.getElementById(focused)?.focus(); // the redrawn picker keeps the keyboard's place
  };

  const draw = () => {
    const mapping = app.data.settings.trackingMapping ?? {};
    replace(
      body,
      h(
        "p",
        { class: "hint", id: "tracking-note" },
        fields.size === 0
          ? "The CRM's invoice lines carry no tracking fields."
          : "Each CRM line field can be sent as one of Xero's tracking categories (Xero takes at most two on a line). Then choose, for each CRM value, the Xero option it is sent as. A line whose value has no option is not sent; its error names the value.",
      ),
      [...fields].map(([field, values]) => fieldBlock(field, values, mapping)),
    );
  };

  const fieldBlock = (field, values, mapping) => {
    const id = `tracking-${fieldId(field)}`;
    const current = mapping[field] ?? null;
    const category = categories?.find((c) => c.name === current?.category) ?? null;
    const taken = new Set(Object.entries(mapping).filter(([f]) => f !== field).map(([, m]) => m.category));
    const categorySelect = h(
      "select",
      {
        id,
        disabled: !categories,
        onchange: async (event) => {
          // The mapping as it stands now (an earlier choice may still be saving), not as it was drawn.
          const mapping = app.data.settings.trackingMapping ?? {};
          const name = event.target.value;
          const next = { ...mapping };
          if (!name) {
            delete next[field];
            return save(next, `${field} is not sent to Xero.`);
          }
          // Rule K1's default is the package's: values spelled as an option are matched, the others wait for a person.
          const chosen = categories.find((c) => c.name === name);
          const made = callEngine(app.engine, "trackingMapFor", chosen, values);
          if (made.error) {
            // Nothing is saved: an empty mapping would announce success and send no option at all.
            announce(errorSentence(made.error, `${field} could not be matched to Xero's ${name}. Nothing was changed.`), { tone: "error" });
            draw();
            return document.getElementById(id)?.focus();
          }
          next[field] = made.value;
          return save(next, `${field} is sent as Xero's ${name}.`);
        },
      },
      h("option", { value: "" }, "Not sent to Xero"),
      (categories ?? []).map((c) => h("option", { value: c.name, selected: c.name === current?.category, disabled: taken.has(c.name) }, c.name)),
      current && !category ? h("option", { value: current.category, selected: true }, `${current.category}${categories ? " (no longer active in Xero)" : ""}`) : null,
    );
    const unmapped = current ? values.filter((value) => !current.options?.[value]) : [];
    return h(
      "fieldset",
      { class: "tracking-field", dataset: { field } },
      h("legend", {}, `${field} (CRM line field)`),
      h("div", { class: "field" }, h("label", { for: id }, `Xero tracking category for ${field}`), categorySelect),
      current
        ? h(
            "table",
            { class: "data-table compact", "aria-label": `Xero options for ${field}` },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, `CRM ${field}`), h("th", { scope: "col" }, `Xero ${current.category} option`))),
            h(
              "tbody",
              {},
              values.map((value) => {
                const optionId = `${id}-${fieldId(value)}`;
                const chosen = current.options?.[value] ?? "";
                const known = category?.options ?? [];
                return h(
                  "tr",
                  { class: chosen ? null : "differs" },
                  h("th", { scope: "row" }, h("label", { for: optionId }, value)),
                  h(
                    "td",
                    {},
                    h(
                      "select",
                      {
                        id: optionId,
                        "aria-label": `Xero option for ${field} ${value}`,
                        disabled: !category,
                        onchange: async (event) => {
                          const mapping = app.data.settings.trackingMapping ?? {};
                          const now = mapping[field] ?? current;
                          const next = { ...mapping, [field]: { ...now, options: { ...now.options } } };
                          if (event.target.value) next[field].options[value] = event.target.value;
                          else delete next[field].options[value];
                          return save(next, event.target.value ? `${field} ${value} is sent as ${event.target.value}.` : `${field} ${value} has no Xero option.`);
                        },
                      },
                      h("option", { value: "" }, "Choose an option…"),
                      known.map((o) => h("option", { value: o.name, selected: o.name === chosen }, o.name)),
                      chosen && !known.some((o) => o.name === chosen) ? h("option", { value: chosen, selected: true }, chosen) : null,
                    ),
                  ),
                );
              }),
            ),
          )
        : null,
      unmapped.length
        ? h("p", { class: "notice warn", role: "note" }, `Not mapped yet: ${unmapped.join(", ")}. Invoice lines with ${unmapped.length === 1 ? "this value are" : "these values are"} not sent.`)
        : null,
    );
  };

  return {
    element,
    fill: ({ trackingCategories }) => {
      categories = trackingCategories;
      draw();
    },
    fail: (error) => {
      categories = null;
      draw();
      body.append(unavailable("The tracking categories", error));
    },
  };
}

// Small DOM helpers: element building without innerHTML (so record text is never parsed as HTML), formatting, and
// the page's polite live region for screen-reader announcements.

import { connectionReason } from "./messages.js";

/** h("button", { class: "primary", onclick }, "Send") → an element. `null`/`false` children are skipped. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the content of `element` with `children`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** Says `message` to assistive technology (and shows it in the status bar). */
export function announce(message, { tone = "info" } = {}) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.dataset.tone = tone;
  region.textContent = "";
  // A fresh text node after a tick makes screen readers repeat an identical message.
  clearTimeout(announce.timer);
  clearTimeout(announce.pending);
  announce.pending = setTimeout(() => {
    region.textContent = message;
  }, 30);
  // The toast fades after a while; the message has been read out by then.
  announce.timer = setTimeout(() => {
    region.textContent = "";
  }, 6000);
}

/** Removes the current announcement at once. */
announce.clear = () => {
  clearTimeout(announce.timer);
  clearTimeout(announce.pending);
  const region = document.getElementById("announcer");
  if (region) region.textContent = "";
};

const DATE_FORMAT = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** "2026-11-20" → "20 Nov 2026". */
export function formatDate(isoDate) {
  if (!isoDate) return "";
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? isoDate : DATE_FORMAT.format(date);
}

export function statusClass(status) {
  return `status status-${String(status).toLowerCase().replace(/\s+/g, "-")}`;
}

/** Seconds → "1 min 20 s" for ETAs. */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A modal dialog with a title, a body and footer buttons; resolves when closed. Focus returns to the opener. */
export function openDialog({ title, body, footer = [], wide = false, labelId = `dialog-${Date.now()}` }) {
  const opener = document.activeElement;
  const dialog = h(
    "dialog",
    { class: wide ? "dialog wide" : "dialog", "aria-labelledby": labelId },
    h(
      "header",
      { class: "dialog-header" },
      h("h2", { id: labelId }, title),
      h("button", { type: "button", class: "icon-button", "aria-label": "Close", onclick: () => dialog.close() }, "×"),
    ),
    h("div", { class: "dialog-body" }, body),
    footer.length ? h("footer", { class: "dialog-footer" }, footer) : null,
  );
  document.body.append(dialog);
  dialog.showModal();
  return {
    dialog,
    closed: new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        dialog.remove();
        if (opener instanceof HTMLElement) opener.focus();
        resolve(dialog.returnValue);
      });
    }),
  };
}

/** Opens an invoice's detail; set by the invoice dialogs' module (views/invoice-actions.js), which ui.js cannot import. */
let invoiceOpener = null;
export function registerInvoiceOpener(open) {
  invoiceOpener = open;
}

/** Scrolls to and focuses `selector` in the current view (focusable for the purpose), marking it for a moment. */
function focusTarget(selector) {
  const target = selector ? document.querySelector(selector) : null;
  if (!target) return;
  if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
  target.classList.add("attention");
  setTimeout(() => target.classList.remove("attention"), 4000);
}

/**
 * Moves to the place that fixes something: closes the open dialogs (they make the page behind them inert), goes to
 * `hash` and focuses `focus` there once the view is drawn.
 */
export function goTo(hash, focus) {
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  if (!hash || location.hash === hash) {
    focusTarget(focus);
    return;
  }
  // Registered after the page's own hashchange listener, so it runs once the view is drawn.
  window.addEventListener("hashchange", () => setTimeout(() => focusTarget(focus), 0), { once: true });
  location.hash = hash;
}

/**
 * A fix (messages.js: `{ label, hash, focus?, invoiceId? }`) as a link: to a view and the element there, or to an
 * invoice's detail. Null without a fix.
 */
export function fixLink(app, fix) {
  if (!fix) return null;
  if (fix.invoiceId) {
    const invoice = app.data.invoices.find((i) => i.id === fix.invoiceId);
    if (!invoice || !invoiceOpener) return null;
    return h("button", { type: "button", class: "link-button fix-link", dataset: { fix: "invoice" }, onclick: () => invoiceOpener(app, invoice) }, fix.label);
  }
  return h(
    "a",
    {
      href: fix.hash,
      class: "fix-link",
      dataset: { fix: fix.hash.replace(/^#\//, "") },
      onclick: (event) => {
        event.preventDefault();
        goTo(fix.hash, fix.focus);
      },
    },
    fix.label,
  );
}

/** A sentence with its fix as a notice (`tone`: "error", "warn", or none). */
export function explained({ text, fix }, app, { tone = "error", data = {}, role = "alert", id = null } = {}) {
  return h("div", { class: tone ? `notice ${tone}` : "notice", role, id, dataset: data }, h("span", {}, text), fix ? [" ", fixLink(app, fix)] : null);
}

/** "Needs a connection to Xero: <why, in words>." with the way to the settings' connection card. */
export function needsConnection(app, { id = null } = {}) {
  const why = connectionReason(app.link.state);
  return h(
    "p",
    { class: "hint", id, dataset: { status: app.link.state.status ?? "" } },
    `Needs a connection to Xero${why ? `: ${why.replace(/\.$/, "")}` : ""}.`,
    " ",
    fixLink(app, { label: app.link.state.status === "reconnect_required" ? "Reconnect in Xero settings" : "Go to the connection in Xero settings", hash: "#/settings", focus: '[aria-labelledby="card-connection"]' }),
  );
}

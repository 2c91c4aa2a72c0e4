// The tiny app every bundler builds (tests/bundlers/run.mjs): it imports the package as any app does, with no init
// call, previews the invoice of fixture.json (a copy of one of tests/fixtures/core/preview-*.json, written beside this
// file by the test) and constructs a XeroClient (no request is made). The outcome is left on window.__xerosync.
import { previewInvoice, XeroClient } from "xerosync";
import fixture from "./fixture.json";

const [invoice, ctx] = fixture.args;
const preview = previewInvoice(invoice, ctx);
const client = new XeroClient({ proxyUrl: "http://127.0.0.1:9", sessionToken: () => "t" });

window.__xerosync = { preview, client: client instanceof XeroClient };
document.getElementById("result").textContent = `total ${preview.total}`;

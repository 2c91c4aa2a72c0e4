// The same calls inside a Cloudflare Worker (wrangler dev, tests/bundlers/run.mjs): wrangler resolves "xerosync" with
// the `workerd` condition (the package's workerd.js, which imports the wasm as a compiled module), so no init call
// and no wasm option either.
import { previewInvoice, XeroClient } from "xerosync";
import fixture from "./fixture.json";

export default {
  async fetch() {
    const [invoice, ctx] = fixture.args;
    const preview = previewInvoice(invoice, ctx);
    const client = new XeroClient({ proxyUrl: "http://127.0.0.1:9", sessionToken: () => "t" });
    return Response.json({ preview, client: client instanceof XeroClient });
  },
};

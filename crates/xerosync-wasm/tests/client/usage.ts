// A typed usage of the sync client, checked by `tsc --noEmit` (scripts/test-client.sh): the README's ten lines
// and the result fields a page reads. The `@ts-expect-error` lines must fail, or the types decayed to `any`.
import { XeroClient, type Ctx, type Invoice, type SyncCheckpoint, type SyncProgress } from "xerosync";

declare const invoices: Invoice[];
declare const ctx: Ctx;
declare function store(id: string, fields: object): void;

const xero = new XeroClient({ proxyUrl: "https://proxy.example", sessionToken: async () => "session" });
const controller = new AbortController();
const onProgress = (p: SyncProgress): void => console.log(`${p.done}/${p.total}`, p.etaMs ?? "…");

export async function sendButton(): Promise<SyncCheckpoint | undefined> {
  if (!(await xero.connection()).canSync) return undefined;
  const result = await xero.send(invoices, ctx, { onProgress, signal: controller.signal });
  for (const r of result.invoices) if (r.changes) store(r.id, r.changes);
  for (const c of result.companies) if (c.xeroContactId) store(c.id, { xeroContactId: c.xeroContactId });
  const failing: string[] = result.productFailures.map((f) => f.reason);
  console.log(failing, result.stopped?.code);
  return result.checkpoint;
}

export async function updateButton(checkpoint?: SyncCheckpoint): Promise<string> {
  const options = checkpoint ? { checkpoint } : { companies: ctx.companies };
  const result = await xero.updateAll(checkpoint ? null : invoices, options);
  for (const r of result.invoices) if (r.changes) store(r.id, r.changes);
  for (const c of result.companies) store(c.id, c);
  const feed = await xero.changes(0, { invoices, autoSend: false });
  // Rule B2's book, kept across reloads, goes back in as it came out.
  const next = await xero.changes(feed.cursor, { invoices, autoSend: true, ctx, refusals: feed.refusals ?? {} });
  console.log(next.cursor, feed.cursor, (await xero.taxRates()).map((t) => t.taxType));
  return result.since;
}

// @ts-expect-error: the client needs the session-token function
new XeroClient({ proxyUrl: "https://proxy.example" });
// @ts-expect-error: an outcome is not a number
const wrong: number = (await xero.update(invoices)).invoices[0]!.outcome;
console.log(wrong);
const preview = xero.preview(invoices, ctx, { mode: "allLive" });
console.log(preview.matchesCrm, preview.invoices.map((p) => p.preview?.total ?? p.reason));

// Synthetic Xero answers for the bench: every element of a write request accepted (StatusAttributeString OK), with
// the IDs Xero would assign, so the send plan can move from items to contacts to invoices.
const ID_FIELD = { Items: "ItemID", Contacts: "ContactID", Invoices: "InvoiceID", CreditNotes: "CreditNoteID" };

function uuid(n) {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

let next = 1;

/** A 200 answer to `request` accepting every element of its body; a read (rule S3a's contact search, S10/S11's
 * document reads) finds nothing: the bench's organisation is new. */
export function acceptAll(request) {
  if (!request.body) {
    const collection = request.path.split("/")[1];
    return { requestId: request.id, status: 200, body: { Status: "OK", [collection]: [] } };
  }
  const [collection] = Object.keys(request.body);
  const elements = request.body[collection].map((element) => ({
    ...element,
    [ID_FIELD[collection]]: element[ID_FIELD[collection]] ?? uuid(next++),
    StatusAttributeString: "OK",
  }));
  return { requestId: request.id, status: 200, body: { Status: "OK", [collection]: elements } };
}

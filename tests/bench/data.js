// The bench's data set, deterministic: CRM invoices of 5 lines over a small CRM (companies, products, tax rates),
// and the same invoices as xero-node model objects.
const TAX_RATES = [
  { id: "vat20", name: "VAT 20%", percent: "20", xeroTaxType: "OUTPUT2" },
  { id: "vat5", name: "VAT 5%", percent: "5", xeroTaxType: "RROUTPUT" },
  { id: "zero", name: "Zero rated", percent: "0", xeroTaxType: "ZERORATEDOUTPUT" },
];

export function crmContext({ companies = 100, products = 20 } = {}) {
  return {
    companies: Array.from({ length: companies }, (_, i) => ({
      id: `co-${i}`,
      name: `Company ${i} Ltd`,
      accountNumber: `ACC${i}`,
      xeroContactId: i % 2 ? `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` : null,
      balance: "0.00",
      people: [{ id: `p-${i}`, firstName: "Ann", lastName: `Lee ${i}`, email: `ann${i}@example.test`, primary: true }],
    })),
    products: Array.from({ length: products }, (_, i) => ({
      id: `pr-${i}`,
      code: `SKU-${i}`,
      name: `Product ${i}`,
      description: `Product number ${i}`,
      unitPrice: `${10 + i}.50`,
      taxRateId: TAX_RATES[i % TAX_RATES.length].id,
      salesAccountCode: "200",
    })),
    taxRates: TAX_RATES,
    settings: { enabled: true, defaultSalesAccountCode: "200", discountStrategy: "auto" },
  };
}

/** `count` live invoices of `lines` lines each, spread over the context's companies and products. */
export function crmInvoices(ctx, count, lines = 5) {
  return Array.from({ length: count }, (_, i) => {
    const items = Array.from({ length: lines }, (_, j) => {
      const product = ctx.products[(i + j) % ctx.products.length];
      const quantity = 1 + ((i + j) % 4);
      const discount = j % 3 === 0 ? { percent: "10" } : undefined;
      return {
        productId: product.id,
        description: product.description,
        quantity: String(quantity),
        listPrice: product.unitPrice,
        ...(discount ? { discount } : {}),
        taxRateId: product.taxRateId,
      };
    });
    const company = ctx.companies[i % ctx.companies.length];
    return {
      id: `inv-${i}`,
      kind: "invoice",
      number: `INV-${100000 + i}`,
      reference: `PO ${i}`,
      companyId: company.id,
      issueDate: "2026-11-01",
      dueDate: "2026-12-01",
      currency: "GBP",
      amountsAre: "exclusive",
      status: "Live",
      lines: items,
      total: "0.00",
      amountOutstanding: "0.00",
      sentToAccounts: false,
      sentToAccountsDate: null,
      xeroId: null,
    };
  });
}

/**
 * The same invoices as xero-node model objects, as an application using xero-node would hold them before calling
 * the API (built outside the timed section: the bench times the serialisation only).
 */
export function xeroNodeInvoices(xn, ctx, invoices) {
  const products = new Map(ctx.products.map((p) => [p.id, p]));
  const companies = new Map(ctx.companies.map((c) => [c.id, c]));
  const taxRates = new Map(ctx.taxRates.map((t) => [t.id, t]));
  return invoices.map((inv) => {
    const company = companies.get(inv.companyId);
    const contact = new xn.Contact();
    if (company.xeroContactId) contact.contactID = company.xeroContactId;
    else Object.assign(contact, { name: company.name, contactNumber: company.id });
    const invoice = new xn.Invoice();
    Object.assign(invoice, {
      type: xn.Invoice.TypeEnum.ACCREC,
      contact,
      invoiceNumber: inv.number,
      reference: inv.reference,
      date: inv.issueDate,
      dueDate: inv.dueDate,
      currencyCode: xn.CurrencyCode[inv.currency],
      lineAmountTypes: xn.LineAmountTypes.Exclusive,
      status: xn.Invoice.StatusEnum.DRAFT,
      lineItems: inv.lines.map((line) => {
        const product = products.get(line.productId);
        const item = new xn.LineItem();
        Object.assign(item, {
          description: line.description,
          quantity: Number(line.quantity),
          unitAmount: Number(line.listPrice),
          itemCode: product.code,
          accountCode: product.salesAccountCode,
          taxType: taxRates.get(line.taxRateId).xeroTaxType,
        });
        if (line.discount) item.discountRate = Number(line.discount.percent);
        return item;
      }),
    });
    return invoice;
  });
}

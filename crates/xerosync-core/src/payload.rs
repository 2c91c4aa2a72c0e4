//! Payload builders: CRM records → Xero `Items` (S2), `Contacts` (S3), `Invoices` and `CreditNotes` (S4-S7).

use crate::decimal::places;
use crate::decode::Ctx;
use crate::error::{Error, RecordKind, RecordRef};
use crate::money::XeroDiscount;
use crate::preview::{plan_invoice, InvoicePlan};
use crate::records::{Address, Company, Invoice, InvoiceKind, Person, Product};
use crate::xero;
use rust_decimal::Decimal;

/// An invoice or credit note ready for Xero, and whether its request needs `unitdp=4`.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentPayload {
    pub document: xero::Document,
    pub needs_unitdp4: bool,
}

fn non_blank(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The contact an invoice points at: by `ContactID` when known, else by name and `ContactNumber` (the CRM id).
pub fn contact_reference(company: &Company, contact_id: Option<&str>) -> xero::Contact {
    match non_blank(contact_id).or_else(|| non_blank(company.xero_contact_id.as_deref())) {
        Some(id) => xero::Contact {
            contact_id: Some(id),
            ..Default::default()
        },
        None => xero::Contact {
            name: Some(company.name.trim().to_string()),
            contact_number: Some(company.id.clone()),
            ..Default::default()
        },
    }
}

/// Builds the Xero document from a resolved plan (rules S4-S7). `contact_id` overrides the company's stored one
/// (the send plan passes the ContactID Xero just returned).
pub fn build_document(
    plan: &InvoicePlan<'_>,
    company: &Company,
    ctx: &Ctx,
    contact_id: Option<&str>,
) -> Result<DocumentPayload, Error> {
    let invoice = plan.invoice;
    if !plan.held.is_empty() {
        return Err(Error::InvoiceHeld {
            record: invoice.record_ref(),
            reason: plan.held.join("; "),
        });
    }
    let record = invoice.record_ref();
    let line_items = plan
        .lines
        .iter()
        .enumerate()
        .map(|(index, l)| {
            let product = l.product;
            let description = non_blank(Some(&l.line.description))
                .or_else(|| non_blank(product.and_then(|p| p.description.as_deref())))
                .or_else(|| product.map(|p| p.name.clone()))
                .unwrap_or_default();
            Ok(xero::LineItem {
                description,
                quantity: l.line.quantity,
                unit_amount: l.money.unit_amount,
                item_code: product.map(|p| p.code.clone()),
                account_code: non_blank(l.line.account_code.as_deref())
                    .or_else(|| non_blank(product.and_then(|p| p.sales_account_code.as_deref())))
                    .or_else(|| non_blank(ctx.settings.default_sales_account_code.as_deref())),
                tax_type: l.tax_rate.and_then(|t| t.xero_tax_type.clone()),
                discount_rate: match l.money.discount {
                    XeroDiscount::Rate(r) => Some(r),
                    _ => None,
                },
                discount_amount: match l.money.discount {
                    XeroDiscount::Amount(a) => Some(a),
                    _ => None,
                },
                tax_amount: plan.explicit_tax.then_some(l.tax_amount),
                tracking: line_tracking(&record, index, &l.line.tracking, ctx)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let contact = contact_reference(company, contact_id);
    let xero_id = non_blank(invoice.xero_id.as_deref());
    let reference = non_blank(invoice.reference.as_deref());
    let date = invoice.issue_date.to_string();
    let due_date = invoice.due_date.map(|d| d.to_string());
    let currency_code = check_currency(invoice, ctx)?;
    let line_amount_types = invoice.amounts_are.xero_name().to_string();
    let currency_rate = check_currency_rate(invoice)?;
    let branding_theme_id = branding_theme(invoice, company, ctx)?;
    // Rule S4: created as DRAFT. A document Xero already has (we know its id) keeps its status: Xero refuses to turn
    // an approved invoice back into a draft, and rule S8 wants the re-send to update it.
    let status = xero_id.is_none().then(|| "DRAFT".to_string());
    let document = match invoice.kind {
        InvoiceKind::Invoice => xero::Document::Invoice(xero::Invoice {
            kind: "ACCREC".into(),
            invoice_id: xero_id,
            invoice_number: invoice.number.clone(),
            reference,
            contact,
            date,
            due_date,
            currency_code,
            line_amount_types,
            currency_rate,
            branding_theme_id: branding_theme_id.clone(),
            status,
            line_items,
        }),
        InvoiceKind::CreditNote => xero::Document::CreditNote(xero::CreditNote {
            kind: "ACCRECCREDIT".into(),
            credit_note_id: xero_id,
            credit_note_number: invoice.number.clone(),
            reference,
            contact,
            date,
            due_date,
            currency_code,
            line_amount_types,
            currency_rate,
            branding_theme_id,
            status,
            line_items,
        }),
    };
    Ok(DocumentPayload {
        document,
        needs_unitdp4: plan.needs_unitdp4(),
    })
}

/// Rule K1: a line's CRM tracking fields as Xero tracking, through `settings.trackingMapping`. A field without a
/// mapping is not sent (a CRM has many line fields); a mapped field whose value has no option is an error naming it,
/// rather than a line silently left untracked. Xero takes at most two categories.
fn line_tracking(
    record: &RecordRef,
    index: usize,
    tracking: &std::collections::BTreeMap<String, String>,
    ctx: &Ctx,
) -> Result<Vec<xero::LineTracking>, Error> {
    let mut out = Vec::new();
    for (field, value) in tracking {
        let Some(map) = ctx.settings.tracking_mapping.get(field) else {
            continue;
        };
        let path = format!("lines[{index}].tracking.{field}");
        if value.trim().is_empty() {
            continue;
        }
        let option = map.options.get(value).ok_or_else(|| {
            Error::invalid(
                record,
                &path,
                format!(
                    "no Xero option of tracking category {:?} for {value:?} in settings.trackingMapping",
                    map.category
                ),
            )
        })?;
        if out
            .iter()
            .any(|t: &xero::LineTracking| t.name == map.category)
        {
            return Err(Error::invalid(
                record,
                &path,
                format!(
                    "tracking category {:?} is mapped from two fields",
                    map.category
                ),
            ));
        }
        out.push(xero::LineTracking {
            name: map.category.clone(),
            option: option.clone(),
        });
    }
    if out.len() > 2 {
        return Err(Error::invalid(
            record,
            format!("lines[{index}].tracking"),
            format!(
                "Xero takes at most 2 tracking categories a line, got {}",
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// Rule M1: only a currency the organisation has enabled, when the caller said which (`ctx.currencies`).
fn check_currency(invoice: &Invoice, ctx: &Ctx) -> Result<String, Error> {
    let code = invoice.currency.trim().to_ascii_uppercase();
    match &ctx.currencies {
        Some(enabled) if !enabled.contains(&code) => Err(Error::UnknownCurrency {
            record: invoice.record_ref(),
            field: "currency".into(),
            currency: code,
        }),
        _ => Ok(invoice.currency.clone()),
    }
}

/// Rule M1: a rate the CRM fixed must be positive, at most 6 decimals (Xero's precision).
fn check_currency_rate(invoice: &Invoice) -> Result<Option<Decimal>, Error> {
    match invoice.currency_rate {
        None => Ok(None),
        Some(rate) if rate > Decimal::ZERO && places(rate) <= 6 => Ok(Some(rate.normalize())),
        Some(rate) => Err(Error::invalid(
            &invoice.record_ref(),
            "currencyRate",
            format!("must be above 0 with at most 6 decimals, got {rate}"),
        )),
    }
}

/// Rule K2: the invoice's branding theme, else its company's, else the settings'; a Xero id (a GUID).
fn branding_theme(
    invoice: &Invoice,
    company: &Company,
    ctx: &Ctx,
) -> Result<Option<String>, Error> {
    let (field, id) = match (
        non_blank(invoice.branding_theme_id.as_deref()),
        non_blank(company.branding_theme_id.as_deref()),
        non_blank(ctx.settings.branding_theme_id.as_deref()),
    ) {
        (Some(id), _, _) => ("brandingThemeId", id),
        (None, Some(id), _) => ("company.brandingThemeId", id),
        (None, None, Some(id)) => ("settings.brandingThemeId", id),
        (None, None, None) => return Ok(None),
    };
    if !xero::is_guid(&id) {
        return Err(Error::invalid(
            &invoice.record_ref(),
            field,
            format!("expected a Xero BrandingThemeID (a GUID), got {id:?}"),
        ));
    }
    Ok(Some(id))
}

/// `buildInvoicePayload` (rules S4-S7, T1): one Xero `Invoice` or `CreditNote`.
pub fn build_invoice_payload(invoice: &Invoice, ctx: &Ctx) -> Result<DocumentPayload, Error> {
    let company = ctx.company(&invoice.company_id, &invoice.record_ref(), "companyId")?;
    let plan = plan_invoice(invoice, ctx)?;
    build_document(&plan, company, ctx, None)
}

/// The person who goes on the company's contact (rule S3): the invoice's person, else the company's primary one.
pub fn contact_person<'a>(
    invoice: &Invoice,
    company: &'a Company,
) -> Result<Option<&'a Person>, Error> {
    match non_blank(invoice.person_id.as_deref()) {
        Some(id) => company
            .people
            .iter()
            .find(|p| p.id == id)
            .map(Some)
            .ok_or_else(|| Error::UnknownReference {
                record: invoice.record_ref(),
                field: "personId".into(),
                target: format!("person of company {}", company.id),
                target_id: id,
            }),
        None => Ok(company.primary_person()),
    }
}

/// A Xero contact for a company with one person (rule S3). The person's names and email are the contact's main
/// person: a later send with another person overwrites them rather than adding a second one. The CRM id goes in
/// `ContactNumber` (so re-sends match), the CRM account number in `AccountNumber`.
pub fn build_contact_payload(company: &Company, person: Option<&Person>) -> xero::Contact {
    xero::Contact {
        contact_id: non_blank(company.xero_contact_id.as_deref()),
        contact_number: Some(company.id.clone()),
        account_number: non_blank(company.account_number.as_deref()),
        name: Some(company.name.trim().to_string()),
        first_name: person.and_then(|p| non_blank(Some(&p.first_name))),
        last_name: person.and_then(|p| non_blank(Some(&p.last_name))),
        email_address: person.and_then(|p| non_blank(p.email.as_deref())),
        tax_number: non_blank(company.tax_number.as_deref()),
        default_currency: non_blank(company.currency.as_deref()),
        addresses: company
            .address
            .as_ref()
            .and_then(postal_address)
            .into_iter()
            .collect(),
        phones: non_blank(company.phone.as_deref())
            .map(|number| xero::Phone {
                phone_type: "DEFAULT".into(),
                phone_number: number,
            })
            .into_iter()
            .collect(),
    }
}

/// The company's address as Xero's `POBOX` (postal) address. Xero replaces a contact's address of a type whole, so
/// a fragment (a country alone, a city without a street) would blank the lines Xero has: rule S3b sends an address
/// only when it has a street line and a city or postcode, else `None` and Xero's stays. Xero has four address
/// lines: a fifth and later are joined onto the fourth rather than lost.
fn postal_address(address: &Address) -> Option<xero::ContactAddress> {
    let lines: Vec<String> = address
        .lines
        .iter()
        .filter_map(|l| non_blank(Some(l)))
        .collect();
    let placed = non_blank(address.city.as_deref()).is_some()
        || non_blank(address.postal_code.as_deref()).is_some();
    if lines.is_empty() || !placed {
        return None;
    }
    let line = |i: usize| lines.get(i).cloned();
    let built = xero::ContactAddress {
        address_type: "POBOX".into(),
        line1: line(0),
        line2: line(1),
        line3: line(2),
        line4: (lines.len() > 3).then(|| lines[3..].join(", ")),
        city: non_blank(address.city.as_deref()),
        region: non_blank(address.region.as_deref()),
        postal_code: non_blank(address.postal_code.as_deref()),
        country: non_blank(address.country.as_deref()),
    };
    let empty = xero::ContactAddress {
        address_type: built.address_type.clone(),
        ..Default::default()
    };
    (built != empty).then_some(built)
}

fn check_length(
    record: &RecordRef,
    field: &str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), Error> {
    let chars = text.chars().count();
    if text.trim().is_empty() && min > 0 {
        return Err(Error::invalid(record, field, "must not be empty"));
    }
    if chars < min || chars > max {
        return Err(Error::invalid(
            record,
            field,
            format!("must be {min} to {max} characters, got {chars}"),
        ));
    }
    Ok(())
}

/// A Xero item for a product, after the local product checks of rule S2: code 1-30 characters, name 1-50,
/// description up to 4000, a price that is not negative with at most 4 decimals, a mapped tax rate (T1).
pub fn build_item_payload(product: &Product, ctx: &Ctx) -> Result<xero::Item, Error> {
    let record = RecordRef::new(RecordKind::Product, product.id.clone());
    check_length(&record, "code", &product.code, 1, 30)?;
    check_length(&record, "name", &product.name, 1, 50)?;
    if let Some(description) = &product.description {
        check_length(&record, "description", description, 0, 4000)?;
    }
    let price = product.unit_price;
    if price < Decimal::ZERO {
        return Err(Error::invalid(
            &record,
            "unitPrice",
            format!("must not be negative, got {price}"),
        ));
    }
    if places(price) > 4 {
        return Err(Error::invalid(
            &record,
            "unitPrice",
            format!("at most 4 decimal places, got {price}"),
        ));
    }
    if price > Decimal::from(1_000_000_000_000_i64) {
        return Err(Error::invalid(
            &record,
            "unitPrice",
            format!("too large, got {price}"),
        ));
    }
    let tax_type = match non_blank(product.tax_rate_id.as_deref()) {
        None => None,
        Some(id) => {
            let rate = ctx.tax_rate(&id, &record, "taxRateId")?;
            match non_blank(rate.xero_tax_type.as_deref()) {
                Some(t) => Some(t),
                None => {
                    return Err(Error::UnmappedTaxRate {
                        record,
                        field: "taxRateId".into(),
                        tax_rate: rate.label(),
                    })
                }
            }
        }
    };
    Ok(xero::Item {
        code: product.code.clone(),
        name: product.name.clone(),
        description: non_blank(product.description.as_deref()),
        is_sold: true,
        sales_details: xero::Purchase {
            unit_price: price,
            account_code: non_blank(product.sales_account_code.as_deref())
                .or_else(|| non_blank(ctx.settings.default_sales_account_code.as_deref())),
            tax_type,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_record;
    use serde_json::{json, Value};

    fn contact_json(company: Value) -> Value {
        let company: Company = decode_record(&company, RecordKind::Company, 0).unwrap();
        serde_json::to_value(build_contact_payload(&company, company.primary_person())).unwrap()
    }

    #[test]
    fn the_contact_carries_what_the_crm_knows_rule_s3b() {
        let contact = contact_json(
            json!({ "id": "co-1", "name": "Acme Ltd", "phone": "+44 20 7946 0000",
            "taxNumber": "GB123456789", "currency": "GBP",
            "address": { "lines": ["Unit 4", "1 High St", " ", "Mill Yard", "Off Lane"], "city": "Leeds", "region": "West Yorkshire",
                         "postalCode": "LS1 1AA", "country": "GB" } }),
        );
        assert_eq!(contact["TaxNumber"], "GB123456789");
        assert_eq!(contact["DefaultCurrency"], "GBP");
        assert_eq!(
            contact["Phones"],
            json!([{ "PhoneType": "DEFAULT", "PhoneNumber": "+44 20 7946 0000" }])
        );
        assert_eq!(
            contact["Addresses"],
            json!([{ "AddressType": "POBOX", "AddressLine1": "Unit 4", "AddressLine2": "1 High St", "AddressLine3": "Mill Yard",
                     "AddressLine4": "Off Lane", "City": "Leeds", "Region": "West Yorkshire", "PostalCode": "LS1 1AA", "Country": "GB" }])
        );
    }

    /// Rule K2: the invoice's branding theme, else its company's, else the settings'; not a Xero id is an error
    /// naming the field it came from.
    #[test]
    fn branding_theme_by_precedence_rule_k2() {
        use crate::decode::{decode_invoice, Ctx};
        let (a, b, c) = (
            "5d4dd402-c851-497e-aae1-9ff265c0d15a",
            "6e5ee513-d962-4a8f-bbf2-0aa376d1e26b",
            "7f6ff624-ea73-4b90-8c03-1bb487e2f37c",
        );
        let ctx = |company: Value, settings: Value| {
            Ctx::from_json(&json!({ "companies": [company], "settings": settings,
                "taxRates": [{ "id": "t", "percent": "20", "xeroTaxType": "OUTPUT2" }] }))
            .unwrap()
        };
        let invoice = |theme: Value| {
            decode_invoice(&json!({ "id": "inv-1", "number": "INV-1", "companyId": "co-1", "issueDate": "2026-11-01",
                "currency": "GBP", "status": "Live", "total": "12.00", "amountOutstanding": "12.00", "brandingThemeId": theme,
                "lines": [{ "description": "x", "quantity": "1", "listPrice": "10", "taxRateId": "t" }] }), 0)
            .unwrap()
        };
        let theme = |inv: &Invoice, ctx: &Ctx| {
            let doc =
                serde_json::to_value(build_invoice_payload(inv, ctx).unwrap().document).unwrap();
            doc["BrandingThemeID"].as_str().map(str::to_owned)
        };
        let full = ctx(
            json!({ "id": "co-1", "name": "Acme", "brandingThemeId": b }),
            json!({ "brandingThemeId": c }),
        );
        assert_eq!(theme(&invoice(json!(a)), &full).as_deref(), Some(a));
        assert_eq!(theme(&invoice(Value::Null), &full).as_deref(), Some(b));
        let settings_only = ctx(
            json!({ "id": "co-1", "name": "Acme" }),
            json!({ "brandingThemeId": c }),
        );
        assert_eq!(
            theme(&invoice(Value::Null), &settings_only).as_deref(),
            Some(c)
        );
        let none = ctx(json!({ "id": "co-1", "name": "Acme" }), json!({}));
        assert_eq!(theme(&invoice(Value::Null), &none), None);
        let bad = ctx(
            json!({ "id": "co-1", "name": "Acme", "brandingThemeId": "Standard" }),
            json!({}),
        );
        let err = build_invoice_payload(&invoice(Value::Null), &bad).unwrap_err();
        assert!(
            err.to_string()
                .contains("invoice inv-1: company.brandingThemeId"),
            "{err}"
        );
    }

    /// Rule S3b: a field the CRM leaves empty is not sent, so it never blanks Xero's.
    #[test]
    fn empty_fields_are_not_sent_rule_s3b() {
        let contact = contact_json(
            json!({ "id": "co-1", "name": "Acme Ltd", "phone": " ", "taxNumber": "",
            "address": { "lines": ["", " "], "city": "" } }),
        );
        for absent in ["Phones", "Addresses", "TaxNumber", "DefaultCurrency"] {
            assert!(contact.get(absent).is_none(), "{absent} sent: {contact}");
        }
        // A fragment of an address would replace Xero's whole postal address: it is not sent either.
        for fragment in [
            json!({ "country": "GB" }),
            json!({ "lines": ["1 High St"] }),
            json!({ "city": "Leeds", "postalCode": "LS1 1AA" }),
        ] {
            let contact =
                contact_json(json!({ "id": "co-1", "name": "Acme Ltd", "address": fragment }));
            assert!(contact.get("Addresses").is_none(), "{contact}");
        }
    }
}

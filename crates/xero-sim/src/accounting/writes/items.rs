//! Items: code ≤ 30 and unique, name ≤ 50, sales details.

use serde_json::Value;
use uuid::Uuid;

use super::{check_len, Outcome, WriteCtx, WriteMode, NOT_FOUND};
use crate::json::{bool_field, decimal_field, str_field};
use crate::maths;
use crate::store::Item;

/// Creates or updates one item.
pub fn item(ctx: &mut WriteCtx, body: &Value, mode: WriteMode, path_key: Option<&str>) -> Outcome {
    if !body.is_object() {
        return Err(vec!["Item must be a JSON object.".to_owned()]);
    }
    let tenant = &*ctx.tenant;
    let code = str_field(body, "Code").map(|c| c.trim().to_owned());
    let existing = match path_key.or_else(|| str_field(body, "ItemID")) {
        Some(key) => Some(
            Uuid::parse_str(key)
                .ok()
                .and_then(|id| tenant.items.iter().find(|i| i.id == id))
                .or_else(|| tenant.item_by_code(key))
                .cloned()
                .ok_or_else(|| vec![NOT_FOUND.to_owned()])?,
        ),
        None if mode == WriteMode::CreateOrUpdate => code
            .as_deref()
            .and_then(|c| tenant.item_by_code(c))
            .cloned(),
        None => None,
    };
    let mut errors = Vec::new();
    let code = match (code, &existing) {
        (Some(c), _) if !c.is_empty() => c,
        (None, Some(old)) => old.code.clone(),
        _ => {
            errors.push("Item Code must be specified.".to_owned());
            String::new()
        }
    };
    if code.chars().count() > 30 {
        errors.push("The Item Code must be no more than 30 characters long.".to_owned());
    }
    if let Some(other) = tenant.item_by_code(&code) {
        if Some(other.id) != existing.as_ref().map(|i| i.id) {
            errors.push(format!("Item code '{code}' already exists."));
        }
    }
    let name = check_len(&mut errors, body, "Name", 50);
    let description = check_len(&mut errors, body, "Description", 4000);
    let sales = body.get("SalesDetails");
    let mut price = None;
    let mut account = None;
    let mut tax = None;
    if let Some(s) = sales {
        price = match decimal_field(s, "UnitPrice") {
            Ok(p) => p.map(|p| maths::round_to(p, ctx.unit_dp)),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        account = str_field(s, "AccountCode").map(str::to_owned);
        if let Some(a) = &account {
            if tenant.account(a).is_none() {
                errors.push(format!("Account code '{a}' is not a valid code."));
            }
        }
        tax = str_field(s, "TaxType").map(str::to_owned);
        if let Some(t) = &tax {
            if !tenant
                .tax_rate(t)
                .is_some_and(|r| r.status == "ACTIVE" && r.revenue)
            {
                errors.push(format!(
                    "The TaxType code '{t}' does not exist or cannot be used for this type of transaction."
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let old = existing.unwrap_or_else(|| Item {
        id: Uuid::new_v4(),
        code: code.clone(),
        name: code.clone(),
        description: None,
        sales_price: None,
        sales_account: None,
        sales_tax_type: None,
        is_sold: true,
        is_purchased: false,
        updated: ctx.now,
    });
    let item = Item {
        code,
        name: name.unwrap_or(old.name.clone()),
        description: description.or(old.description.clone()),
        sales_price: price.or(old.sales_price),
        sales_account: account.or(old.sales_account.clone()),
        sales_tax_type: tax.or(old.sales_tax_type.clone()),
        is_sold: bool_field(body, "IsSold").unwrap_or(old.is_sold),
        is_purchased: bool_field(body, "IsPurchased").unwrap_or(old.is_purchased),
        updated: ctx.now,
        ..old
    };
    let id = item.id;
    match ctx.tenant.items.iter_mut().find(|i| i.id == id) {
        Some(slot) => *slot = item,
        None => ctx.tenant.items.push(item),
    }
    Ok(id)
}

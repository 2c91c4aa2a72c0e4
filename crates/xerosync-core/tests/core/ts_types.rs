//! The npm package's `types.generated.d.ts` is what the Rust types give (xerosync_core::ts): a Rust type changed
//! without its TypeScript fails here. `UPDATE_TYPES=1 cargo test -p xerosync-core --test core ts_types` rewrites it.

use std::path::Path;

#[test]
fn ts_types_generated_d_ts_is_what_the_rust_types_give() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../xerosync-wasm/types.generated.d.ts");
    let generated = xerosync_core::ts::declarations();
    if std::env::var_os("UPDATE_TYPES").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write types.generated.d.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "crates/xerosync-wasm/types.generated.d.ts differs from the Rust types from line {}:\n  committed: {:?}\n  generated: {:?}\n\
             Run `UPDATE_TYPES=1 cargo test -p xerosync-core --test core ts_types`, then check index.d.ts and the package's tests.",
            line + 1,
            committed.lines().nth(line).unwrap_or("(end of file)"),
            generated.lines().nth(line).unwrap_or("(end of file)"),
        );
    }
}

/// The TypeScript `Ctx` (xerosync_core::ts::CtxInput) names the fields `Ctx::from_json` reads: a context written
/// through it is read back whole.
#[test]
fn ts_ctx_is_what_ctx_from_json_reads() {
    use serde_json::json;
    use xerosync_core::{Ctx, RecordKind, RecordRef};
    let ctx = json!({
        "companies": [{ "id": "co-1", "name": "Acme Ltd", "people": [] }],
        "products": [{ "id": "pr-1", "code": "W", "name": "Widget", "unitPrice": "30.00" }],
        "taxRates": [{ "id": "vat20", "name": "VAT 20%", "percent": "20", "xeroTaxType": "OUTPUT2" }],
        "settings": { "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "rate" },
        "currencies": ["GBP"]
    });
    let typed: xerosync_core::ts::CtxInput =
        serde_json::from_value(ctx).expect("the TypeScript Ctx reads a context");
    let written = serde_json::to_value(&typed).expect("written");
    let read = Ctx::from_json(&written).expect("from_json reads it");
    let from = RecordRef::anonymous(RecordKind::Invoice);
    assert!(read.company("co-1", &from, "companyId").is_ok());
    assert!(read.product("pr-1", &from, "productId").is_ok());
    assert!(read.tax_rate("vat20", &from, "taxRateId").is_ok());
    assert_eq!(
        read.settings.default_sales_account_code.as_deref(),
        Some("200")
    );
    assert!(read.currencies.is_some_and(|c| c.contains("GBP")));
}

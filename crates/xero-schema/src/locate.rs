//! Where Xero's OpenAPI files are: the repository's own copy in `third_party/xero-openapi/`.
//!
//! The files are vendored, so a fresh clone has everything it needs. The directory is fixed at compile time from this
//! crate's manifest directory, so it does not depend on the working directory or on which crate's tests are running;
//! `$XERO_OPENAPI_DIR` overrides it (to try another spec version without touching the vendored copy).

use std::path::PathBuf;

use crate::SchemaError;

/// The environment variable that, when set, replaces [`VENDORED_DIR`].
pub const DIR_ENV: &str = "XERO_OPENAPI_DIR";

/// The accounting API description, the one file the validator needs.
pub const ACCOUNTING_FILE: &str = "xero_accounting.yaml";

/// The vendored copy, `third_party/xero-openapi/` at the repository root (two levels above this crate).
pub const VENDORED_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../third_party/xero-openapi"
);

/// Where the OpenAPI files are: `$XERO_OPENAPI_DIR` if set, else [`VENDORED_DIR`]. Either way the directory must
/// hold [`ACCOUNTING_FILE`]; nothing else is searched.
pub fn openapi_dir() -> Result<PathBuf, SchemaError> {
    let dir = std::env::var_os(DIR_ENV).map_or_else(|| PathBuf::from(VENDORED_DIR), PathBuf::from);
    if dir.join(ACCOUNTING_FILE).is_file() {
        Ok(dir)
    } else {
        Err(SchemaError::NotFound { dir })
    }
}

//! Finding `../shared/xero-openapi/` without copying it into the repository.
//!
//! The repository (`/work/main` locally, a clean clone in CI) has the shared folder as a sibling of its root, so we
//! walk up from every starting point we know and look for a `shared/xero-openapi` directory beside each ancestor.

use std::path::{Path, PathBuf};

use crate::SchemaError;

/// The environment variable that overrides the search.
pub const DIR_ENV: &str = "XERO_OPENAPI_DIR";

/// The accounting API description, the one file the validator needs.
pub const ACCOUNTING_FILE: &str = "xero_accounting.yaml";

/// Where the OpenAPI files are: `$XERO_OPENAPI_DIR` if set, else the first `shared/xero-openapi` found walking up
/// from `$CARGO_MANIFEST_DIR` (of the crate under test), this crate's own manifest dir, then the current directory.
pub fn openapi_dir() -> Result<PathBuf, SchemaError> {
    if let Some(dir) = std::env::var_os(DIR_ENV) {
        let dir = PathBuf::from(dir);
        return if dir.join(ACCOUNTING_FILE).is_file() {
            Ok(dir)
        } else {
            Err(SchemaError::NotFound {
                searched: vec![dir],
            })
        };
    }
    let mut starts: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        starts.push(PathBuf::from(dir));
    }
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    if let Ok(dir) = std::env::current_dir() {
        starts.push(dir);
    }
    let mut searched = Vec::new();
    for start in &starts {
        if let Some(found) = search_up(start, &mut searched) {
            return Ok(found);
        }
    }
    Err(SchemaError::NotFound { searched })
}

fn search_up(start: &Path, searched: &mut Vec<PathBuf>) -> Option<PathBuf> {
    for ancestor in start.ancestors() {
        let candidate = ancestor.join("shared").join("xero-openapi");
        if candidate.join(ACCOUNTING_FILE).is_file() {
            return Some(candidate);
        }
        if !searched.contains(&candidate) {
            searched.push(candidate);
        }
    }
    None
}

//! The bindings' own errors, and how every error reaches JS: a real `Error` with `code` (and `record`, `field` when the
//! core names them), never a bare string.

use js_sys::{Object, Reflect, JSON};
use serde_json::Value;
use wasm_bindgen::JsValue;

/// What can go wrong in the bindings themselves; everything else is a [`xerosync_core::Error`].
#[derive(Debug, thiserror::Error)]
pub enum BindingError {
    /// A JS argument that is not plain JSON data (a function, a symbol, a BigInt, a cyclic object…).
    #[error("{argument}: not plain JSON data: {message}")]
    InvalidArgument {
        /// The parameter's name in the JS signature, e.g. `invoices`.
        argument: &'static str,
        /// serde-wasm-bindgen's explanation.
        message: String,
    },
    /// A result that could not be turned into a JS value (a defect: results are JSON).
    #[error("result not representable in JS: {0}")]
    Result(String),
}

impl BindingError {
    /// A stable code, as `err.code` in JS.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidArgument { .. } => "invalid_argument",
            Self::Result(_) => "internal",
        }
    }

    /// The JS `Error` for this failure.
    pub fn to_js(&self) -> JsValue {
        let mut fields = serde_json::Map::new();
        fields.insert("code".into(), self.code().into());
        if let Self::InvalidArgument { argument, .. } = self {
            fields.insert("field".into(), (*argument).into());
        }
        js_error(&self.to_string(), &fields)
    }
}

/// Codes only `XeroClient` throws: the proxy could not be reached, it answered an error without a code, or the
/// runtime lacks `fetch`/`setTimeout`. (Listed by the tests whatever the features; only the client uses them.)
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub const PROXY_UNREACHABLE: &str = "proxy_unreachable";
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub const PROXY_ERROR: &str = "proxy_error";
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub const UNSUPPORTED_RUNTIME: &str = "unsupported_runtime";

/// Every `code` a function of the package or `XeroClient` may throw (or a run may stop with), without duplicates: the
/// core's, the proxy's (passed through by the client), the runs' stops, the bindings' and the client's own. The list is
/// the core's ([`xerosync_core::error::all_codes`]), which also gives the TypeScript `ErrorCode`: a code of this crate
/// is listed there ([`xerosync_core::error::PACKAGE_CODES`]).
pub fn all_codes() -> Vec<&'static str> {
    xerosync_core::error::all_codes()
}

/// The JS `Error` for a core error: its message, plus every other key of [`xerosync_core::Error::to_json`]
/// (`code`, `record`, `field`) as a property.
pub fn core_error(err: &xerosync_core::Error) -> JsValue {
    match err.to_json() {
        Value::Object(fields) => js_error(&err.to_string(), &fields),
        _ => js_error(&err.to_string(), &serde_json::Map::new()),
    }
}

fn js_error(message: &str, fields: &serde_json::Map<String, Value>) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("XerosyncError");
    let object: &Object = error.as_ref();
    for (key, value) in fields {
        if key == "message" {
            continue;
        }
        let value = match value {
            Value::String(text) => JsValue::from_str(text),
            other => JSON::parse(&other.to_string()).unwrap_or(JsValue::UNDEFINED),
        };
        // Setting a property on a fresh Error cannot fail; if it ever did, the message still says it all.
        let _ = Reflect::set(object, &JsValue::from_str(key), &value);
    }
    error.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes this crate throws are in the core's list (`errorCodes()` and the TypeScript `ErrorCode`).
    #[test]
    fn the_bindings_and_client_codes_are_listed() {
        let bindings = [
            BindingError::InvalidArgument {
                argument: "x",
                message: String::new(),
            }
            .code(),
            BindingError::Result(String::new()).code(),
        ];
        for code in
            bindings
                .into_iter()
                .chain([PROXY_UNREACHABLE, PROXY_ERROR, UNSUPPORTED_RUNTIME])
        {
            assert!(all_codes().contains(&code), "{code}");
        }
    }
}

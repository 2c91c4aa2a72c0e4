//! JsValue <-> serde_json::Value at the boundary; all logic is in `xerosync_core::api`.
//!
//! Why through JSON text and not serde-wasm-bindgen: walking a JS object graph from wasm costs one boundary call per
//! property (about 60 µs for one 5-line invoice), while V8's `JSON.stringify`/`JSON.parse` plus serde_json cost a few
//! µs; the arguments are JSON records anyway. So arguments are read as `JSON.stringify` sees them (`undefined` and
//! function-valued properties are absent, a `Date` is its ISO string), and results are plain JS objects.

use js_sys::JSON;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{core_error, BindingError};

/// A JS argument as JSON (`undefined` becomes `null`, which the core reads as "absent").
pub fn json(argument: &'static str, value: JsValue) -> Result<Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    let text = json_text(argument, value)?;
    serde_json::from_str(&text).map_err(|e| {
        BindingError::InvalidArgument {
            argument,
            message: e.to_string(),
        }
        .to_js()
    })
}

/// A JS argument as JSON text, as `JSON.stringify` writes it (`undefined` becomes `null`).
pub fn json_text(argument: &'static str, value: JsValue) -> Result<String, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok("null".to_owned());
    }
    let invalid = |message: String| BindingError::InvalidArgument { argument, message }.to_js();
    let text = JSON::stringify(&value).map_err(|e| invalid(js_message(&e)))?;
    // `JSON.stringify` answers `undefined` (not a string) for a function or a symbol.
    if !text.is_string() {
        return Err(invalid(format!(
            "a {} is not JSON data",
            value.js_typeof().as_string().unwrap_or_default()
        )));
    }
    Ok(rust_string(&text))
}

/// From this many UTF-16 units on, a JS string comes into wasm through `TextEncoder.encode` and one copy.
const LONG_TEXT: u32 = 16 * 1024;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &js_sys::JsString) -> js_sys::Uint8Array;
}

/// A JS string as a Rust one. wasm-bindgen's own way copies an ASCII string one character at a time in a JS loop,
/// which was a sixth of `buildRequestBodies` for 10,000 invoices (issue 13); the runtime's `TextEncoder` does it
/// natively. Both replace a lone surrogate with U+FFFD, so the text is the same either way.
fn rust_string(text: &JsValue) -> String {
    let text: &js_sys::JsString = text.unchecked_ref();
    if text.length() < LONG_TEXT {
        return String::from(text);
    }
    let bytes = TextEncoder::new().encode(text).to_vec();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A core result as a plain JS value, or a thrown `Error`.
pub fn call(result: Result<Value, xerosync_core::Error>) -> Result<JsValue, JsValue> {
    let value = result.map_err(|e| core_error(&e))?;
    let text =
        serde_json::to_string(&value).map_err(|e| BindingError::Result(e.to_string()).to_js())?;
    JSON::parse(&text).map_err(|e| BindingError::Result(js_message(&e)).to_js())
}

/// A core result given as JSON text, as a plain JS value, or a thrown `Error`.
pub fn parse_text(result: Result<String, xerosync_core::Error>) -> Result<JsValue, JsValue> {
    let text = result.map_err(|e| core_error(&e))?;
    JSON::parse(&text).map_err(|e| BindingError::Result(js_message(&e)).to_js())
}

/// `buildRequestBodies`' answer: the bodies stay strings (one UTF-8 decode each, never parsed), the rest is JSON.
pub fn request_bodies(bodies: xerosync_core::batch::RequestBodies) -> Result<JsValue, JsValue> {
    let strings = |list: Vec<String>| list.iter().map(JsValue::from).collect::<js_sys::Array>();
    let failed = serde_json::to_string(&bodies.failed)
        .map_err(|e| BindingError::Result(e.to_string()).to_js())?;
    let answer = js_sys::Object::new();
    for (key, value) in [
        ("invoices", strings(bodies.invoices).into()),
        ("creditNotes", strings(bodies.credit_notes).into()),
        ("failed", JSON::parse(&failed)?),
        ("needsUnitdp4", JsValue::from_bool(bodies.needs_unitdp4)),
    ] {
        js_sys::Reflect::set(&answer, &JsValue::from_str(key), &value)?;
    }
    Ok(answer.into())
}

/// The message of a thrown JS value (a `TypeError` from `JSON.stringify` on a cycle or a BigInt).
fn js_message(thrown: &JsValue) -> String {
    thrown
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "not JSON data".to_owned())
}

//! Small JS helpers of the client: the clock, timers, abort signals, errors with a `code`, options read by name.

use js_sys::{Function, Object, Promise, Reflect};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// Milliseconds since the epoch (the `now` every core run takes).
pub fn now() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

fn global_function(name: &str) -> Result<Function, JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))?
        .dyn_into::<Function>()
        .map_err(|_| {
            error(
                crate::error::UNSUPPORTED_RUNTIME,
                &format!("no global {name}()"),
            )
        })
}

/// A timer: resolves after its milliseconds; dropping it clears the timeout (so Node does not wait for it).
pub struct Sleep {
    future: JsFuture,
    handle: JsValue,
}

impl Future for Sleep {
    type Output = Result<JsValue, JsValue>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.future).poll(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Ok(clear) = global_function("clearTimeout") {
            let _ = clear.call1(&JsValue::NULL, &self.handle);
        }
    }
}

/// Resolves after `ms` milliseconds (`setTimeout`, in browsers and in Node).
pub fn sleep(ms: u64) -> Sleep {
    let mut handle = JsValue::UNDEFINED;
    let promise = Promise::new(&mut |resolve, reject| match global_function("setTimeout") {
        Ok(set_timeout) => {
            match set_timeout.call2(&JsValue::NULL, &resolve, &JsValue::from_f64(ms as f64)) {
                Ok(h) => handle = h,
                Err(e) => {
                    let _ = reject.call1(&JsValue::NULL, &e);
                }
            }
        }
        Err(e) => {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    Sleep {
        future: JsFuture::from(promise),
        handle,
    }
}

/// Resolves when `signal` aborts (at once if it already has).
pub fn aborted(signal: &AbortSignal) -> JsFuture {
    let promise = Promise::new(&mut |resolve, _| {
        if signal.aborted() {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        }
        let once = Object::new();
        let _ = Reflect::set(&once, &"once".into(), &JsValue::TRUE);
        let _ = Reflect::get(signal, &"addEventListener".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .map(|add| add.call3(signal, &"abort".into(), &resolve, &once));
    });
    JsFuture::from(promise)
}

/// A JS `Error` (name `XerosyncError`) with a stable `code`, as every error of the package.
pub fn error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("XerosyncError");
    let _ = Reflect::set(&error, &"code".into(), &JsValue::from_str(code));
    error.into()
}

/// `options[name]` as a JS value (`undefined` when `options` is not an object).
pub fn field(options: &JsValue, name: &str) -> JsValue {
    if options.is_object() {
        Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// `options[name]` as JSON data (`Value::Null` when absent).
pub fn json_field(options: &JsValue, name: &'static str) -> Result<Value, JsValue> {
    crate::convert::json(name, field(options, name))
}

/// `options[name]` if it is a function.
pub fn function_field(options: &JsValue, name: &str) -> Result<Option<Function>, JsValue> {
    let value = field(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.dyn_into::<Function>().map(Some).map_err(|_| {
        error(
            "invalid_options",
            &format!("options.{name}: expected a function"),
        )
    })
}

/// A JSON value as a plain JS value.
pub fn to_js(value: &Value) -> Result<JsValue, JsValue> {
    crate::convert::call(Ok(value.clone()))
}

/// `console.warn(message)`, when there is a console (a failure the caller must not see as a thrown error).
pub fn warn(message: &str) {
    let warn = Reflect::get(&js_sys::global(), &"console".into())
        .and_then(|console| Ok((Reflect::get(&console, &"warn".into())?, console)));
    if let Ok((f, console)) = warn {
        if let Ok(f) = f.dyn_into::<Function>() {
            let _ = f.call1(&console, &JsValue::from_str(message));
        }
    }
}

/// `{ code, message }` of a thrown error (the package's errors carry a `code`).
pub fn error_json(e: &JsValue) -> Value {
    let text = |name: &str| {
        Reflect::get(e, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    serde_json::json!({
        "code": text("code").unwrap_or_else(|| crate::error::PROXY_ERROR.into()),
        "message": text("message").or_else(|| e.as_string()).unwrap_or_default(),
    })
}

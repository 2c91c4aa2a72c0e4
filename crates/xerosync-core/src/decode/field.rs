//! Which field a serde_json error of a record's text is about, and its message as decoding from a `Value` gave it.
//!
//! The text decoded on the failure path is the record re-read in a `Value`'s member order with its numbers as written
//! (`canonical`, see `decode_record_slowly`), so the value at the path can be looked up. The messages of serde's two JSON deserializers differ in one place only: an enum given
//! neither as a string nor as a one-member object (`"status": 3`, `"status": {}`). The text deserializer then says
//! `expected value` (or meets the object's members as a variant); the `Value` one, whose messages rule L2 has always
//! shown, says what it got. Those are rewritten to the `Value` deserializer's words, at the enum's path.

use super::message_of;
use super::path::{offset_of, path_at, Path, Segment};
use serde::de::{Error as _, Unexpected};
use serde_json::Value;

/// The path of the field `err` is about, and its message (without serde_json's position).
pub fn locate(text: &str, value: &Value, err: &serde_json::Error) -> (Path, String) {
    let message = message_of(err);
    let offset = offset_of(text, err.line(), err.column());
    if message == "expected value" {
        // Said one byte past the first byte of an enum's value that is no string and no object, or of an empty
        // object's `}`; or, of an object whose first member was a unit variant (`{"Live":null,…}`), at the `,`
        // after that member's `null` (then the path is the member's: the enum is its parent).
        let at = offset.saturating_sub(1);
        let mut path = path_at(text, at);
        if text.get(..=at).is_some_and(|read| read.ends_with("null")) {
            path.0.pop();
        }
        let message = match lookup(value, &path) {
            Some(Value::Object(_)) => not_single_key(),
            Some(other) => {
                serde_json::Error::invalid_type(unexpected(other), &"string or map").to_string()
            }
            None => message,
        };
        return (path, message);
    }
    let path = path_at(text, offset);
    // An enum given as an object of several members: the text deserializer reads the first as the variant.
    if message.starts_with("unknown variant `") && is_multi_member(lookup(value, &path)) {
        return (path, not_single_key());
    }
    if message.ends_with(", expected unit") {
        let mut parent = path.clone();
        parent.0.pop();
        if is_multi_member(lookup(value, &parent)) {
            return (parent, not_single_key());
        }
    }
    (path, message)
}

fn not_single_key() -> String {
    serde_json::Error::invalid_value(Unexpected::Map, &"map with a single key").to_string()
}

fn is_multi_member(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Object(members)) if members.len() != 1)
}

fn lookup<'a>(value: &'a Value, path: &Path) -> Option<&'a Value> {
    path.0
        .iter()
        .try_fold(value, |value, segment| match segment {
            Segment::Key(key) => value.get(key.as_str()),
            Segment::Index(index) => value.get(*index),
        })
}

/// How serde names a JSON value in `invalid type` messages (as serde_json's `Value` deserializer does).
fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Unexpected::Unsigned(u),
            (None, Some(i), _) => Unexpected::Signed(i),
            (None, None, f) => Unexpected::Float(f.unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

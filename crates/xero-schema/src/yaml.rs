//! YAML to JSON, by hand: serde_yaml can give mapping keys that are numbers or booleans (status codes such as `200:`
//! unquoted), which `serde_json::Value` cannot hold, so every key becomes its string form.

use serde_json::{Map, Number, Value};
use serde_yaml::Value as Yaml;

pub fn to_json(yaml: Yaml) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => number(&n),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Yaml::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, value) in map {
                out.insert(key_string(key), to_json(value));
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => to_json(tagged.value),
    }
}

fn number(n: &serde_yaml::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::Number(i.into())
    } else if let Some(u) = n.as_u64() {
        Value::Number(u.into())
    } else {
        n.as_f64()
            .and_then(Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }
}

fn key_string(key: Yaml) -> String {
    match key {
        Yaml::String(s) => s,
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Null => "null".to_owned(),
        other => serde_yaml::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

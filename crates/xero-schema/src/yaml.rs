//! YAML text to JSON, straight into `serde_json::Value` (serde-saphyr builds no YAML tree of its own).
//!
//! The result is the JSON an OpenAPI tool expects, as serde_yaml gave it before:
//! - mapping keys are strings: `serde_json::Value` asks for string keys and gets a plain scalar's text, so an
//!   unquoted status code such as `200:` is the key `"200"`;
//! - plain scalars are typed as serde_yaml typed them: only `true`/`false` are booleans (YAML 1.2, not 1.1's `yes`
//!   or `on`), and a number spelt with a redundant leading zero or an underscore stays text (`example: 090` for an
//!   `AccountCode` is the string `"090"`, not 90).

use serde_json::Value;

/// Parses one YAML document.
pub fn parse(text: &str) -> Result<Value, Box<serde_saphyr::Error>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(Box::new)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_are_strings_and_scalars_follow_yaml_1_2_core() {
        let text = "responses:\n  200:\n    description: OK\n  true: yes\nexample: 090\nbig: 1_000\ncount: 7\nrate: 2.5\nnothing:\n";
        let expected = json!({
            "responses": { "200": { "description": "OK" }, "true": "yes" },
            "example": "090",
            "big": "1_000",
            "count": 7,
            "rate": 2.5,
            "nothing": null,
        });
        assert_eq!(parse(text).unwrap(), expected);
    }

    #[test]
    fn broken_yaml_is_an_error() {
        assert!(parse("a: [1, 2\nb: }").is_err());
    }
}

//! A record's JSON text rewritten the way a `serde_json::Value` holds it, its strings and numbers as written.
//!
//! Before issue 13 every record was decoded from a `Value`: its members in key order (a `BTreeMap`), a repeated key's
//! last value kept. So when a record has several bad fields, the error named the first by key. The failure path
//! decodes this text instead, so the first error serde meets is the same one. Numbers are copied as written, not
//! written out again from a `Value`: serde_json's default float parser may be one ulp off for some 16+ digit
//! numbers, and the same digits parse to the same `f64` the `Value` held.

use std::collections::BTreeMap;

enum Node<'a> {
    /// Members by decoded key: (the key as written, the value).
    Object(BTreeMap<String, (&'a str, Node<'a>)>),
    Array(Vec<Node<'a>>),
    /// A string, number, `true`, `false` or `null`, as written.
    Scalar(&'a str),
}

/// `text` (one JSON value) with members in key order, repeated keys dropped but the last, and no whitespace; `None`
/// when it is not JSON.
pub fn canonical(text: &str) -> Option<String> {
    let mut reader = Reader { text, at: 0 };
    let node = reader.value()?;
    reader.skip_whitespace();
    if reader.at != text.len() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    write(&node, &mut out);
    Some(out)
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `byte` after any whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    fn value(&mut self) -> Option<Node<'a>> {
        self.skip_whitespace();
        match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut members = BTreeMap::new();
                if self.eat(b'}').is_some() {
                    return Some(Node::Object(members));
                }
                loop {
                    self.skip_whitespace();
                    let written = self.string()?;
                    let key: String = serde_json::from_str(written).ok()?;
                    self.eat(b':')?;
                    let value = self.value()?;
                    members.insert(key, (written, value));
                    if self.eat(b',').is_none() {
                        self.eat(b'}')?;
                        return Some(Node::Object(members));
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_some() {
                    return Some(Node::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b',').is_none() {
                        self.eat(b']')?;
                        return Some(Node::Array(items));
                    }
                }
            }
            b'"' => self.string().map(Node::Scalar),
            _ => {
                let start = self.at;
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.at += 1;
                }
                (self.at > start).then(|| Node::Scalar(&self.text[start..self.at]))
            }
        }
    }

    /// A string at the cursor, with its quotes, as written.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        if bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut i = start + 1;
        loop {
            match bytes.get(i)? {
                b'\\' => i += 2,
                b'"' => break,
                _ => i += 1,
            }
        }
        self.at = i + 1;
        self.text.get(start..self.at)
    }
}

fn write(node: &Node<'_>, out: &mut String) {
    match node {
        Node::Scalar(text) => out.push_str(text),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Node::Object(members) => {
            out.push('{');
            for (i, (written, value)) in members.values().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(written);
                out.push(':');
                write(value, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn orders_members_by_key_keeps_the_last_repeat_and_the_digits() {
        let text = "{ \"b\": [1.50, {\"z\":1,\"a\":2}], \"a\\u0041\": \"x\",\n \"c\": 0.30000000000000004, \"b\": 2e3 }";
        assert_eq!(
            canonical(text).as_deref(),
            Some(r#"{"a\u0041":"x","b":2e3,"c":0.30000000000000004}"#)
        );
        assert_eq!(canonical("[ ]").as_deref(), Some("[]"));
        assert_eq!(canonical(" {} ").as_deref(), Some("{}"));
        assert_eq!(canonical("{\"a\":1} x"), None);
        assert_eq!(canonical("{\"a\" 1}"), None);
    }

    #[test]
    fn reads_as_the_same_value() {
        let text =
            r#"{"lines":[{"q":"3","t":{"R":"N","A":null}}],"id":"i\"d","n":-1.25e-3,"ok":true}"#;
        let again: Value = serde_json::from_str(&canonical(text).unwrap()).unwrap();
        assert_eq!(again, serde_json::from_str::<Value>(text).unwrap());
    }
}

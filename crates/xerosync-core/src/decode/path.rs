//! The JSON path of the value a parser stopped in (rule L2 names the bad field), from the parser's position alone.
//!
//! Records are decoded straight from JSON text (issue 13: one serde instantiation per record type, not a second one
//! through `serde_path_to_error` to track the path). serde_json's errors carry the line and column where it stopped;
//! this walks the text up to there, keeping the stack of keys and indices, so the failure path costs one scan.
//!
//! Where serde_json stops, and so which value the position names:
//! - a bad scalar (`"three"` for a decimal): just after it, still inside its member, so the member is named;
//! - a scalar expected but an array or object given: just before its `[`/`{`, after the member's `:`: the member;
//! - an error of a whole object (`missing field`) or array: just after its `}`/`]`, so the path is the value's own
//!   (the caller joins a missing field's name onto it);
//! - a bad key (`unknown variant` of an enum written as an object): after the key, before its `:`: the object.
//!
//! A position inside a member is in that member from its `:` up to the `,` or `}` that ends it; inside an array,
//! element `i` runs from the `[` or the `i`th `,` up to the next `,` or `]`.

use std::fmt;

/// One step of a path: an object's member or an array's element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path as `serde_path_to_error` writes it: `lines[0].quantity`, `.` for the root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path(pub Vec<Segment>);

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Where the walk is inside one open object or array.
enum Frame {
    /// The member being read: its key once read, and whether its `:` was passed (then the value is the member's).
    Object {
        key: Option<String>,
        in_value: bool,
    },
    Array {
        index: usize,
    },
}

/// The byte offset of serde_json's (1-based line, byte column) position: the first byte it had not consumed.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start_of_line = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    (start_of_line + column).min(text.len())
}

/// The path of the value being read when a parser of `text` stopped before byte `offset`.
pub fn path_at(text: &str, offset: usize) -> Path {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Frame::Object {
                key: None,
                in_value: false,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let Some(Frame::Object { in_value, .. }) = stack.last_mut() {
                    *in_value = true;
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, in_value }) => {
                    *key = None;
                    *in_value = false;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b'"' => {
                let close = string_end(bytes, i);
                if let Some(Frame::Object {
                    key,
                    in_value: false,
                }) = stack.last_mut()
                {
                    // A key: read as JSON, so escapes are undone (`"a\"b"` names `a"b`).
                    *key = text
                        .get(i..=close.min(bytes.len() - 1))
                        .and_then(|quoted| serde_json::from_str(quoted).ok());
                }
                i = close;
            }
            _ => {}
        }
        i += 1;
    }
    Path(
        stack
            .into_iter()
            .filter_map(|frame| match frame {
                Frame::Object {
                    key: Some(key),
                    in_value: true,
                } => Some(Segment::Key(key)),
                Frame::Object { .. } => None,
                Frame::Array { index } => Some(Segment::Index(index)),
            })
            .collect(),
    )
}

/// The index of the `"` closing the string that opens at `open` (the last byte when it is not closed).
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path at the first occurrence of `mark` in `text`, just after it.
    fn after(text: &str, mark: &str) -> String {
        let at = text.find(mark).unwrap() + mark.len();
        path_at(text, at).to_string()
    }

    #[test]
    fn names_the_member_and_element_being_read() {
        let text = r#"{"id":"i","lines":[{"quantity":1},{"quantity":"three","tracking":{"a\"b":[1,{}]}}]}"#;
        assert_eq!(after(text, r#""id""#), ".");
        assert_eq!(after(text, r#""id":"#), "id");
        assert_eq!(after(text, r#""i""#), "id");
        assert_eq!(after(text, r#""i","#), ".");
        assert_eq!(after(text, r#""lines":["#), "lines[0]");
        assert_eq!(after(text, r#""quantity":1"#), "lines[0].quantity");
        assert_eq!(after(text, r#""quantity":1}"#), "lines[0]");
        assert_eq!(after(text, r#"1},"#), "lines[1]");
        assert_eq!(after(text, r#""three""#), "lines[1].quantity");
        assert_eq!(after(text, r#"{"a\"b":[1"#), "lines[1].tracking.a\"b[0]");
        assert_eq!(after(text, r#"{"a\"b":[1,{}"#), "lines[1].tracking.a\"b[1]");
        assert_eq!(after(text, r#"{}]"#), "lines[1].tracking.a\"b");
        assert_eq!(path_at(text, text.len()).to_string(), ".");
        assert_eq!(path_at(text, usize::MAX).to_string(), ".");
    }

    #[test]
    fn separators_inside_strings_are_text() {
        let text = r#"{"a":"x,}]:{[\"","b":{"c":"#;
        assert_eq!(path_at(text, text.len()).to_string(), "b.c");
    }

    #[test]
    fn whitespace_and_lines_are_skipped() {
        let text = "{\n  \"a\": [\n    1,\n    true\n  ]\n}";
        // serde_json's position of the `e` of `true`, 1-based line 4, column 8: just after it.
        let offset = offset_of(text, 4, 8);
        assert_eq!(&text[offset - 4..offset], "true");
        assert_eq!(path_at(text, offset).to_string(), "a[1]");
    }
}

//! Strict JSON parsing: like `serde_json::from_slice`, but a repeated key inside
//! one object is an error naming its path. serde_json silently keeps the last
//! value, which would make a record mean something other than what the sender
//! may have intended; for a safeguarding record we would rather ask.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a record is not the JSON object it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    #[error("not valid UTF-8: invalid byte sequence at byte {offset}")]
    InvalidUtf8 { offset: usize },
    #[error("not valid JSON: {message} (column {column})")]
    Syntax { message: String, column: usize },
    #[error("the record ends early: {message} (the line may have been truncated)")]
    Truncated { message: String },
    #[error("duplicate key `{key}` in {path}: the record is ambiguous")]
    DuplicateKey { path: String, key: String },
    #[error("a report must be a JSON object, found {found}")]
    NotAnObject { found: &'static str },
}

/// Parses one record, rejecting duplicate keys anywhere in it.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(JsonError::InvalidUtf8 {
            offset: e.valid_up_to(),
        });
    }
    let state = PathState::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = StrictSeed { state: &state }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(value) => Ok(value),
        Err(e) => {
            if let Some(dup) = state.duplicate.borrow_mut().take() {
                return Err(dup.into_error());
            }
            if e.is_eof() {
                Err(JsonError::Truncated {
                    message: strip_position(&e.to_string()),
                })
            } else {
                Err(JsonError::Syntax {
                    message: strip_position(&e.to_string()),
                    column: e.column(),
                })
            }
        }
    }
}

/// Parses one record and requires it to be an object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match parse_strict(bytes)? {
        Value::Object(map) => Ok(map),
        other => Err(JsonError::NotAnObject {
            found: value_kind(&other),
        }),
    }
}

/// A short English name for a JSON value's type, for error messages.
pub fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn strip_position(message: &str) -> String {
    // serde_json appends " at line 1 column 17"; the caller reports the
    // file's own line, so keep only the description.
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Set when a duplicate key is found. The path is collected while the error
/// unwinds (innermost segment first), so the happy path allocates nothing
/// for it.
#[derive(Default)]
struct PathState {
    duplicate: RefCell<Option<Duplicate>>,
}

struct Duplicate {
    key: String,
    /// Path segments from the innermost outwards: keys, or `[i]` indexes.
    segments: Vec<String>,
}

impl Duplicate {
    fn into_error(self) -> JsonError {
        let mut out = String::new();
        for seg in self.segments.iter().rev() {
            if !seg.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
        JsonError::DuplicateKey {
            path: if out.is_empty() {
                "the report".to_string()
            } else {
                format!("`{out}`")
            },
            key: self.key,
        }
    }
}

impl PathState {
    /// Notes the segment a failing nested value sits at.
    fn unwinding_through(&self, segment: impl FnOnce() -> String) {
        if let Some(dup) = self.duplicate.borrow_mut().as_mut() {
            dup.segments.push(segment());
        }
    }
}

#[derive(Clone, Copy)]
struct StrictSeed<'a> {
    state: &'a PathState,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(v)) => out.push(v),
                Ok(None) => break,
                Err(e) => {
                    let index = out.len();
                    self.state.unwinding_through(|| format!("[{index}]"));
                    return Err(e);
                }
            }
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let message = format!("duplicate key `{key}`");
                *self.state.duplicate.borrow_mut() = Some(Duplicate {
                    key,
                    segments: Vec::new(),
                });
                return Err(de::Error::custom(message));
            }
            match map.next_value_seed(self) {
                Ok(value) => {
                    out.insert(key, value);
                }
                Err(e) => {
                    self.state.unwinding_through(|| key.clone());
                    return Err(e);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// The canonical bytes of a value: keys sorted, no insignificant white space.
/// Two copies of a report that differ only in key order or spacing have the
/// same canonical bytes, so a re-send is recognised as the same content.
pub fn canonical_bytes(value: &Value) -> Vec<u8> {
    // serde_json's Map is a BTreeMap unless the `preserve_order` feature is
    // unified in by some dependency; `map_is_sorted` guards that in tests.
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_object() {
        let v = parse_strict(br#"{"a":1,"b":[true,null,"x"],"c":{"d":2.5}}"#).unwrap();
        assert_eq!(v["b"][2], "x");
        assert_eq!(v["c"]["d"], 2.5);
    }

    #[test]
    fn rejects_duplicate_key_with_path() {
        let err = parse_strict(br#"{"people":[{"ref":"p1","ref":"p2"}]}"#).unwrap_err();
        assert_eq!(
            err,
            JsonError::DuplicateKey {
                path: "`people[0]`".into(),
                key: "ref".into()
            }
        );
        let err = parse_strict(br#"{"kind":"a","kind":"b"}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("duplicate key `kind` in the report")
        );
    }

    #[test]
    fn same_key_in_different_objects_is_fine() {
        assert!(parse_strict(br#"{"a":{"x":1},"b":{"x":2}}"#).is_ok());
    }

    #[test]
    fn truncated_and_invalid() {
        assert!(matches!(
            parse_strict(br#"{"a":{"x":1"#),
            Err(JsonError::Truncated { .. })
        ));
        assert!(matches!(
            parse_strict(br#"{"a" 1}"#),
            Err(JsonError::Syntax { .. })
        ));
        assert!(matches!(
            parse_strict(br#"{"a":1} trailing"#),
            Err(JsonError::Syntax { .. })
        ));
        assert!(matches!(
            parse_strict(b"{\"a\":\"\xff\"}"),
            Err(JsonError::InvalidUtf8 { offset: 6 })
        ));
        assert!(matches!(
            parse_object(b"[1]"),
            Err(JsonError::NotAnObject { .. })
        ));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(parse_strict(deep.as_bytes()).is_err());
    }

    #[test]
    fn map_is_sorted() {
        let v = parse_strict(br#"{"b":1,"a":2}"#).unwrap();
        assert_eq!(canonical_bytes(&v), br#"{"a":2,"b":1}"#);
    }
}

//! Strict JSON parsing: like `serde_json::from_slice`, but a repeated key inside
//! one object is an error naming its path. serde_json silently keeps the last
//! value, which would make a record mean something other than what the sender
//! may have intended; for a safeguarding record we would rather ask.

use std::borrow::Cow;
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

/// A JSON value whose strings borrow from the received bytes when they hold
/// no escapes: what the checker reads. Building it allocates one vector per
/// object or array and nothing per string, where a `serde_json::Value` tree
/// allocates every key and string and a B-tree node per object.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// A JSON object with its keys in the order received. Keys are unique: the
/// parser rejects a repeated key, as [`parse_strict`] does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object<'a> {
    entries: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Object<'a> {
    /// The value of `key`, if present. Objects in reports have a few dozen
    /// keys at most, so a scan beats hashing.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        let key = key.as_bytes();
        let first = key.first().copied();
        self.entries
            .iter()
            .find(|(k, _)| {
                let k = k.as_bytes();
                // Length and first byte rule out most keys without a call
                // to memcmp.
                k.len() == key.len() && k.first().copied() == first && k == key
            })
            .map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// A view of a `serde_json` object (CSV feeds build those), borrowing
    /// its strings.
    pub fn from_map(map: &'a Map<String, Value>) -> Object<'a> {
        Object {
            entries: map
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                .collect(),
        }
    }

    /// The same object as a `serde_json` map (keys sorted).
    pub fn to_map(&self) -> Map<String, Value> {
        self.entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect()
    }

    /// Whether a key appears twice.
    fn has_duplicate_key(&self) -> bool {
        let n = self.entries.len();
        if n <= 16 {
            (1..n).any(|i| {
                let key = &self.entries[i].0;
                self.entries[..i].iter().any(|(k, _)| k == key)
            })
        } else {
            let mut keys: Vec<&str> = self.entries.iter().map(|(k, _)| k.as_ref()).collect();
            keys.sort_unstable();
            keys.windows(2).any(|w| w[0] == w[1])
        }
    }
}

impl<'a> Json<'a> {
    /// A view of a `serde_json` value, borrowing its strings.
    pub fn from_value(value: &'a Value) -> Json<'a> {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Borrowed(s)),
            Value::Array(items) => Json::Array(items.iter().map(Json::from_value).collect()),
            Value::Object(map) => Json::Object(Object::from_map(map)),
        }
    }

    /// The same value as a `serde_json` value (object keys sorted).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(obj) => Value::Object(obj.to_map()),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// As `serde_json::Value::as_u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// As `serde_json::Value::as_f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// A short English name for the value's type, as [`value_kind`].
    pub fn kind_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Parses one record into a borrowed tree, accepting exactly what
/// [`parse_strict`] accepts. It only says *that* a record failed (`None` on
/// bad UTF-8 or JSON, a repeated key, nesting too deep); run [`parse_strict`]
/// for *why*, so error messages come from one place.
pub fn parse_borrowed(bytes: &[u8]) -> Option<Json<'_>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = BorrowedSeed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(value)
}

/// Marks a repeated key; the message is never shown (see [`parse_borrowed`]).
const DUPLICATE: &str = "duplicate key";

#[derive(Clone, Copy)]
struct BorrowedSeed;

impl<'de> DeserializeSeed<'de> for BorrowedSeed {
    type Value = Json<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Json<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BorrowedSeed {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        // Most objects in a report have up to eight members.
        let mut entries = Vec::with_capacity(8);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(self)?;
            entries.push((key, value));
        }
        let obj = Object { entries };
        if obj.has_duplicate_key() {
            return Err(de::Error::custom(DUPLICATE));
        }
        Ok(Json::Object(obj))
    }
}

/// An object key, borrowed when it holds no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
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

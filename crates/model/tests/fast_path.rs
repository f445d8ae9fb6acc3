//! The fast path of `receive_bytes` (a borrowed parse) must give exactly
//! what the precise path (`receive_bytes_reference`: a full
//! `serde_json::Value` tree) gives: the same accepted report and warnings,
//! or the same rejection reasons, word for word, and the same identity.

use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};
use sightline_model::{Accepted, Rejected, receive_bytes, receive_bytes_reference, receive_vec};

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

/// Asserts both paths agree on `bytes`; returns whether it was accepted.
fn same(bytes: &[u8]) -> bool {
    let fast = receive_bytes(bytes, now());
    let by_vec = receive_vec(bytes.to_vec(), now());
    let reference = receive_bytes_reference(bytes, now());
    let shown = || String::from_utf8_lossy(bytes).into_owned();
    match (&fast, &reference) {
        (Ok(a), Ok(b)) => assert_accepted(a, b, &shown()),
        (Err(a), Err(b)) => assert_rejected(a, b, &shown()),
        _ => panic!(
            "paths disagree on {}:\nfast {fast:?}\nreference {reference:?}",
            shown()
        ),
    }
    match (&by_vec, &reference) {
        (Ok(a), Ok(b)) => assert_accepted(a, b, &shown()),
        (Err(refused), Err(b)) => {
            let (a, raw) = &**refused;
            assert_rejected(a, b, &shown());
            assert_eq!(raw, bytes, "the raw bytes come back");
        }
        _ => panic!("receive_vec disagrees on {}", shown()),
    }
    reference.is_ok()
}

fn assert_accepted(a: &Accepted, b: &Accepted, input: &str) {
    assert_eq!(a.report, b.report, "report of {input}");
    assert_eq!(a.warnings, b.warnings, "warnings of {input}");
    assert_eq!(a.body, b.body, "body of {input}");
    assert_eq!(a.content_hash, b.content_hash, "hash of {input}");
}

fn assert_rejected(a: &Rejected, b: &Rejected, input: &str) {
    assert_eq!(a.reasons, b.reasons, "reasons of {input}");
    assert_eq!(a.key, b.key, "key of {input}");
}

fn base() -> Value {
    json!({
        "schema": "sightline.report/1",
        "source": {"agency": "police", "system": "S", "record_id": "R", "version": 1},
        "kind": "intelligence",
        "occurred_at": "2008-03-14T22:10:00Z",
        "ended_at": "2008-03-15",
        "recorded_at": "2008-03-15T09:02:00Z",
        "area": {"police_force": "GMP", "local_authority": "E08000005"},
        "author": {"name": "PC Smith", "role": "officer", "team": "CSE"},
        "people": [
            {"ref": "p1", "role": "subject", "name": {"given": "Kayleigh", "family": "Smyth"},
             "aliases": ["Kay", " "], "birth_date": "1995-04-12", "age": 12, "sex": "female",
             "addresses": [{"text": "12 Bury Road", "postcode": "OL11 1AA", "kind": "home"}],
             "phones": ["07700 900123"], "identifiers": [{"scheme": "nhs_number", "value": "9434765919"},
             {"scheme": "upn", "value": "A123"}], "description": "tall", "ethnicity": "W1",
             "nationality": "British", "language": "English"},
            {"ref": "p2", "role": "associate", "name": {"full": "Tariq"}, "age": 30.0, "sex": "male"}
        ],
        "vehicles": [{"ref": "v1", "registration": "ab12cde", "colour": "silver", "make": "Vauxhall"}],
        "phones": [{"ref": "t1", "number": "+44 7700 900456"}],
        "places": [{"ref": "l1", "name": "Kebab house", "category": "takeaway",
                    "address": {"text": "1 High St", "postcode": "ZZ99 3AB"}}],
        "relations": [{"from": "p2", "to": "v1", "type": "driving"},
                      {"from": "p1", "to": "v1", "type": "passenger"},
                      {"from": "p1", "to": "l1", "type": "seen at"}],
        "narrative": "Kayleigh returned at 03:00. \"Quoted\" and \u{e9}\u{1F600}.",
        "codes": [{"scheme": "police_flag", "code": "CSE"}, {"scheme": "x"}],
        "outcome": {"action": "no_further_action", "text": "Returned.", "at": "2008-03-16", "by": "DS Jones"},
        "grading": {"source": 1, "intelligence": "B", "handling": "P", "conditions": "none"},
        "extension": {"anything": [1, 2.5, true, null, {"nested": "kept"}]}
    })
}

#[test]
fn the_example_feed_and_hand_written_records_agree() {
    let feed = include_str!("../../../examples/riverton-feed.jsonl");
    let mut accepted = 0;
    for line in feed.lines() {
        accepted += usize::from(same(line.as_bytes()));
    }
    assert!(accepted > 0);
    assert!(same(&serde_json::to_vec(&base()).unwrap()));
    for text in [
        // Keys that are only equal once their escapes are read.
        r#"{"kind":"incident","\u006bind":"crime"}"#,
        r#"{"source":{"agency":"police","agency":"health"}}"#,
        r#"{"a":{"x":1},"b":{"x":2},"kind":"in\u0063ident"}"#,
        // Escaped strings are values too.
        r#"{"source":{"agency":"pol\u0069ce","system":"S\n","record_id":"\"R\""},"kind":"incident","recorded_at":"2008-03-15T09:02:00Z"}"#,
        // Many keys (the sorted duplicate check) with and without a repeat.
        &format!(
            "{{{}}}",
            (0..40)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        ),
        &format!(
            "{{{},\"k7\":0}}",
            (0..40)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        ),
        "",
        " ",
        "[]",
        "null",
        "1",
        "\"x\"",
        "{",
        "{}",
        "{} {}",
        "{\"a\":1,}",
        "{\"a\":01}",
        "{\"a\":1e400}",
        "{\"a\":-0.0}",
        "{\"a\":18446744073709551616}",
        "\u{feff}{}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\t\"}",
    ] {
        same(text.as_bytes());
    }
    same(b"{\"a\":\"\xff\"}");
    same("[".repeat(200).as_bytes());
    same(format!("{{\"a\":{}1{}}}", "[".repeat(126), "]".repeat(126)).as_bytes());
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        (0u32..200).prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?".prop_map(Value::String),
        "[0-9]{2}/[0-9]{2}/[0-9]{4}".prop_map(Value::String),
        "[a-z_ ]{0,12}".prop_map(Value::String),
        "[A-Z]{2}[0-9]{2} ?[0-9][A-Z]{2}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every path to a value in `v`, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(Value),
    Remove,
    /// Insert a key (a known field name or a new one) into the object at
    /// the path, or an item into the array.
    Insert(String, Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => json_value().prop_map(Edit::Replace),
        2 => Just(Edit::Remove),
        2 => (prop::sample::select(vec![
            "ref", "role", "kind", "source", "agency", "version", "recorded_at", "birth_date",
            "age", "postcode", "type", "from", "to", "grading", "people", "value", "scheme", "x_ext",
        ]).prop_map(str::to_string), json_value()).prop_map(|(k, v)| Edit::Insert(k, v)),
    ]
}

fn apply(report: &mut Value, path: &str, e: Edit) {
    if path.is_empty() {
        if let Edit::Replace(v) = e {
            *report = v;
        }
        return;
    }
    match e {
        Edit::Insert(k, v) => match report.pointer_mut(path) {
            Some(Value::Object(m)) => {
                m.insert(k, v);
            }
            Some(Value::Array(a)) => a.push(v),
            _ => {}
        },
        other => {
            let (parent, key) = path.rsplit_once('/').unwrap();
            let target = if parent.is_empty() {
                Some(&mut *report)
            } else {
                report.pointer_mut(parent)
            };
            match (target, other) {
                (Some(Value::Object(m)), Edit::Replace(v)) => {
                    m.insert(key.to_string(), v);
                }
                (Some(Value::Object(m)), Edit::Remove) => {
                    m.remove(key);
                }
                (Some(Value::Array(a)), Edit::Replace(v)) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < a.len()
                    {
                        a[i] = v;
                    }
                }
                (Some(Value::Array(a)), Edit::Remove) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < a.len()
                    {
                        a.remove(i);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Textual damage after serialising: repeat a key, cut the record short,
/// change or drop a byte.
#[derive(Debug, Clone)]
enum Damage {
    None,
    RepeatKey(usize),
    Truncate(usize),
    SetByte(usize, u8),
    DropByte(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        6 => Just(Damage::None),
        2 => any::<usize>().prop_map(Damage::RepeatKey),
        1 => any::<usize>().prop_map(Damage::Truncate),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Damage::SetByte(i, b)),
        1 => any::<usize>().prop_map(Damage::DropByte),
    ]
}

fn damaged(mut bytes: Vec<u8>, d: Damage) -> Vec<u8> {
    if bytes.is_empty() {
        return bytes;
    }
    match d {
        Damage::None => {}
        Damage::RepeatKey(i) => {
            // Copy a `"key":value` member found after an opening brace to
            // just after that brace, so the object has it twice.
            let braces: Vec<usize> = (0..bytes.len()).filter(|&j| bytes[j] == b'{').collect();
            if !braces.is_empty() {
                let at = braces[i % braces.len()];
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b',' || b == b'}')
                    .map(|p| at + p);
                if let Some(end) = end
                    && end > at + 1
                {
                    let mut member = bytes[at + 1..end].to_vec();
                    member.push(b',');
                    bytes.splice(at + 1..at + 1, member);
                }
            }
        }
        Damage::Truncate(i) => bytes.truncate(i % bytes.len()),
        Damage::SetByte(i, b) => {
            let n = bytes.len();
            bytes[i % n] = b;
        }
        Damage::DropByte(i) => {
            let n = bytes.len();
            bytes.remove(i % n);
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn mutated_records_agree(
        edits in prop::collection::vec((any::<prop::sample::Index>(), edit()), 0..4),
        d in damage(),
    ) {
        let mut report = base();
        for (index, e) in edits {
            let mut paths = Vec::new();
            pointers(&report, String::new(), &mut paths);
            let path = index.get(&paths).clone();
            apply(&mut report, &path, e);
        }
        let bytes = damaged(serde_json::to_vec(&report).unwrap(), d);
        same(&bytes);
    }

    #[test]
    fn arbitrary_bytes_agree(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        same(&bytes);
    }
}

#[test]
fn many_refs_are_checked_like_a_few() {
    let report = |dup: bool| {
        let people: Vec<Value> = (0..40)
            .map(|i| {
                let r = if dup && i == 39 { 3 } else { i };
                json!({"ref": format!("p{r}"), "role": "other"})
            })
            .collect();
        let mut v = base();
        v["people"] = Value::Array(people);
        v["relations"] = json!([{"from": "p35", "to": "v1", "type": "with"}, {"from": "p39", "to": "t1", "type": "with"}]);
        serde_json::to_vec(&v).unwrap()
    };
    assert!(same(&report(false)));
    let a = receive_bytes(&report(false), now()).unwrap();
    assert_eq!(a.report.relations.len(), 2);
    assert!(!same(&report(true)));
    let r = receive_bytes(&report(true), now()).unwrap_err();
    assert_eq!(
        r.reasons[0].to_string(),
        "people[39].ref: `p3` is used by another mention in this report; refs must be unique"
    );
}

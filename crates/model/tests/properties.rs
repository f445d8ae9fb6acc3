//! Property tests: receiving never panics, whatever the bytes, and accepted
//! reports re-read from their canonical body give the same result.

use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};
use sightline_model::receive_bytes;

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?".prop_map(Value::String),
        "[a-z_]{1,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn base() -> Value {
    json!({
        "source": {"agency": "police", "system": "S", "record_id": "R", "version": 1},
        "kind": "incident",
        "recorded_at": "2008-03-15T09:02:00Z",
        "people": [{"ref": "p1", "role": "subject", "name": {"given": "A"}, "birth_date": "1995-04-12",
                    "addresses": [{"postcode": "OL11 1AA"}], "identifiers": [{"scheme": "nhs_number", "value": "9434765919"}]}],
        "vehicles": [{"ref": "v1", "registration": "AB12CDE"}],
        "relations": [{"from": "p1", "to": "v1", "type": "passenger"}],
        "outcome": {"action": "no_further_action"},
        "grading": {"source": "1"}
    })
}

const PATHS: &[&str] = &[
    "",
    "/source",
    "/source/agency",
    "/source/version",
    "/kind",
    "/recorded_at",
    "/occurred_at",
    "/people",
    "/people/0",
    "/people/0/ref",
    "/people/0/name",
    "/people/0/birth_date",
    "/people/0/age",
    "/people/0/addresses",
    "/people/0/addresses/0/postcode",
    "/people/0/identifiers/0",
    "/people/0/phones",
    "/vehicles/0/registration",
    "/relations",
    "/relations/0/to",
    "/outcome",
    "/grading",
    "/narrative",
    "/codes",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = receive_bytes(&bytes, now());
    }

    #[test]
    fn any_value_in_any_field_never_panics(path in prop::sample::select(PATHS), value in json_value()) {
        let mut report = base();
        if path.is_empty() {
            report = value;
        } else {
            let (parent, key) = path.rsplit_once('/').unwrap();
            let target = if parent.is_empty() { Some(&mut report) } else { report.pointer_mut(parent) };
            match target {
                Some(Value::Object(m)) => { m.insert(key.to_string(), value); }
                Some(Value::Array(a)) => {
                    if let Ok(i) = key.parse::<usize>() && i < a.len() {
                        a[i] = value;
                    }
                }
                _ => {}
            }
        }
        let bytes = serde_json::to_vec(&report).unwrap();
        if let Ok(accepted) = receive_bytes(&bytes, now()) {
            // What the ledger keeps reads back to the same report.
            let again = receive_bytes(&accepted.body, now()).unwrap();
            prop_assert_eq!(again.report, accepted.report);
            prop_assert_eq!(again.warnings, accepted.warnings);
            prop_assert_eq!(again.content_hash, accepted.content_hash);
        }
    }
}

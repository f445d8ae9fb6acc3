//! The JSON Schema in `schema/report.schema.json` must say what the code
//! does: the same required fields and the same vocabularies.

use serde_json::Value;
use sightline_model::{Action, AddressKind, Agency, Kind, KnownRelation, Role, Sex};

fn schema() -> Value {
    serde_json::from_str(include_str!("../../../schema/report.schema.json")).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn names<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

#[test]
fn rejecting_enumerations_match() {
    let s = schema();
    assert_eq!(
        strings(&s["properties"]["source"]["properties"]["agency"]["enum"]),
        names(Agency::ALL)
    );
    assert_eq!(strings(&s["properties"]["kind"]["enum"]), names(Kind::ALL));
    assert_eq!(
        strings(&s["$defs"]["person"]["properties"]["role"]["enum"]),
        names(Role::ALL)
    );
}

#[test]
fn warning_vocabularies_match() {
    let s = schema();
    let d = &s["$defs"];
    assert_eq!(
        strings(&d["person"]["properties"]["sex"]["x-sightline-enum"]),
        names(Sex::ALL)
    );
    assert_eq!(
        strings(&d["address"]["properties"]["kind"]["x-sightline-enum"]),
        names(AddressKind::ALL)
    );
    assert_eq!(
        strings(&d["outcome"]["properties"]["action"]["x-sightline-enum"]),
        names(Action::ALL)
    );
    assert_eq!(
        strings(&d["relation"]["properties"]["type"]["x-sightline-enum"]),
        names(KnownRelation::ALL)
    );
}

#[test]
fn required_fields_match() {
    let s = schema();
    assert_eq!(strings(&s["required"]), ["source", "kind", "recorded_at"]);
    assert_eq!(
        strings(&s["properties"]["source"]["required"]),
        ["agency", "system", "record_id"]
    );
    assert_eq!(strings(&s["$defs"]["person"]["required"]), ["ref", "role"]);
}

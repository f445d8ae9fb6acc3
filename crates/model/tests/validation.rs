//! The format's validation rules, one test per rule (docs/report-format.md).

use jiff::Timestamp;
use serde_json::{Value, json};
use sightline_model::{Accepted, Rejected, Role, receive_bytes};

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn base() -> Value {
    json!({
        "schema": "sightline.report/1",
        "source": {"agency": "police", "system": "NICHE-NORTH", "record_id": "INC-2008-0412", "version": 1},
        "kind": "missing_episode",
        "occurred_at": "2008-03-14T22:10:00Z",
        "recorded_at": "2008-03-15T09:02:00Z",
        "people": [
            {"ref": "p1", "role": "subject", "name": {"given": "Kayleigh", "family": "Smyth"},
             "birth_date": "1995-04-12", "sex": "female",
             "addresses": [{"text": "12 Bury Road, Rochdale", "postcode": "OL11 1AA", "kind": "home"}],
             "identifiers": [{"scheme": "nhs_number", "value": "943 476 5919"}],
             "phones": ["07700 900123"]},
            {"ref": "p2", "role": "associate", "name": {"full": "Tariq"}, "age": 30, "sex": "male"}
        ],
        "vehicles": [{"ref": "v1", "registration": "ab12cde", "colour": "silver", "make": "Vauxhall"}],
        "relations": [{"from": "p2", "to": "v1", "type": "driving"}, {"from": "p1", "to": "v1", "type": "passenger"}],
        "narrative": "Kayleigh returned at 03:00.",
        "outcome": {"action": "no_further_action", "text": "Returned safe and well."}
    })
}

fn check(v: &Value) -> Result<Accepted, Rejected> {
    receive_bytes(serde_json::to_string(v).unwrap().as_bytes(), now())
}

fn accepted(v: &Value) -> Accepted {
    match check(v) {
        Ok(a) => a,
        Err(r) => panic!("expected acceptance, got {:?}", r.reasons),
    }
}

fn rejected(v: &Value) -> Vec<String> {
    match check(v) {
        Ok(a) => panic!(
            "expected rejection, accepted with warnings {:?}",
            a.warnings
        ),
        Err(r) => r.reasons.iter().map(ToString::to_string).collect(),
    }
}

fn warnings(v: &Value) -> Vec<String> {
    accepted(v)
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn has(list: &[String], needle: &str) -> bool {
    list.iter().any(|s| s.contains(needle))
}

#[test]
fn the_spec_example_is_accepted_cleanly() {
    let a = accepted(&base());
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    let r = &a.report;
    assert_eq!(r.source.record_id, "INC-2008-0412");
    assert_eq!(r.people.len(), 2);
    assert_eq!(r.people[0].role, Role::Subject);
    assert_eq!(
        r.people[0].identifiers[0].value.as_deref(),
        Some("9434765919")
    );
    assert_eq!(r.people[0].phones[0].e164.as_deref(), Some("+447700900123"));
    assert_eq!(
        r.people[0].addresses[0].postcode.as_ref().unwrap().text,
        "OL11 1AA"
    );
    assert_eq!(r.vehicles[0].registration.as_ref().unwrap().text, "AB12CDE");
    assert_eq!(r.relations.len(), 2);
}

#[test]
fn missing_required_fields_reject() {
    for (path, field) in [
        ("/source/agency", "source.agency"),
        ("/source/system", "source.system"),
        ("/source/record_id", "source.record_id"),
        ("/kind", "kind"),
        ("/recorded_at", "recorded_at"),
    ] {
        let mut v = base();
        let (parent, key) = path.rsplit_once('/').unwrap();
        let target = if parent.is_empty() {
            &mut v
        } else {
            v.pointer_mut(parent).unwrap()
        };
        target.as_object_mut().unwrap().remove(key);
        let reasons = rejected(&v);
        assert!(
            has(&reasons, &format!("{field}: required field is missing")),
            "{reasons:?}"
        );
    }
    let mut v = base();
    v["people"][1].as_object_mut().unwrap().remove("ref");
    assert!(has(
        &rejected(&v),
        "people[1].ref: required field is missing"
    ));
    let mut v = base();
    v["people"][0].as_object_mut().unwrap().remove("role");
    assert!(has(
        &rejected(&v),
        "people[0].role: required field is missing"
    ));
    let mut v = base();
    v["source"]["record_id"] = json!("   ");
    assert!(has(
        &rejected(&v),
        "source.record_id: required field is empty"
    ));
}

#[test]
fn required_enumerations_reject_with_a_hint() {
    let mut v = base();
    v["source"]["agency"] = json!("Police");
    assert!(has(&rejected(&v), "did you mean `police`?"));
    let mut v = base();
    v["kind"] = json!("missing episode");
    assert!(has(&rejected(&v), "did you mean `missing_episode`?"));
    let mut v = base();
    v["people"][0]["role"] = json!("child");
    assert!(has(&rejected(&v), "people[0].role: `child` is not one of"));
}

#[test]
fn invalid_recorded_at_rejects_and_bare_date_warns() {
    let mut v = base();
    v["recorded_at"] = json!("15/03/2008 09:02");
    assert!(has(
        &rejected(&v),
        "recorded_at: `15/03/2008 09:02` is not a valid RFC 3339"
    ));
    let mut v = base();
    v["recorded_at"] = json!("2008-03-15");
    assert!(has(&warnings(&v), "has no time of day"));
    let mut v = base();
    v["recorded_at"] = json!("2030-01-01T00:00:00Z");
    assert!(has(&warnings(&v), "in the future"));
}

#[test]
fn repeated_refs_reject_across_mention_types() {
    let mut v = base();
    v["people"][1]["ref"] = json!("p1");
    assert!(has(
        &rejected(&v),
        "people[1].ref: `p1` is used by another mention"
    ));
    let mut v = base();
    v["vehicles"][0]["ref"] = json!("p2");
    assert!(has(
        &rejected(&v),
        "vehicles[0].ref: `p2` is used by another mention"
    ));
}

#[test]
fn bad_version_rejects() {
    for bad in [json!(0), json!(-1), json!("2"), json!(1.5)] {
        let mut v = base();
        v["source"]["version"] = bad;
        assert!(has(&rejected(&v), "source.version"));
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut v = base();
    v["source"]["agency"] = json!("polis");
    v["kind"] = json!("nope");
    v.as_object_mut().unwrap().remove("recorded_at");
    assert_eq!(rejected(&v).len(), 3);
}

#[test]
fn doubtful_birth_dates_warn_and_are_not_used() {
    for (bad, message) in [
        ("31/02/2008", "is not a real date"),
        ("2008-13-01", "is not a real date"),
        ("12th April 95", "is not a date in the form"),
        ("2019-01-01", "after the report was recorded"),
        ("1850-01-01", "over 120"),
    ] {
        let mut v = base();
        v["people"][0]["birth_date"] = json!(bad);
        let a = accepted(&v);
        assert!(a.report.people[0].birth_date.is_none(), "{bad}");
        assert!(
            a.warnings
                .iter()
                .any(|w| w.field == "people[0].birth_date" && w.message.contains(message)),
            "{bad}: {:?}",
            a.warnings
        );
    }
    // Partial dates and the UK day-first convention are read.
    let mut v = base();
    v["people"][0]["birth_date"] = json!("1995-04");
    assert_eq!(
        accepted(&v).report.people[0]
            .birth_date
            .unwrap()
            .to_string(),
        "1995-04"
    );
    let mut v = base();
    v["people"][0]["birth_date"] = json!("12/04/1995");
    let a = accepted(&v);
    assert_eq!(
        a.report.people[0].birth_date.unwrap().to_string(),
        "1995-04-12"
    );
    assert!(has(&warnings(&v), "read day first"));
}

#[test]
fn failing_identifiers_postcodes_phones_and_plates_warn() {
    let mut v = base();
    v["people"][0]["identifiers"] = json!([
        {"scheme": "nhs_number", "value": "9434765871"},
        {"scheme": "upn", "value": "R247962919251"},
        {"scheme": "local", "value": "LCS-123"}
    ]);
    v["people"][0]["addresses"][0]["postcode"] = json!("ZZ99 3VZ");
    v["people"][0]["phones"] = json!(["0-(070)893-3322"]);
    v["vehicles"][0]["registration"] = json!("NOT A PLATE 123456");
    let a = accepted(&v);
    let p = &a.report.people[0];
    assert_eq!(
        p.identifiers[0].value, None,
        "a failing NHS number is not evidence"
    );
    assert_eq!(p.identifiers[1].value, None);
    assert_eq!(p.identifiers[2].value.as_deref(), Some("LCS-123"));
    assert_eq!(p.identifiers[0].raw, "9434765871", "the raw value is kept");
    assert!(p.addresses[0].postcode.is_none());
    assert!(p.phones[0].e164.is_none());
    assert!(a.report.vehicles[0].registration.is_none());
    let fields: Vec<&str> = a.warnings.iter().map(|w| w.field.as_str()).collect();
    for f in [
        "people[0].identifiers[0].value",
        "people[0].identifiers[1].value",
        "people[0].addresses[0].postcode",
        "people[0].phones[0]",
        "vehicles[0].registration",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
}

#[test]
fn relations_to_missing_refs_and_unknown_types_warn() {
    let mut v = base();
    v["relations"] = json!([
        {"from": "p2", "to": "v9", "type": "driving"},
        {"from": "p1", "to": "p2", "type": "cousin_of"}
    ]);
    let a = accepted(&v);
    assert_eq!(
        a.report.relations.len(),
        1,
        "the dangling relation is not used"
    );
    assert_eq!(a.report.relations[0].kind.as_str(), "cousin_of");
    let w: Vec<String> = a.warnings.iter().map(ToString::to_string).collect();
    assert!(has(&w, "relations[0].to: names `v9`"));
    assert!(has(
        &w,
        "relations[1].type: `cousin_of` is not a known relation type"
    ));
}

#[test]
fn optional_enumerations_and_types_warn() {
    let mut v = base();
    v["people"][0]["sex"] = json!("F");
    v["people"][1]["age"] = json!(300);
    v["outcome"]["action"] = json!("nfa");
    v["people"][0]["addresses"][0]["kind"] = json!("flat");
    v["narrative"] = json!(42);
    let a = accepted(&v);
    assert!(a.report.people[0].sex.is_none());
    assert!(a.report.people[1].age.is_none());
    assert!(a.report.outcome.as_ref().unwrap().action.is_none());
    assert!(a.report.narrative.is_none());
    assert_eq!(a.warnings.len(), 5, "{:?}", a.warnings);
}

#[test]
fn intelligence_without_grading_warns() {
    let mut v = base();
    v["kind"] = json!("intelligence");
    assert!(has(
        &warnings(&v),
        "grading: an intelligence report should carry a 3x5x2 grading"
    ));
    v["grading"] = json!({"source": 2, "intelligence": "C", "handling": "P"});
    assert!(warnings(&v).is_empty());
    v["grading"] = json!({"source": "4", "intelligence": "F", "handling": "P"});
    assert_eq!(warnings(&v).len(), 2);
}

#[test]
fn unknown_fields_are_kept_in_the_body() {
    let mut v = base();
    v["x_force_ref"] = json!("ABC/123");
    v["people"][0]["x_flag"] = json!(true);
    let a = accepted(&v);
    let body: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(body["x_force_ref"], "ABC/123");
    assert_eq!(body["people"][0]["x_flag"], true);
}

#[test]
fn key_order_and_spacing_are_the_same_content() {
    let a = accepted(&base());
    let text = serde_json::to_string_pretty(&base())
        .unwrap()
        .replace('\n', " ");
    let b = receive_bytes(text.as_bytes(), now()).unwrap();
    assert_eq!(
        b.body,
        text.as_bytes(),
        "the body is kept exactly as received"
    );
    assert!(sightline_model::same_content(&a.body, &b.body));
    let mut changed = base();
    changed["narrative"] = json!("Something else.");
    let c = accepted(&changed);
    assert_ne!(c.content_hash, a.content_hash);
    assert!(!sightline_model::same_content(&a.body, &c.body));
}

#[test]
fn times_without_offset_are_uk_local() {
    let mut v = base();
    v["recorded_at"] = json!("2008-07-01T10:00:00");
    let a = accepted(&v);
    assert_eq!(
        a.report.recorded_at.instant.to_string(),
        "2008-07-01T09:00:00Z"
    );
}

//! The shared identifier test vectors (copied from the project's reference
//! data into `tests/fixtures`), every row checked.
//!
//! Columns: `identifier,input,expected,normalised_or_note,source`. The
//! `expected` vocabulary:
//!
//! * valid: `valid`, `valid (…)`, `valid_format`, `valid_current`,
//!   `valid_prefix`, `valid_suffix` (the last three name the registration
//!   format), `drama_range` (an Ofcom drama number: valid here);
//! * invalid, by error kind: `invalid_checksum`, `invalid_format`,
//!   `invalid_prefix`, `invalid_suffix`, `invalid` and `invalid_uk` (format),
//!   `pseudo (…)` and `administrative_not_nino` (pseudo).
//!
//! The fourth column holds the normalised form, or a note in prose (notes
//! contain lower-case letters; normalised forms never do).

use sightline_normalise::*;

const FIXTURE: &str = include_str!("fixtures/identifier_test_vectors.csv");

fn kind(e: &IdentifierError) -> &'static str {
    match e {
        IdentifierError::Empty { .. } => "empty",
        IdentifierError::Format { .. } => "format",
        IdentifierError::Checksum { .. } => "checksum",
        IdentifierError::Prefix { .. } => "prefix",
        IdentifierError::Suffix { .. } => "suffix",
        IdentifierError::Pseudo { .. } => "pseudo",
    }
}

fn normalise(identifier: &str, input: &str) -> Result<String, IdentifierError> {
    match identifier {
        "nhs_number" => normalise_nhs_number(input),
        "upn" => normalise_upn(input),
        "pnc_id" => normalise_pnc_id(input),
        "nino" => normalise_ni_number(input),
        "postcode" => normalise_postcode(input).map(|p| p.text),
        "vrm" => normalise_registration(input).map(|r| r.text),
        "phone" => normalise_phone(input),
        other => panic!("unknown identifier type in fixture: {other}"),
    }
}

/// The scheme name reports use for this fixture identifier, if it has one.
fn scheme(identifier: &str) -> Option<&'static str> {
    match identifier {
        "nhs_number" => Some("nhs_number"),
        "upn" => Some("upn"),
        "pnc_id" => Some("pnc_id"),
        "nino" => Some("ni_number"),
        _ => None,
    }
}

enum Expect {
    Valid(Option<RegistrationFormat>),
    Error(&'static str),
}

fn expectation(expected: &str) -> Expect {
    match expected {
        "valid_current" => Expect::Valid(Some(RegistrationFormat::Current)),
        "valid_prefix" => Expect::Valid(Some(RegistrationFormat::Prefix)),
        "valid_suffix" => Expect::Valid(Some(RegistrationFormat::Suffix)),
        "valid" | "valid_format" | "drama_range" => Expect::Valid(None),
        e if e.starts_with("valid (") => Expect::Valid(None),
        "invalid_checksum" => Expect::Error("checksum"),
        "invalid_format" | "invalid" | "invalid_uk" => Expect::Error("format"),
        "invalid_prefix" => Expect::Error("prefix"),
        "invalid_suffix" => Expect::Error("suffix"),
        "administrative_not_nino" => Expect::Error("pseudo"),
        e if e.starts_with("pseudo") => Expect::Error("pseudo"),
        other => panic!("unknown expectation in fixture: {other}"),
    }
}

#[test]
fn every_vector_row() {
    let mut reader = csv::Reader::from_reader(FIXTURE.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec![
            "identifier",
            "input",
            "expected",
            "normalised_or_note",
            "source"
        ]
    );
    let mut checked = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for row in reader.records() {
        let row = row.unwrap();
        let (identifier, input, expected, normalised) = (&row[0], &row[1], &row[2], &row[3]);
        kinds.insert(identifier.to_string());
        let got = normalise(identifier, input);
        if let Some(scheme) = scheme(identifier) {
            assert_eq!(
                normalise_identifier(scheme, input).as_ref(),
                Some(&got),
                "{identifier} {input}: by scheme name"
            );
        }
        match expectation(expected) {
            Expect::Valid(format) => {
                let value = got
                    .unwrap_or_else(|e| panic!("{identifier} {input}: expected valid, got: {e}"));
                if !normalised.is_empty() && !normalised.chars().any(|c| c.is_ascii_lowercase()) {
                    assert_eq!(value, normalised, "{identifier} {input}");
                }
                assert_eq!(
                    normalise(identifier, &value).as_ref(),
                    Ok(&value),
                    "{identifier} {input}: normalising again changes it"
                );
                if let Some(format) = format {
                    assert_eq!(
                        normalise_registration(input).unwrap().format,
                        format,
                        "{identifier} {input}"
                    );
                }
            }
            Expect::Error(want) => {
                let err = got.err().unwrap_or_else(|| {
                    panic!("{identifier} {input}: expected {expected}, got a value")
                });
                assert_eq!(kind(&err), want, "{identifier} {input}: {err}");
                // The message is one plain sentence naming the value.
                let message = err.to_string();
                assert!(message.contains(input.trim()), "{message}");
                assert!(!message.contains('\n'), "{message}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 43, "rows read");
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "nhs_number",
            "nino",
            "phone",
            "pnc_id",
            "postcode",
            "upn",
            "vrm"
        ]
    );
}

#[test]
fn fixture_is_the_reference_copy() {
    // A guard against edits to the copy: the reference file has 43 rows and
    // these first and last lines.
    let lines: Vec<&str> = FIXTURE.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("identifier,input,expected,normalised_or_note,source")
    );
    assert_eq!(
        lines.last().copied(),
        Some("phone,0-(070)893-3322,invalid_uk,non-UK format,Neo4j POLE Phone.csv (fake)")
    );
    assert_eq!(lines.len(), 44);
}

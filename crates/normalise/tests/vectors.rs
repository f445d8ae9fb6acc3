//! The shared identifier test vectors (copied from the project's reference
//! data into `tests/fixtures`), every row checked.

use sightline_normalise::*;

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

#[test]
fn every_vector_row() {
    let mut reader = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/identifier_test_vectors.csv"
    ))
    .unwrap();
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let (identifier, input, expected, normalised) = (&row[0], &row[1], &row[2], &row[3]);
        let got = normalise(identifier, input);
        let valid = expected.starts_with("valid") || expected == "drama_range";
        if valid {
            let value =
                got.unwrap_or_else(|e| panic!("{identifier} {input}: expected valid, got {e}"));
            // Column 4 holds the normalised form, or a note (in prose).
            if !normalised.is_empty() && !normalised.chars().any(|c| c.is_ascii_lowercase()) {
                assert_eq!(value, normalised, "{identifier} {input}");
            }
        } else {
            let err = got.err().unwrap_or_else(|| {
                panic!("{identifier} {input}: expected {expected}, got a value")
            });
            let want = match expected {
                "invalid_checksum" => "checksum",
                "invalid_format" | "invalid" | "invalid_uk" => "format",
                "invalid_prefix" => "prefix",
                "invalid_suffix" => "suffix",
                e if e.starts_with("pseudo") || e == "administrative_not_nino" => "pseudo",
                other => panic!("unknown expectation in fixture: {other}"),
            };
            assert_eq!(kind(&err), want, "{identifier} {input}: {err}");
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} rows read");
}

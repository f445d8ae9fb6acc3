//! Normalisers and check rules for the identifiers that appear in UK
//! safeguarding records: postcodes, NHS numbers, Unique Pupil Numbers, PNC
//! IDs, National Insurance numbers, vehicle registrations, phone numbers,
//! and personal names.
//!
//! Every function is pure and total: any input, however malformed, gives a
//! value or an [`IdentifierError`] in plain words, never a panic. Each
//! normaliser is idempotent: normalising its own output gives the same
//! value.
//!
//! | value | function | canonical form |
//! |---|---|---|
//! | postcode | [`normalise_postcode`], [`normalise_postcode_district`] | `SW1A 1AA` (and its area, district, sector) |
//! | NHS number | [`normalise_nhs_number`] | `9434765919` |
//! | Unique Pupil Number | [`normalise_upn`] | `A950000178301` |
//! | PNC ID | [`normalise_pnc_id`] | `2001/0171310W` |
//! | National Insurance number | [`normalise_ni_number`] | `AB123456C` |
//! | vehicle registration | [`normalise_registration`] | `AB12CDE`, `AB12C??` |
//! | phone number | [`normalise_phone`] | `+447700900123` (E.164) |
//! | personal name | [`fold_name`], [`name_tokens`] | `siobhan oneill smyth` |
//!
//! [`normalise_identifier`] dispatches by the scheme names reports use.
//!
//! Input is read leniently (any case, spaces and the usual separators) but
//! only ASCII letters and digits count: full-width digits or look-alike
//! letters are a format error, never silently converted. Names are the
//! exception: they are transliterated to ASCII for comparison.

mod error;
mod name;
mod nhs;
mod nino;
mod phone;
mod pnc;
mod postcode;
mod upn;
mod vrm;

pub use error::IdentifierError;
pub use name::{fold_name, name_tokens};
pub use nhs::normalise_nhs_number;
pub use nino::normalise_ni_number;
pub use phone::normalise_phone;
pub use pnc::normalise_pnc_id;
pub use postcode::{
    Postcode, normalise_postcode, normalise_postcode_district, one_keystroke_apart,
};
pub use upn::normalise_upn;
pub use vrm::{Registration, RegistrationFormat, normalise_registration};

/// Normalises an identifier by its scheme name as it appears in reports
/// (`nhs_number`, `upn`, `pnc_id`, `ni_number`). Returns `None` for schemes
/// with no check rule (`local`, or any other scheme).
pub fn normalise_identifier(scheme: &str, value: &str) -> Option<Result<String, IdentifierError>> {
    match scheme {
        "nhs_number" => Some(normalise_nhs_number(value)),
        "upn" => Some(normalise_upn(value)),
        "pnc_id" => Some(normalise_pnc_id(value)),
        "ni_number" => Some(normalise_ni_number(value)),
        _ => None,
    }
}

/// Upper-cases (ASCII only) and removes whitespace, hyphens, dots and
/// slashes (unless listed in `keep`): the common first step for identifiers
/// people write with separators. Non-ASCII characters are left in place, so
/// they fail the format check that follows rather than being folded into
/// ASCII look-alikes (`ſ`, `ı`).
fn compact(s: &str, keep: &[char]) -> String {
    s.chars()
        .filter(|c| {
            !(c.is_whitespace() || matches!(c, '-' | '.') || (*c == '/' && !keep.contains(c)))
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The value as shown in an error message: trimmed, control characters
/// replaced by spaces, and shortened when long.
fn shown(s: &str) -> String {
    let t: String = s
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if t.chars().count() > 40 {
        let cut: String = t.chars().take(37).collect();
        format!("{cut}...")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_by_scheme() {
        assert_eq!(
            normalise_identifier("nhs_number", "943 476 5919"),
            Some(Ok("9434765919".to_string()))
        );
        assert_eq!(
            normalise_identifier("upn", "a950000178301"),
            Some(Ok("A950000178301".to_string()))
        );
        assert_eq!(
            normalise_identifier("pnc_id", "79/163001B"),
            Some(Ok("1979/0163001B".to_string()))
        );
        assert_eq!(
            normalise_identifier("ni_number", "ab 12 34 56 c"),
            Some(Ok("AB123456C".to_string()))
        );
        assert!(matches!(
            normalise_identifier("nhs_number", "9434765871"),
            Some(Err(IdentifierError::Checksum { .. }))
        ));
        assert_eq!(normalise_identifier("local", "X/123"), None);
        assert_eq!(normalise_identifier("NHS_NUMBER", "9434765919"), None);
        assert_eq!(normalise_identifier("", ""), None);
    }

    #[test]
    fn compact_does_not_fold_non_ascii() {
        assert_eq!(compact(" ab-12.34/5 ", &[]), "AB12345");
        assert_eq!(compact("ab/1", &['/']), "AB/1");
        assert_eq!(compact("ſı", &[]), "ſı");
    }

    #[test]
    fn shown_is_short_and_single_line() {
        assert_eq!(shown("  a\nb\t "), "a b");
        let long = "9".repeat(100);
        assert_eq!(shown(&long).chars().count(), 40);
    }

    #[test]
    fn messages_read_as_sentences() {
        let e = normalise_nhs_number("9434765871").unwrap_err();
        assert_eq!(
            e.to_string(),
            "NHS number `9434765871` fails its modulus-11 check"
        );
        let e = normalise_postcode("ZZ99 3VZ").unwrap_err();
        assert_eq!(
            e.to_string(),
            "postcode `ZZ99 3VZ` is a pseudo-postcode (no fixed abode or not known), not a place"
        );
        assert_eq!(normalise_upn("").unwrap_err().to_string(), "UPN is empty");
    }
}

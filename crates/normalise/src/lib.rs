//! Normalisers and check rules for the identifiers that appear in UK
//! safeguarding records: postcodes, NHS numbers, Unique Pupil Numbers, PNC
//! IDs, National Insurance numbers, vehicle registrations, phone numbers,
//! and personal names.
//!
//! Every function is pure and total: any input, however malformed, gives a
//! value or an [`IdentifierError`] in plain words, never a panic.

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
pub use postcode::{Postcode, normalise_postcode, normalise_postcode_district};
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

/// Upper-cases and removes spaces, hyphens, dots and slashes: the common
/// first step for identifiers people write with separators.
fn compact(s: &str, keep: &[char]) -> String {
    s.chars()
        .filter(|c| {
            !(c.is_whitespace() || matches!(c, '-' | '.') || (*c == '/' && !keep.contains(c)))
        })
        .flat_map(char::to_uppercase)
        .collect()
}

/// Shortens a value for an error message.
fn shown(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() > 40 {
        let cut: String = t.chars().take(37).collect();
        format!("{cut}...")
    } else {
        t.to_string()
    }
}

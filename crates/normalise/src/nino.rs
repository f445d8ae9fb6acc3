//! National Insurance numbers: two prefix letters, six digits, a suffix
//! A–D. There is no check digit; HMRC's prefix and suffix rules are checked.

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "National Insurance number";

/// Normalises a National Insurance number (`AB 12 34 56 C` → `AB123456C`).
pub fn normalise_ni_number(s: &str) -> Result<String, IdentifierError> {
    let n = compact(s, &[]);
    if n.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let b = n.as_bytes();
    if b.len() != 9
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..8].iter().all(u8::is_ascii_digit)
        || !b[8].is_ascii_uppercase()
    {
        return Err(IdentifierError::Format {
            what: WHAT,
            expected: "two letters, six digits and a letter, e.g. AB123456C",
            value: shown(s),
        });
    }
    let prefix = &n[..2];
    if ["OO", "CR", "FY", "MW", "NC", "PP", "PY", "PZ"].contains(&prefix) {
        return Err(IdentifierError::Pseudo {
            what: WHAT,
            reason: "an administrative reference, not a National Insurance number",
            value: shown(s),
        });
    }
    if b"DFIQUV".contains(&b[0]) || b"DFIOQUV".contains(&b[1]) {
        return Err(IdentifierError::Prefix {
            what: WHAT,
            reason: "D, F, I, Q, U and V are not used, nor O as the second letter",
            value: shown(s),
        });
    }
    if ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix) {
        return Err(IdentifierError::Prefix {
            what: WHAT,
            reason: "BG, GB, KN, NK, NT, TN and ZZ are not allocated",
            value: shown(s),
        });
    }
    if !b"ABCD".contains(&b[8]) {
        return Err(IdentifierError::Suffix {
            what: WHAT,
            reason: "the last letter is always A, B, C or D",
            value: shown(s),
        });
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        assert_eq!(normalise_ni_number("AB 12 34 56 C").unwrap(), "AB123456C");
        assert_eq!(normalise_ni_number("ab123456c").unwrap(), "AB123456C");
        assert!(matches!(
            normalise_ni_number("QQ123456A"),
            Err(IdentifierError::Prefix { .. })
        ));
        assert!(matches!(
            normalise_ni_number("BG123456A"),
            Err(IdentifierError::Prefix { .. })
        ));
        assert!(matches!(
            normalise_ni_number("AO123456A"),
            Err(IdentifierError::Prefix { .. })
        ));
        assert!(matches!(
            normalise_ni_number("AB123456E"),
            Err(IdentifierError::Suffix { .. })
        ));
        assert!(matches!(
            normalise_ni_number("OO123456A"),
            Err(IdentifierError::Pseudo { .. })
        ));
        assert!(matches!(
            normalise_ni_number("A1234567C"),
            Err(IdentifierError::Format { .. })
        ));
    }
}

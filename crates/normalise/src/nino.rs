//! National Insurance numbers: two prefix letters, six digits, a suffix
//! A–D. There is no check digit; HMRC's prefix and suffix rules (NIM39110)
//! are checked.

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "National Insurance number";
/// Prefixes HMRC uses for administrative references, not for people.
const ADMINISTRATIVE: [&str; 8] = ["OO", "CR", "FY", "MW", "NC", "PP", "PY", "PZ"];
/// Prefixes that are never allocated although their letters are allowed.
const UNALLOCATED: [&str; 7] = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];

/// Normalises a National Insurance number (`ab 12 34 56 c` → `AB123456C`).
///
/// Shape errors are [`IdentifierError::Format`]; prefixes never issued
/// (D, F, I, Q, U or V in either letter, O second, or BG, GB, KN, NK, NT, TN,
/// ZZ) are [`IdentifierError::Prefix`]; suffixes other than A–D are
/// [`IdentifierError::Suffix`]; the administrative prefixes OO, CR, FY, MW,
/// NC, PP, PY and PZ are [`IdentifierError::Pseudo`]: well formed, but not a
/// person's number.
pub fn normalise_ni_number(s: &str) -> Result<String, IdentifierError> {
    let n = compact(s, &[]);
    if n.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let letter = u8::is_ascii_uppercase;
    let (first, second, suffix) = match *n.as_bytes() {
        [a, b, d1, d2, d3, d4, d5, d6, x]
            if letter(&a)
                && letter(&b)
                && [d1, d2, d3, d4, d5, d6].iter().all(u8::is_ascii_digit)
                && letter(&x) =>
        {
            (a, b, x)
        }
        _ => {
            return Err(IdentifierError::Format {
                what: WHAT,
                expected: "two letters, six digits and a letter, e.g. AB123456C",
                value: shown(s),
            });
        }
    };
    let prefix = [first, second];
    let is = |list: &[&str]| list.iter().any(|p| p.as_bytes() == prefix);
    if is(&ADMINISTRATIVE) {
        return Err(IdentifierError::Pseudo {
            what: WHAT,
            reason: "an administrative reference, not a National Insurance number",
            value: shown(s),
        });
    }
    if b"DFIQUV".contains(&first) || b"DFIOQUV".contains(&second) {
        return Err(IdentifierError::Prefix {
            what: WHAT,
            reason: "D, F, I, Q, U and V are not used, nor O as the second letter",
            value: shown(s),
        });
    }
    if is(&UNALLOCATED) {
        return Err(IdentifierError::Prefix {
            what: WHAT,
            reason: "BG, GB, KN, NK, NT, TN and ZZ are not allocated",
            value: shown(s),
        });
    }
    if !b"ABCD".contains(&suffix) {
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

    fn kind(s: &str) -> &'static str {
        match normalise_ni_number(s) {
            Ok(_) => "ok",
            Err(IdentifierError::Empty { .. }) => "empty",
            Err(IdentifierError::Format { .. }) => "format",
            Err(IdentifierError::Prefix { .. }) => "prefix",
            Err(IdentifierError::Suffix { .. }) => "suffix",
            Err(IdentifierError::Pseudo { .. }) => "pseudo",
            Err(IdentifierError::Checksum { .. }) => "checksum",
        }
    }

    #[test]
    fn valid() {
        for (input, want) in [
            ("AB 12 34 56 C", "AB123456C"),
            ("ab123456c", "AB123456C"),
            ("  JG-10-37-85-A ", "JG103785A"),
            ("OA123456D", "OA123456D"),
            ("ZA123456B", "ZA123456B"),
        ] {
            assert_eq!(normalise_ni_number(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn prefixes_never_issued() {
        for bad in [
            "QQ123456A",
            "BG123456A",
            "GB123456A",
            "NK123456A",
            "TN123456A",
            "ZZ123456A",
            "AO123456A",
            "DA123456A",
            "FA123456A",
            "IA123456A",
            "UA123456A",
            "VA123456A",
            "AD123456A",
            "AV123456A",
        ] {
            assert_eq!(kind(bad), "prefix", "{bad}");
        }
    }

    #[test]
    fn administrative_prefixes() {
        for bad in [
            "OO123456A",
            "CR123456A",
            "FY123456A",
            "MW123456A",
            "NC123456A",
            "PP123456A",
            "PY123456A",
            "PZ123456A",
        ] {
            assert_eq!(kind(bad), "pseudo", "{bad}");
        }
    }

    #[test]
    fn suffixes() {
        assert_eq!(kind("AB123456E"), "suffix");
        assert_eq!(kind("AB123456Z"), "suffix");
    }

    #[test]
    fn wrong_shapes() {
        for bad in [
            "A1234567C",
            "AB12345C",
            "AB1234567C",
            "AB123456",
            "AB1234567",
            "12123456C",
            "ÅB123456C",
            "AB12345６C",
        ] {
            assert_eq!(kind(bad), "format", "{bad}");
        }
        assert_eq!(kind(""), "empty");
    }
}

//! NHS numbers: ten digits, the last a modulus-11 check digit.

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "NHS number";
const CHECK: &str = "modulus-11 check";

/// Normalises an NHS number to its ten digits (`943 476 5919` →
/// `9434765919`), checking the modulus-11 check digit.
///
/// Spaces, hyphens and dots between digits are ignored. The first nine
/// digits are weighted 10 down to 2; the check digit is 11 minus the sum
/// modulo 11 (11 becomes 0; 10 means no valid number has that stem).
/// Numbers made of one repeated digit (`0000000000`, `1111111111`) pass the
/// arithmetic but are placeholders, reported as [`IdentifierError::Pseudo`].
pub fn normalise_nhs_number(s: &str) -> Result<String, IdentifierError> {
    let text = compact(s, &[]);
    if text.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let digits: Option<Vec<u32>> = text.chars().map(|c| c.to_digit(10)).collect();
    let Some([d @ .., check]) = digits.and_then(|d| <[u32; 10]>::try_from(d).ok()) else {
        return Err(IdentifierError::Format {
            what: WHAT,
            expected: "10 digits",
            value: shown(s),
        });
    };
    if d.iter().all(|&x| x == check) {
        return Err(IdentifierError::Pseudo {
            what: WHAT,
            reason: "a placeholder (all digits the same), not a real number",
            value: shown(s),
        });
    }
    let sum: u32 = d.iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let expected = match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c),
    };
    if expected != Some(check) {
        return Err(IdentifierError::Checksum {
            what: WHAT,
            check: CHECK,
            value: shown(s),
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> &'static str {
        match normalise_nhs_number(s) {
            Ok(_) => "ok",
            Err(IdentifierError::Empty { .. }) => "empty",
            Err(IdentifierError::Format { .. }) => "format",
            Err(IdentifierError::Checksum { .. }) => "checksum",
            Err(IdentifierError::Pseudo { .. }) => "pseudo",
            Err(_) => "other",
        }
    }

    #[test]
    fn valid_numbers_in_any_spacing() {
        for (input, want) in [
            ("943 476 5919", "9434765919"),
            ("943-476-5870", "9434765870"),
            ("9912003888", "9912003888"),
            ("  991 200 3888  ", "9912003888"),
            ("991.200.3888", "9912003888"),
            ("9990000018", "9990000018"),
            // Check value 11 becomes 0; leading zeros are kept.
            ("0000000019", "0000000019"),
            ("1000000060", "1000000060"),
        ] {
            assert_eq!(normalise_nhs_number(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn wrong_check_digit() {
        assert_eq!(kind("9434765871"), "checksum");
        assert_eq!(kind("9434765918"), "checksum");
    }

    #[test]
    fn stem_whose_check_would_be_ten() {
        // 999000000 weighs to a check value of 10: no check digit works.
        for d in 0..=9 {
            assert_eq!(kind(&format!("999000000{d}")), "checksum");
        }
    }

    #[test]
    fn all_same_digit_numbers_are_placeholders() {
        for d in 0..=9 {
            let n = d.to_string().repeat(10);
            assert_eq!(kind(&n), "pseudo", "{n}");
        }
    }

    #[test]
    fn wrong_shapes() {
        for bad in [
            "117-66-8129",
            "94347659199",
            "943476591",
            "94347659A9",
            "NHS 9434765919",
            "９４３４７６５９１９",
            "943476591٩",
        ] {
            assert_eq!(kind(bad), "format", "{bad}");
        }
        assert_eq!(kind(""), "empty");
        assert_eq!(kind(" - "), "empty");
    }

    #[test]
    fn message() {
        assert_eq!(
            normalise_nhs_number(" 943 476 5871 ")
                .unwrap_err()
                .to_string(),
            "NHS number `943 476 5871` fails its modulus-11 check"
        );
    }
}

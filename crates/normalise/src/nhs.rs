//! NHS numbers: ten digits, the last a modulus-11 check digit.

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "NHS number";

/// Normalises an NHS number to its ten digits (`943 476 5919` →
/// `9434765919`), checking the modulus-11 check digit.
pub fn normalise_nhs_number(s: &str) -> Result<String, IdentifierError> {
    let digits = compact(s, &[]);
    if digits.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdentifierError::Format {
            what: WHAT,
            expected: "10 digits",
            value: shown(s),
        });
    }
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    if d.iter().all(|&x| x == d[0]) {
        return Err(IdentifierError::Pseudo {
            what: WHAT,
            reason: "a placeholder (all digits the same), not a real number",
            value: shown(s),
        });
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => {
            return Err(IdentifierError::Checksum {
                what: WHAT,
                check: "modulus-11 check",
                value: shown(s),
            });
        }
        c => c,
    };
    if check != d[9] {
        return Err(IdentifierError::Checksum {
            what: WHAT,
            check: "modulus-11 check",
            value: shown(s),
        });
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        assert_eq!(normalise_nhs_number("943 476 5919").unwrap(), "9434765919");
        assert_eq!(normalise_nhs_number("943-476-5870").unwrap(), "9434765870");
        assert!(matches!(
            normalise_nhs_number("9434765871"),
            Err(IdentifierError::Checksum { .. })
        ));
        assert!(matches!(
            normalise_nhs_number("9990000000"),
            Err(IdentifierError::Checksum { .. })
        ));
        assert!(matches!(
            normalise_nhs_number("1111111111"),
            Err(IdentifierError::Pseudo { .. })
        ));
        assert!(matches!(
            normalise_nhs_number("117-66-8129"),
            Err(IdentifierError::Format { .. })
        ));
        assert!(matches!(
            normalise_nhs_number("94347659A9"),
            Err(IdentifierError::Format { .. })
        ));
        assert!(matches!(
            normalise_nhs_number("  "),
            Err(IdentifierError::Empty { .. })
        ));
    }
}

//! Phone numbers to E.164 (`+447700900123`). UK numbers are checked for a
//! plausible national number; other international numbers are kept when
//! they have a plausible length.
//!
//! Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx) are accepted: they are
//! what synthetic and training data use. (A full libphonenumber port would
//! flag them as unallocated, and would cost far more to build; linking needs
//! the canonical form, not allocation data.)

use crate::{IdentifierError, shown};

const WHAT: &str = "phone number";
const EXPECTED: &str =
    "a UK number such as 07700 900123 or an international number starting + or 00";

/// Cuts an extension written after the number ("x123", "ext. 123").
fn without_extension(s: &str) -> &str {
    let lower = s.to_ascii_lowercase();
    for marker in ["extension", "ext.", "ext", "x"] {
        if let Some(i) = lower.rfind(marker) {
            let tail = &lower[i + marker.len()..];
            let tail = tail.trim_start_matches([' ', ':', '.']);
            if !tail.is_empty()
                && tail.bytes().all(|b| b.is_ascii_digit() || b == b' ')
                && s.is_char_boundary(i)
            {
                return &s[..i];
            }
        }
    }
    s
}

/// A UK national significant number (without the trunk 0) that could exist.
fn plausible_uk(nsn: &str) -> bool {
    let Some(first) = nsn.bytes().next() else {
        return false;
    };
    match first {
        b'1' => (9..=10).contains(&nsn.len()),
        b'8' => (9..=10).contains(&nsn.len()),
        b'2' | b'3' | b'5' | b'7' | b'9' => nsn.len() == 10,
        _ => false,
    }
}

/// Normalises a phone number to E.164.
pub fn normalise_phone(s: &str) -> Result<String, IdentifierError> {
    let trimmed = without_extension(s.trim()).trim();
    if trimmed.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let bad = || IdentifierError::Format {
        what: WHAT,
        expected: EXPECTED,
        value: shown(s),
    };
    // An international prefix must be written as such at the start: "+44",
    // "0044". ("0-(070)..." is a trunk 0 and then a bracketed code.)
    let (international, rest) = if let Some(r) = trimmed.strip_prefix('+') {
        (true, r)
    } else if let Some(r) = trimmed.strip_prefix("00") {
        (true, r)
    } else {
        (false, trimmed)
    };
    // "(0)" is the UK trunk prefix shown inside international numbers.
    let rest = if international {
        rest.replace("(0)", "")
    } else {
        rest.to_string()
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
            _ => return Err(bad()),
        }
    }
    if international {
        if let Some(nsn) = digits.strip_prefix("44") {
            let nsn = nsn.strip_prefix('0').unwrap_or(nsn);
            return if plausible_uk(nsn) {
                Ok(format!("+44{nsn}"))
            } else {
                Err(bad())
            };
        }
        return if (8..=15).contains(&digits.len()) && !digits.starts_with('0') {
            Ok(format!("+{digits}"))
        } else {
            Err(bad())
        };
    }
    if let Some(nsn) = digits.strip_prefix('0') {
        return if plausible_uk(nsn) {
            Ok(format!("+44{nsn}"))
        } else {
            Err(bad())
        };
    }
    // "447700900123": the country code without its plus.
    if digits.len() == 12
        && let Some(nsn) = digits.strip_prefix("44")
        && plausible_uk(nsn)
    {
        return Ok(format!("+44{nsn}"));
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_numbers() {
        for (input, want) in [
            ("020 7946 0958", "+442079460958"),
            ("07700 900123", "+447700900123"),
            ("+44 7700 900123", "+447700900123"),
            ("+44 (0)7700 900123", "+447700900123"),
            ("0044 7700 900123", "+447700900123"),
            ("447700900123", "+447700900123"),
            ("(01706) 123456", "+441706123456"),
            ("0800 123 456", "+44800123456"),
            ("07700-900-123 ext 12", "+447700900123"),
            ("07700.900.123 x5", "+447700900123"),
        ] {
            assert_eq!(normalise_phone(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn international_numbers() {
        assert_eq!(normalise_phone("+48 512 345 678").unwrap(), "+48512345678");
        assert_eq!(normalise_phone("0048 512 345 678").unwrap(), "+48512345678");
    }

    #[test]
    fn rejects() {
        for bad in [
            "0-(070)893-3322",
            "12345",
            "07700 90012",
            "call me",
            "",
            "+1",
            "06123 456789",
        ] {
            assert!(normalise_phone(bad).is_err(), "{bad}");
        }
    }
}

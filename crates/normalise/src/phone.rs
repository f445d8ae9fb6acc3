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

/// Cuts an extension written after the number ("x123", "ext. 123",
/// "extension 12").
fn without_extension(s: &str) -> &str {
    // Every marker has an `x`: without one there is nothing to cut.
    if !s.bytes().any(|b| b == b'x' || b == b'X') {
        return s;
    }
    // ASCII lower-casing keeps byte offsets, so `i` indexes `s` too.
    let lower = s.to_ascii_lowercase();
    for marker in ["extension", "ext.", "ext", "x"] {
        let Some(i) = lower.rfind(marker) else {
            continue;
        };
        let tail = lower
            .get(i + marker.len()..)
            .unwrap_or_default()
            .trim_start_matches([' ', ':', '.']);
        let digits_only = !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit() || b == b' ');
        if let Some(head) = s.get(..i).filter(|_| digits_only) {
            return head;
        }
    }
    s
}

/// Whether a UK national significant number (the digits after the trunk 0
/// or after +44) could exist: it starts 1, 2, 3, 5, 7, 8 or 9 and has the
/// length of that range. 01 and 08 numbers have 9 or 10 digits (a few 01
/// areas still have 9-digit numbers, as does 0800 123456); 0500 freephone
/// numbers (withdrawn in 2017, still in older records) have 9; the rest
/// have 10. Childline (0800 1111) and NHS Direct (0845 4647) have 7.
fn plausible_uk(nsn: &str) -> bool {
    if !nsn.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match (nsn.bytes().next(), nsn.len()) {
        (Some(b'1' | b'8'), 9..=10) => true,
        (Some(b'2' | b'3' | b'5' | b'7' | b'9'), 10) => true,
        (Some(b'5'), 9) => nsn.starts_with("500"),
        (_, 7) => nsn == "8001111" || nsn == "8454647",
        _ => false,
    }
}

/// The UK number after a `44` country code (a stray trunk `0` allowed, as in
/// "+44 07700 900123").
fn uk_after_country_code(rest: &str) -> Option<String> {
    let nsn = rest.strip_prefix('0').unwrap_or(rest);
    plausible_uk(nsn).then(|| format!("+44{nsn}"))
}

/// Normalises a phone number to E.164.
///
/// Spaces, hyphens, dots, slashes and brackets are ignored, and an
/// extension ("ext 123", "x123") is dropped. A `(0)` written after a
/// country code ("+44 (0)20 …") is the trunk prefix and is removed.
///
/// * `+44…`, `0044…` and `44…` (ten digits after the 44) are UK numbers:
///   `+44` and the national number without its trunk 0.
/// * A number starting with a single `0` is a UK national number: the next
///   digit must be 1, 2, 3, 5, 7, 8 or 9 and the length must fit that range
///   (so `0-(070)893-3322`, a foreign layout whose digits start `00` but
///   whose first 0 is set apart, not an international prefix, is rejected).
/// * Other numbers starting `+` or `00` (written together) are kept as `+` and their digits
///   when there are 8 to 15 of them.
///
/// Anything else, including letters, is a [`IdentifierError::Format`] error.
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
    let mut plus = false;
    let mut digits = String::with_capacity(trimmed.len());
    let mut chars = trimmed.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '0'..='9' => digits.push(c),
            // A trunk "(0)" after the country code.
            '(' if !digits.is_empty() && trimmed.get(i..).is_some_and(|t| t.starts_with("(0)")) => {
                chars.nth(1);
            }
            '+' if !plus && digits.is_empty() => plus = true,
            '(' | ')' | '[' | ']' | '-' | '.' | '/' => {}
            c if c.is_whitespace() => {}
            _ => return Err(bad()),
        }
    }
    if digits.is_empty() {
        return Err(bad());
    }
    // "00" is an international prefix only when written together: in
    // "0-(070)…" the first 0 is a trunk prefix set apart.
    let written_00 = trimmed
        .find(|c: char| c.is_ascii_digit())
        .and_then(|i| trimmed.get(i..))
        .is_some_and(|t| t.starts_with("00"));
    let international = if plus {
        Some(digits.as_str())
    } else if written_00 {
        digits.strip_prefix("00")
    } else {
        None
    };
    let normalised = match international {
        Some(number) => match number.strip_prefix("44") {
            Some(rest) => uk_after_country_code(rest),
            None => ((8..=15).contains(&number.len()) && !number.starts_with('0'))
                .then(|| format!("+{number}")),
        },
        None => match digits.strip_prefix('0') {
            Some(nsn) => plausible_uk(nsn).then(|| format!("+44{nsn}")),
            // "447700900123": the country code without its plus.
            None => digits
                .strip_prefix("44")
                .filter(|rest| rest.trim_start_matches('0').len() == 10)
                .and_then(uk_after_country_code),
        },
    };
    normalised.ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_numbers() {
        for (input, want) in [
            ("020 7946 0958", "+442079460958"),
            ("(020) 7946-0958", "+442079460958"),
            ("07700 900123", "+447700900123"),
            ("07700900123", "+447700900123"),
            ("+44 7700 900123", "+447700900123"),
            ("+44 (0)7700 900123", "+447700900123"),
            ("+44(0)20 7946 0958", "+442079460958"),
            ("+44 07700 900123", "+447700900123"),
            ("(0044) 7700 900123", "+447700900123"),
            ("(0)20 7946 0958", "+442079460958"),
            ("(+44) 7700 900123", "+447700900123"),
            ("0044 7700 900123", "+447700900123"),
            ("00 44 (0) 7700 900123", "+447700900123"),
            ("447700900123", "+447700900123"),
            ("44 (0)7700 900123", "+447700900123"),
            ("44 07700 900123", "+447700900123"),
            ("(01706) 123456", "+441706123456"),
            ("016977 3123", "+44169773123"),
            ("0800 123 456", "+44800123456"),
            ("0800 1111", "+448001111"),
            ("0500 123456", "+44500123456"),
            ("0300 123 4567", "+443001234567"),
            ("07700-900-123 ext 12", "+447700900123"),
            ("07700.900.123 x5", "+447700900123"),
            ("07700 900123 Ext: 5", "+447700900123"),
            ("07700 900123 extension 5", "+447700900123"),
            ("07700/900123", "+447700900123"),
            ("\u{a0}07700\u{a0}900123\u{a0}", "+447700900123"),
        ] {
            assert_eq!(normalise_phone(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn international_numbers() {
        for (input, want) in [
            ("+48 512 345 678", "+48512345678"),
            ("0048 512 345 678", "+48512345678"),
            ("+1 (415) 555-2671", "+14155552671"),
            ("+353 (0)1 234 5678", "+35312345678"),
            ("+12345678", "+12345678"),
            ("+123456789012345", "+123456789012345"),
        ] {
            assert_eq!(normalise_phone(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn rejects() {
        for bad in [
            // A foreign layout: trunk 0, then "070" in brackets.
            "0-(070)893-3322",
            "12345",
            "07700 90012",
            "07700 9001234",
            "020 7946 095",
            "04700 900123",
            "06123 456789",
            "0501 123456",
            "call me",
            "+1",
            "+44",
            "+44 12",
            "+1234567",
            "+1234567890123456",
            "+0 1234 5678",
            "000 1234 5678",
            "0 044 7700 900123",
            "7700 900123",
            "4477009001234",
            "07700 900123 mobile",
            "07700 +900123",
            "++447700900123",
            "٠٧٧٠٠٩٠٠١٢٣",
            "x",
            "()",
        ] {
            assert!(
                matches!(normalise_phone(bad), Err(IdentifierError::Format { .. })),
                "{bad}: {:?}",
                normalise_phone(bad)
            );
        }
        for empty in ["", "   ", "ext 123"] {
            assert!(
                matches!(normalise_phone(empty), Err(IdentifierError::Empty { .. })),
                "{empty}"
            );
        }
    }
}

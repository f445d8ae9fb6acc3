//! Police National Computer IDs: `YYYY/NNNNNNNC`, also written `YY/NNNNNC`
//! (two-digit year, serial without leading zeros) or without the slash.

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "PNC ID";
const EXPECTED: &str = "YYYY/NNNNNNNC or YY/NNNNNC, e.g. 2001/0171310W";
/// Check letters by remainder modulo 23 (no I, O or S).
const LETTERS: &[u8; 23] = b"ZABCDEFGHJKLMNPQRTUVWXY";

/// Reads a year: four digits 19xx or 20xx, or two digits, where a year above
/// 40 is 19xx and 40 or below is 20xx.
fn full_year(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u32 = text.parse().ok()?;
    match (text.len(), year) {
        (2, 0..=40) => Some(2000 + year),
        (2, _) => Some(1900 + year),
        (4, 1900..=2099) => Some(year),
        _ => None,
    }
}

/// Normalises a PNC ID to `YYYY/NNNNNNNC` (`79/163001B` →
/// `1979/0163001B`; `20030011985X` → `2003/0011985X`) and checks its check
/// letter: the two-digit year followed by the seven-digit serial, read as
/// one number, modulo 23, indexes `ZABCDEFGHJKLMNPQRTUVWXY`.
///
/// A two-digit year above 40 is read as 19xx, otherwise 20xx: PNC IDs date
/// from the 1970s, and short forms are mostly historical. Without a slash
/// only the full form (four-digit year, seven-digit serial) can be read.
pub fn normalise_pnc_id(s: &str) -> Result<String, IdentifierError> {
    let text = compact(s, &['/']);
    if text.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let bad = || IdentifierError::Format {
        what: WHAT,
        expected: EXPECTED,
        value: shown(s),
    };
    // The check letter is ASCII, so `body` ends on a character boundary.
    let Some((body, check)) = text
        .strip_suffix(|c: char| c.is_ascii_uppercase())
        .zip(text.bytes().last())
    else {
        return Err(bad());
    };
    let (year, serial) = match body.split_once('/') {
        Some(parts) => parts,
        None if body.len() == 11 && body.is_char_boundary(4) => body.split_at(4),
        None => return Err(bad()),
    };
    let serial_ok = (1..=7).contains(&serial.len()) && serial.bytes().all(|b| b.is_ascii_digit());
    let (Some(year), true) = (full_year(year), serial_ok) else {
        return Err(bad());
    };
    let serial: u64 = serial.parse().map_err(|_| bad())?;
    let number = u64::from(year % 100) * 10_000_000 + serial;
    let expected = LETTERS[(number % 23) as usize];
    if expected != check {
        return Err(IdentifierError::Checksum {
            what: WHAT,
            check: "check letter",
            value: shown(s),
        });
    }
    Ok(format!("{year:04}/{serial:07}{}", char::from(check)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> &'static str {
        match normalise_pnc_id(s) {
            Ok(_) => "ok",
            Err(IdentifierError::Empty { .. }) => "empty",
            Err(IdentifierError::Format { .. }) => "format",
            Err(IdentifierError::Checksum { .. }) => "checksum",
            Err(_) => "other",
        }
    }

    #[test]
    fn canonical_forms() {
        for (input, want) in [
            ("2001/0171310W", "2001/0171310W"),
            ("20030011985X", "2003/0011985X"),
            ("79/163001B", "1979/0163001B"),
            ("02/73319z", "2002/0073319Z"),
            (" 2002 / 0073319 Z ", "2002/0073319Z"),
            ("2002/73319Z", "2002/0073319Z"),
            ("1979/0163001b", "1979/0163001B"),
        ] {
            assert_eq!(normalise_pnc_id(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn two_digit_years_pivot_at_40() {
        // 40 → 2040; 41 → 1941. Check letters computed for serial 1.
        let letter = |yy: u64| char::from(LETTERS[((yy * 10_000_000 + 1) % 23) as usize]);
        assert_eq!(
            normalise_pnc_id(&format!("40/1{}", letter(40))).unwrap(),
            format!("2040/0000001{}", letter(40))
        );
        assert_eq!(
            normalise_pnc_id(&format!("41/1{}", letter(41))).unwrap(),
            format!("1941/0000001{}", letter(41))
        );
    }

    #[test]
    fn wrong_check_letter() {
        assert_eq!(kind("2001/0171310S"), "checksum");
        assert_eq!(kind("20030011985Z"), "checksum");
        assert_eq!(kind("79/163001C"), "checksum");
    }

    #[test]
    fn wrong_shapes() {
        for bad in [
            "2001/01713101",
            "/X",
            "X",
            "2001/X",
            "2001/01713100W",
            "201/0171310W",
            "0001/0171310W",
            "2101/0171310W",
            "79163001B",
            "2001/0171/310W",
            "2001/017131€W",
            "€0010171310W",
            "€00171310W",
            "20€171310W",
        ] {
            assert_eq!(kind(bad), "format", "{bad}");
        }
        assert_eq!(kind(" "), "empty");
    }
}

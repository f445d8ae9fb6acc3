//! Police National Computer IDs: `YYYY/NNNNNNNC`, also written `YY/NNNNNC`
//! (serial without leading zeros) or without the slash.

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "PNC ID";
const LETTERS: &[u8; 23] = b"ZABCDEFGHJKLMNPQRTUVWXY";

/// Normalises a PNC ID to `YYYY/NNNNNNNC` and checks its check letter.
///
/// A two-digit year above 40 is read as 19xx, otherwise 20xx (PNC IDs began
/// in the 1970s; short forms are historical).
pub fn normalise_pnc_id(s: &str) -> Result<String, IdentifierError> {
    let text = compact(s, &['/']);
    if text.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let bad = || IdentifierError::Format {
        what: WHAT,
        expected: "YYYY/NNNNNNNC or YY/NNNNNC",
        value: shown(s),
    };
    let Some(&check) = text.as_bytes().last().filter(|c| c.is_ascii_uppercase()) else {
        return Err(bad());
    };
    if !text.is_ascii() {
        return Err(bad());
    }
    let body = &text[..text.len() - 1];
    let (year, serial) = match body.split_once('/') {
        Some((y, n)) => (y, n),
        None if body.len() == 11 => body.split_at(4),
        None => return Err(bad()),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(year) || !digits(serial) || serial.len() > 7 || !(year.len() == 2 || year.len() == 4)
    {
        return Err(bad());
    }
    let year: u32 = year.parse().map_err(|_| bad())?;
    let year = match year {
        0..=40 => 2000 + year,
        41..=99 => 1900 + year,
        y => y,
    };
    let serial: u32 = serial.parse().map_err(|_| bad())?;
    let number = u64::from(year % 100) * 10_000_000 + u64::from(serial);
    let expected = LETTERS[(number % 23) as usize];
    if expected != check {
        return Err(IdentifierError::Checksum {
            what: WHAT,
            check: "check-letter test",
            value: shown(s),
        });
    }
    Ok(format!("{year:04}/{serial:07}{}", check as char))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        assert_eq!(normalise_pnc_id("2001/0171310W").unwrap(), "2001/0171310W");
        assert_eq!(normalise_pnc_id("20030011985X").unwrap(), "2003/0011985X");
        assert_eq!(normalise_pnc_id("79/163001B").unwrap(), "1979/0163001B");
        assert_eq!(normalise_pnc_id("02/73319z").unwrap(), "2002/0073319Z");
        assert!(matches!(
            normalise_pnc_id("2001/0171310S"),
            Err(IdentifierError::Checksum { .. })
        ));
        assert!(matches!(
            normalise_pnc_id("20030011985Z"),
            Err(IdentifierError::Checksum { .. })
        ));
        assert!(matches!(
            normalise_pnc_id("2001/01713101"),
            Err(IdentifierError::Format { .. })
        ));
        assert!(matches!(
            normalise_pnc_id("/X"),
            Err(IdentifierError::Format { .. })
        ));
    }
}

//! UK vehicle registration marks: the current format (since 2001), the
//! prefix and suffix formats before it, dateless and Northern Ireland marks,
//! and partial plates with unknown characters written as `?`.

use serde::Serialize;

use crate::{IdentifierError, shown};

const WHAT: &str = "vehicle registration";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationFormat {
    /// `AB12 CDE` (2001 on)
    Current,
    /// `A123 BCD` (1983–2001)
    Prefix,
    /// `ABC 123D` (1963–1983)
    Suffix,
    /// `ABC 123`, `1234 AB` (before 1963, and cherished marks)
    Dateless,
    /// `AIJ 1234`, `BAZ 123`
    NorthernIreland,
    /// A partial plate whose format cannot be told.
    Unknown,
}

/// A normalised registration: upper case, no spaces, `?` for each unknown
/// character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Registration {
    pub text: String,
    pub format: RegistrationFormat,
    pub partial: bool,
}

impl Registration {
    /// Whether two registrations can be the same plate: same length, and
    /// every known character equal (`?` matches anything).
    pub fn matches(&self, other: &Registration) -> bool {
        self.text.len() == other.text.len()
            && self
                .text
                .bytes()
                .zip(other.text.bytes())
                .all(|(a, b)| a == b || a == b'?' || b == b'?')
    }
}

#[derive(Clone, Copy)]
enum Class {
    Letter,
    Digit,
}

/// Does `s` fit the sequence of runs `(class, min, max)`? `?` fits either
/// class. Runs are matched greedily with backtracking over run lengths.
fn fits(s: &[u8], runs: &[Run]) -> bool {
    let Some((&(class, min, max), rest)) = runs.split_first() else {
        return s.is_empty();
    };
    let ok = |c: u8| {
        c == b'?'
            || match class {
                Class::Letter => c.is_ascii_uppercase(),
                Class::Digit => c.is_ascii_digit(),
            }
    };
    let run = s.iter().take(max).take_while(|&&c| ok(c)).count();
    (min..=run).rev().any(|n| fits(&s[n..], rest))
}

use Class::{Digit as D, Letter as L};

/// A run of characters of one class, with its minimum and maximum length.
type Run = (Class, usize, usize);

const FORMATS: &[(RegistrationFormat, &[Run])] = &[
    (
        RegistrationFormat::Current,
        &[(L, 2, 2), (D, 2, 2), (L, 3, 3)],
    ),
    (
        RegistrationFormat::Prefix,
        &[(L, 1, 1), (D, 1, 3), (L, 3, 3)],
    ),
    (
        RegistrationFormat::Suffix,
        &[(L, 3, 3), (D, 1, 3), (L, 1, 1)],
    ),
    (RegistrationFormat::NorthernIreland, &[(L, 2, 3), (D, 1, 4)]),
    (RegistrationFormat::Dateless, &[(L, 1, 3), (D, 1, 4)]),
    (RegistrationFormat::Dateless, &[(D, 1, 4), (L, 1, 3)]),
];

/// Northern Ireland marks carry an I or a Z in their letters.
fn northern_irish(s: &[u8]) -> bool {
    let letters: Vec<u8> = s
        .iter()
        .copied()
        .take_while(|c| !c.is_ascii_digit())
        .collect();
    (2..=3).contains(&letters.len()) && letters.iter().any(|c| matches!(c, b'I' | b'Z'))
}

/// Normalises a registration (`ab12 cde` → `AB12CDE`; `AB12 C**` →
/// `AB12C??`, partial).
pub fn normalise_registration(s: &str) -> Result<Registration, IdentifierError> {
    let text: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c {
            '*' | '_' => '?',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    if text.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let bad = || IdentifierError::Format {
        what: WHAT,
        expected: "a UK registration such as AB12 CDE, A123 BCD or ABC 123D; `?` for unknown characters",
        value: shown(s),
    };
    if !text
        .bytes()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'?')
        || text.len() > 8
    {
        return Err(bad());
    }
    let bytes = text.as_bytes();
    let partial = bytes.contains(&b'?');
    let known = bytes.iter().filter(|&&c| c != b'?').count();
    if partial && known < 2 {
        return Err(bad());
    }
    let format = FORMATS
        .iter()
        .find(|(format, runs)| {
            fits(bytes, runs)
                && (*format != RegistrationFormat::NorthernIreland || northern_irish(bytes))
        })
        .map(|(format, _)| *format);
    match format {
        Some(format) if bytes.len() <= 7 => Ok(Registration {
            text,
            format,
            partial,
        }),
        None if partial && (2..=7).contains(&bytes.len()) => Ok(Registration {
            text,
            format: RegistrationFormat::Unknown,
            partial,
        }),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> RegistrationFormat {
        normalise_registration(s).unwrap().format
    }

    #[test]
    fn formats() {
        assert_eq!(normalise_registration("ab51 abc").unwrap().text, "AB51ABC");
        assert_eq!(fmt("AB51 ABC"), RegistrationFormat::Current);
        assert_eq!(fmt("A123 BCD"), RegistrationFormat::Prefix);
        assert_eq!(fmt("ABC 123D"), RegistrationFormat::Suffix);
        assert_eq!(fmt("RY52 APF"), RegistrationFormat::Current);
        assert_eq!(fmt("ABC 123"), RegistrationFormat::Dateless);
        assert_eq!(fmt("1234 AB"), RegistrationFormat::Dateless);
        assert_eq!(fmt("AIJ 1234"), RegistrationFormat::NorthernIreland);
    }

    #[test]
    fn partial_plates() {
        let r = normalise_registration("AB12 C??").unwrap();
        assert!(r.partial);
        assert_eq!(r.format, RegistrationFormat::Current);
        assert!(r.matches(&normalise_registration("ab12cde").unwrap()));
        assert!(!r.matches(&normalise_registration("AB13CDE").unwrap()));
        assert_eq!(normalise_registration("AB12 C**").unwrap().text, "AB12C??");
        assert!(normalise_registration("????").is_err());
    }

    #[test]
    fn rejects() {
        for bad in ["", "NOT A PLATE 123456", "AB12-CD€", "12345678", "A"] {
            assert!(normalise_registration(bad).is_err(), "{bad}");
        }
    }
}

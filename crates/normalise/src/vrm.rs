//! UK vehicle registration marks: the current format (since 2001), the
//! prefix and suffix formats before it, dateless and Northern Ireland marks,
//! and partial plates with unknown characters written as `?`.

use serde::Serialize;

use crate::{IdentifierError, shown};

const WHAT: &str = "vehicle registration";

/// The format of a UK registration mark; serialised in snake case
/// (`northern_ireland`).
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
    /// `AB12CDE`, or `AB12C??` with unknown characters.
    pub text: String,
    /// The format the mark has (or, when partial, the first it could have).
    pub format: RegistrationFormat,
    /// Whether any character is unknown (`?`).
    pub partial: bool,
}

impl Registration {
    /// Whether two registrations can be the same plate: same length, and
    /// every known character equal (`?` matches any single character, on
    /// either side).
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
    (min..=run)
        .rev()
        .any(|n| s.get(n..).is_some_and(|tail| fits(tail, rest)))
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
/// `AB12C??`, partial) and names its format.
///
/// Case, spaces and hyphens are ignored. Unknown characters may be written
/// `?`, `*` or `_`; such a partial plate needs at least two known
/// characters, and takes the first format it could be, or
/// [`RegistrationFormat::Unknown`]. A complete plate must fit one of the
/// formats: current `AB12CDE`, prefix `A123BCD`, suffix `ABC123D`, Northern
/// Ireland (two or three letters including I or Z, then one to four
/// digits), or dateless (one to three letters and one to four digits, either
/// way round).
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
    let bytes = text.as_bytes();
    let allowed = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'?';
    if bytes.len() > 7 || !bytes.iter().all(allowed) {
        return Err(bad());
    }
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
    let format = match format {
        Some(format) => format,
        None if partial && bytes.len() >= 2 => RegistrationFormat::Unknown,
        None => return Err(bad()),
    };
    Ok(Registration {
        text,
        format,
        partial,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegistrationFormat::*;

    fn reg(s: &str) -> Registration {
        normalise_registration(s).unwrap()
    }

    #[test]
    fn formats() {
        for (input, text, format) in [
            ("ab51 abc", "AB51ABC", Current),
            ("AB51ABC", "AB51ABC", Current),
            ("  rY52   apf ", "RY52APF", Current),
            ("A123 BCD", "A123BCD", Prefix),
            ("a1 bcd", "A1BCD", Prefix),
            ("ABC 123D", "ABC123D", Suffix),
            ("ABC-1D", "ABC1D", Suffix),
            ("ABC 123", "ABC123", Dateless),
            ("A 1", "A1", Dateless),
            ("1234 AB", "1234AB", Dateless),
            ("1 ABC", "1ABC", Dateless),
            ("AIJ 1234", "AIJ1234", NorthernIreland),
            ("BAZ 123", "BAZ123", NorthernIreland),
            ("OI 5", "OI5", NorthernIreland),
        ] {
            let r = reg(input);
            assert_eq!(
                (r.text.as_str(), r.format, r.partial),
                (text, format, false),
                "{input}"
            );
        }
    }

    #[test]
    fn partial_plates() {
        let r = reg("AB12 C??");
        assert!(r.partial);
        assert_eq!(r.format, Current);
        assert_eq!(reg("AB12 C**").text, "AB12C??");
        assert_eq!(reg("ab12 c__").text, "AB12C??");
        assert_eq!(reg("?123 BCD").format, Prefix);
        assert_eq!(reg("ABC ??3D").format, Suffix);
        assert_eq!(reg("AB?").format, Dateless);
        // Could be nothing but a partial: still accepted, format unknown.
        let r = reg("A?B?C?D");
        assert_eq!((r.format, r.partial), (Unknown, true));
        for bad in ["????", "A???", "?", "A?"] {
            assert!(normalise_registration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn matching() {
        let partial = reg("AB12 C??");
        assert!(partial.matches(&reg("ab12cde")));
        assert!(reg("ab12cde").matches(&partial));
        assert!(partial.matches(&reg("??12 CDE")));
        assert!(partial.matches(&partial));
        assert!(!partial.matches(&reg("AB13CDE")));
        assert!(!partial.matches(&reg("AB12C?")));
        assert!(!reg("AB12CDE").matches(&reg("AB12CDF")));
        assert!(reg("AB12CDE").matches(&reg("ab12 cde")));
    }

    #[test]
    fn rejects() {
        for bad in [
            "NOT A PLATE 123456",
            "AB12-CD€",
            "12345678",
            "A",
            "1",
            "ABCDEFG",
            "1234567",
            "AB12CDEF",
            "ABCD123",
            "12345AB",
            "A1B2C3",
            "AB.12CDE",
            "ÅB12CDE",
        ] {
            assert!(
                matches!(
                    normalise_registration(bad),
                    Err(IdentifierError::Format { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            normalise_registration("  "),
            Err(IdentifierError::Empty { .. })
        ));
    }
}

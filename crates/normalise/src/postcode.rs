//! UK postcodes (BS 7666): upper case, one space before the inward code.

use serde::Serialize;

use crate::{IdentifierError, shown};

const WHAT: &str = "postcode";
const EXPECTED: &str = "a UK postcode such as SW1A 1AA";

/// A valid postcode and its parts, for comparing addresses at several
/// levels of precision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Postcode {
    /// `SW1A 1AA`
    pub text: String,
    /// `SW`
    pub area: String,
    /// `SW1A` (the outward code)
    pub district: String,
    /// `SW1A 1`
    pub sector: String,
}

/// Upper case (ASCII only: `ı` must not become `I`), whitespace removed.
fn squeeze(s: &str) -> String {
    if s.is_ascii() {
        // The same, byte by byte: the ASCII characters `char::is_whitespace`
        // accepts are tab to carriage return and space.
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if !matches!(b, b'\t'..=b'\r' | b' ') {
                out.push(char::from(b.to_ascii_uppercase()));
            }
        }
        return out;
    }
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn pseudo(s: &str) -> IdentifierError {
    IdentifierError::Pseudo {
        what: WHAT,
        reason: "a pseudo-postcode (no fixed abode or not known), not a place",
        value: shown(s),
    }
}

/// Checks an outward code (`SW1A`, `M1`, `DN55`) against the BS 7666
/// pattern: the first letter is not Q, V or X; a second letter is not I, J
/// or Z; a letter after the district number is one of those in use.
fn valid_outward(o: &[u8]) -> bool {
    let letter = |c: u8| c.is_ascii_uppercase();
    let digit = |c: u8| c.is_ascii_digit();
    let first = |c: u8| letter(c) && !b"QVX".contains(&c);
    let second = |c: u8| letter(c) && !b"IJZ".contains(&c);
    match *o {
        // A9, A99, A9A
        [a, n] => first(a) && digit(n),
        [a, n, m] if first(a) && digit(n) && digit(m) => true,
        [a, n, l] if first(a) && digit(n) => b"ABCDEFGHJKPSTUW".contains(&l),
        // AA9, AA99, AA9A
        [a, b, n] => first(a) && second(b) && digit(n),
        [a, b, n, m] if first(a) && second(b) && digit(n) && digit(m) => true,
        [a, b, n, l] => first(a) && second(b) && digit(n) && b"ABEHMNPRVWXY".contains(&l),
        _ => false,
    }
}

/// Checks an inward code (`1AA`): a digit and two letters, none of C, I, K,
/// M, O or V.
fn valid_inward(i: &[u8]) -> bool {
    let letter = |c: u8| c.is_ascii_uppercase() && !b"CIKMOV".contains(&c);
    matches!(*i, [n, a, b] if n.is_ascii_digit() && letter(a) && letter(b))
}

/// Normalises and checks a full postcode (`sw1a1aa` → `SW1A 1AA`): upper
/// case, spaces removed, one space before the last three characters, then
/// the BS 7666 pattern. `GIR 0AA` is valid. `ZZ99` pseudo-postcodes (used
/// by the NHS for "no fixed abode" and "not known") are not places:
/// [`IdentifierError::Pseudo`].
pub fn normalise_postcode(s: &str) -> Result<Postcode, IdentifierError> {
    let p = squeeze(s);
    if p.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    if p.starts_with("ZZ99") {
        return Err(pseudo(s));
    }
    if p == "GIR0AA" {
        return Ok(Postcode {
            text: "GIR 0AA".into(),
            area: "GIR".into(),
            district: "GIR".into(),
            sector: "GIR 0".into(),
        });
    }
    let bad = || IdentifierError::Format {
        what: WHAT,
        expected: EXPECTED,
        value: shown(s),
    };
    if !p.is_ascii() || p.len() < 5 || p.len() > 7 {
        return Err(bad());
    }
    let (outward, inward) = p.split_at(p.len() - 3);
    if !valid_outward(outward.as_bytes()) || !valid_inward(inward.as_bytes()) {
        return Err(bad());
    }
    // All ASCII from here: `SW1A 1AA`, area `SW`, sector `SW1A 1`.
    let letters = outward.bytes().take_while(u8::is_ascii_alphabetic).count();
    let mut text = String::with_capacity(p.len() + 1);
    text.push_str(outward);
    text.push(' ');
    text.push_str(inward);
    Ok(Postcode {
        area: outward[..letters].to_string(),
        district: outward.to_string(),
        sector: text[..outward.len() + 2].to_string(),
        text,
    })
}

/// The postcode district (outward code) of a full postcode, or of an outward
/// code on its own (`ol11` → `OL11`; `OL11 1AA` → `OL11`; `GIR` → `GIR`).
/// `ZZ99` is a pseudo-postcode district: [`IdentifierError::Pseudo`].
pub fn normalise_postcode_district(s: &str) -> Result<String, IdentifierError> {
    const WHAT_DISTRICT: &str = "postcode district";
    match normalise_postcode(s) {
        Ok(p) => return Ok(p.district),
        Err(e @ IdentifierError::Pseudo { .. }) => return Err(e),
        Err(_) => {}
    }
    let p = squeeze(s);
    if p.is_empty() {
        return Err(IdentifierError::Empty {
            what: WHAT_DISTRICT,
        });
    }
    if p == "GIR" || valid_outward(p.as_bytes()) {
        return Ok(p);
    }
    Err(IdentifierError::Format {
        what: WHAT_DISTRICT,
        expected: "an outward code such as OL11 or SW1A, or a full postcode",
        value: shown(s),
    })
}

/// Two codes (postcodes, or any short codes) one keystroke apart: one
/// character substituted, or two neighbours swapped. Equal codes are not.
pub fn one_keystroke_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() || a == b {
        return false;
    }
    let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    match diffs.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_keystroke_apart_is_a_substitution_or_a_swap() {
        assert!(one_keystroke_apart("BK2 2HR", "BK2 2RH"));
        assert!(one_keystroke_apart("BK2 2HR", "BK2 2HT"));
        assert!(!one_keystroke_apart("BK2 2HR", "BK2 2HR"));
        assert!(!one_keystroke_apart("BK2 2HR", "BK3 2HT"));
        assert!(!one_keystroke_apart("BK2 2HR", "BK2 2H"));
    }

    /// The byte-wise squeeze agrees with the character-wise one on every
    /// ASCII character and on mixed text.
    #[test]
    fn ascii_squeeze_is_the_char_squeeze() {
        let by_chars = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_uppercase())
                .collect()
        };
        for b in 0u8..128 {
            let s = format!("a{}b", char::from(b));
            assert_eq!(squeeze(&s), by_chars(&s), "byte {b}");
        }
        for s in [
            "sw1a 1aa",
            " ol11\t1aa\n",
            "ıx 1",
            "gir\u{a0}0aa",
            "\u{b}M1 1AE\u{1c}",
        ] {
            assert_eq!(squeeze(s), by_chars(s), "{s:?}");
        }
    }

    fn parts(s: &str) -> (String, String, String, String) {
        let p = normalise_postcode(s).unwrap();
        (p.text, p.area, p.district, p.sector)
    }

    fn kind(r: Result<impl Sized, IdentifierError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(IdentifierError::Empty { .. }) => "empty",
            Err(IdentifierError::Format { .. }) => "format",
            Err(IdentifierError::Pseudo { .. }) => "pseudo",
            Err(_) => "other",
        }
    }

    #[test]
    fn normalises_and_splits() {
        let s = |t: &str| t.to_string();
        assert_eq!(
            parts("sw1a1aa"),
            (s("SW1A 1AA"), s("SW"), s("SW1A"), s("SW1A 1"))
        );
        assert_eq!(
            parts(" m1  1ae "),
            (s("M1 1AE"), s("M"), s("M1"), s("M1 1"))
        );
        assert_eq!(
            parts("DN55 1PT"),
            (s("DN55 1PT"), s("DN"), s("DN55"), s("DN55 1"))
        );
        assert_eq!(
            parts("W1A 0AX"),
            (s("W1A 0AX"), s("W"), s("W1A"), s("W1A 0"))
        );
        assert_eq!(
            parts("ec1a\t1bb"),
            (s("EC1A 1BB"), s("EC"), s("EC1A"), s("EC1A 1"))
        );
        assert_eq!(parts("B33 8TH").0, "B33 8TH");
        assert_eq!(parts("CR2 6XH").0, "CR2 6XH");
        assert_eq!(parts("OL11 1AA").2, "OL11");
        assert_eq!(
            parts("gir0aa"),
            (s("GIR 0AA"), s("GIR"), s("GIR"), s("GIR 0"))
        );
    }

    #[test]
    fn pseudo_postcodes() {
        for p in ["ZZ99 3VZ", "ZZ99 3WZ", "zz993cz", "ZZ99"] {
            assert_eq!(kind(normalise_postcode(p)), "pseudo", "{p}");
        }
        assert_eq!(kind(normalise_postcode_district("ZZ99")), "pseudo");
        assert_eq!(kind(normalise_postcode_district("ZZ99 3VZ")), "pseudo");
    }

    #[test]
    fn rejects() {
        for bad in [
            // C, I, K, M, O and V are never inward letters.
            "AB1 1CA",
            "AB1 1AI",
            "AB1 1KA",
            // Q, V and X never start a postcode; I, J and Z are never second.
            "QA1 1AA",
            "VA1 1AA",
            "XA1 1AA",
            "AI1 1AA",
            "AJ1 1AA",
            // Letters after the district number are restricted.
            "W1I 0AX",
            "EC1C 1BB",
            "12345",
            "SW1A",
            "SW1A 1A",
            "SW1A 1AAA",
            "SW1A1 1AA",
            "SW 1AA",
            "SW1A-1AA",
            "ſW1A 1AA",
            "Ｍ1 1AE",
        ] {
            assert_eq!(kind(normalise_postcode(bad)), "format", "{bad}");
        }
        assert_eq!(kind(normalise_postcode("")), "empty");
        assert_eq!(kind(normalise_postcode(" \u{a0} ")), "empty");
    }

    #[test]
    fn districts() {
        for (input, want) in [
            ("ol11", "OL11"),
            ("OL11 1AA", "OL11"),
            ("ol111aa", "OL11"),
            ("M1", "M1"),
            ("sw1a", "SW1A"),
            ("W1A 0AX", "W1A"),
            ("GIR 0AA", "GIR"),
            ("GIR", "GIR"),
        ] {
            assert_eq!(
                normalise_postcode_district(input).as_deref(),
                Ok(want),
                "{input}"
            );
        }
        for bad in ["11OL", "Q1", "SW1A 1", "AB1 1CA", "OL11 1A"] {
            assert_eq!(kind(normalise_postcode_district(bad)), "format", "{bad}");
        }
        assert_eq!(kind(normalise_postcode_district("  ")), "empty");
    }
}

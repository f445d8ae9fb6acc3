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

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Checks an outward code (`SW1A`, `M1`, `DN55`) against BS 7666.
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

fn valid_inward(i: &[u8]) -> bool {
    let letter = |c: u8| c.is_ascii_uppercase() && !b"CIKMOV".contains(&c);
    matches!(*i, [n, a, b] if n.is_ascii_digit() && letter(a) && letter(b))
}

/// Normalises and checks a full postcode. `ZZ99` pseudo-postcodes (used by
/// the NHS for "no fixed abode" and "not known") are not places: an error.
pub fn normalise_postcode(s: &str) -> Result<Postcode, IdentifierError> {
    let p = squeeze(s);
    if p.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    if p.starts_with("ZZ99") {
        return Err(IdentifierError::Pseudo {
            what: WHAT,
            reason: "a pseudo-postcode (no fixed abode or not known), not a place",
            value: shown(s),
        });
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
    let area: String = outward
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    Ok(Postcode {
        text: format!("{outward} {inward}"),
        area,
        district: outward.to_string(),
        sector: format!("{outward} {}", &inward[..1]),
    })
}

/// The postcode district (outward code) of a full postcode or of an outward
/// code on its own (`ol11` → `OL11`).
pub fn normalise_postcode_district(s: &str) -> Result<String, IdentifierError> {
    if let Ok(p) = normalise_postcode(s) {
        return Ok(p.district);
    }
    let p = squeeze(s);
    if p.is_empty() {
        return Err(IdentifierError::Empty {
            what: "postcode district",
        });
    }
    if p.is_ascii() && valid_outward(p.as_bytes()) {
        return Ok(p);
    }
    Err(IdentifierError::Format {
        what: "postcode district",
        expected: "an outward code such as OL11 or SW1A",
        value: shown(s),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_splits() {
        let p = normalise_postcode("sw1a1aa").unwrap();
        assert_eq!(
            (
                p.text.as_str(),
                p.area.as_str(),
                p.district.as_str(),
                p.sector.as_str()
            ),
            ("SW1A 1AA", "SW", "SW1A", "SW1A 1")
        );
        assert_eq!(normalise_postcode(" m1  1ae ").unwrap().text, "M1 1AE");
        assert_eq!(normalise_postcode("DN55 1PT").unwrap().district, "DN55");
        assert_eq!(normalise_postcode("W1A 0AX").unwrap().text, "W1A 0AX");
        assert_eq!(normalise_postcode("GIR 0AA").unwrap().text, "GIR 0AA");
    }

    #[test]
    fn rejects() {
        assert!(matches!(
            normalise_postcode("AB1 1CA"),
            Err(IdentifierError::Format { .. })
        ));
        assert!(matches!(
            normalise_postcode("ZZ99 3VZ"),
            Err(IdentifierError::Pseudo { .. })
        ));
        assert!(matches!(
            normalise_postcode("QA1 1AA"),
            Err(IdentifierError::Format { .. })
        ));
        assert!(matches!(
            normalise_postcode("12345"),
            Err(IdentifierError::Format { .. })
        ));
        assert!(matches!(
            normalise_postcode(""),
            Err(IdentifierError::Empty { .. })
        ));
    }

    #[test]
    fn districts() {
        assert_eq!(normalise_postcode_district("ol11").unwrap(), "OL11");
        assert_eq!(normalise_postcode_district("OL11 1AA").unwrap(), "OL11");
        assert!(normalise_postcode_district("11OL").is_err());
    }
}

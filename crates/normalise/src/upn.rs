//! Unique Pupil Numbers: a check letter then twelve characters (eleven
//! digits and a final digit, or a final letter for a temporary UPN).

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "UPN";
/// The check letters: A–Z less I, O and S.
const LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Normalises a UPN (upper case, no spaces) and checks its modulus-23
/// check letter.
pub fn normalise_upn(s: &str) -> Result<String, IdentifierError> {
    let upn = compact(s, &[]);
    if upn.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let b = upn.as_bytes();
    let well_formed = b.len() == 13
        && b[0].is_ascii_uppercase()
        && b[1..12].iter().all(u8::is_ascii_digit)
        && (b[12].is_ascii_digit() || LETTERS.contains(&b[12]));
    if !well_formed {
        return Err(IdentifierError::Format {
            what: WHAT,
            expected: "a letter followed by 12 digits (the last may be a letter in a temporary UPN)",
            value: shown(s),
        });
    }
    // Weights are the character positions 2..=13; a letter in the last place
    // counts as its index in the check alphabet (A = 0).
    let sum: usize = b[1..]
        .iter()
        .zip(2..)
        .map(|(&c, w)| {
            let v = if c.is_ascii_digit() {
                usize::from(c - b'0')
            } else {
                LETTERS.iter().position(|&l| l == c).unwrap_or(0)
            };
            v * w
        })
        .sum();
    if LETTERS[sum % 23] != b[0] {
        return Err(IdentifierError::Checksum {
            what: WHAT,
            check: "check-letter test",
            value: shown(s),
        });
    }
    Ok(upn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        for ok in [
            "A950000178301",
            "H243278544154",
            "B801200005001",
            "P207000016049",
            "X00180001701A",
            "a950000178301",
        ] {
            assert!(normalise_upn(ok).is_ok(), "{ok}");
        }
        assert_eq!(normalise_upn(" a95000 0178301 ").unwrap(), "A950000178301");
        for bad in ["R247962919251", "X428558133462", "A801200005001"] {
            assert!(
                matches!(normalise_upn(bad), Err(IdentifierError::Checksum { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            normalise_upn("ABC0123456789"),
            Err(IdentifierError::Format { .. })
        ));
        assert!(matches!(
            normalise_upn("A95000017830"),
            Err(IdentifierError::Format { .. })
        ));
    }
}

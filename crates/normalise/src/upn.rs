//! Unique Pupil Numbers: a check letter then twelve characters (eleven
//! digits and a final digit, or a final letter for a temporary UPN).

use crate::{IdentifierError, compact, shown};

const WHAT: &str = "UPN";
/// The check letters: A–Z less I, O and S. A letter in the last place of a
/// temporary UPN counts as its index here (A = 0).
const LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// The value of one of the twelve checked characters.
fn value(c: u8) -> usize {
    if c.is_ascii_digit() {
        usize::from(c - b'0')
    } else {
        LETTERS.iter().position(|&l| l == c).unwrap_or(0)
    }
}

/// The check letter for the twelve characters after it: the sum of each
/// character's value times its position in the UPN (2 to 13), modulo 23,
/// indexes the check letters (the python-stdnum `gb.upn` algorithm).
fn check_letter(rest: &[u8]) -> u8 {
    let sum: usize = rest.iter().zip(2..).map(|(&c, w)| value(c) * w).sum();
    LETTERS[sum % LETTERS.len()]
}

/// Normalises a UPN (upper case, no spaces: `a95000 0178301` →
/// `A950000178301`) and checks its modulus-23 check letter.
///
/// The local-authority number in characters 2–4 is not checked against a
/// list: temporary UPNs and new authorities use numbers outside it.
pub fn normalise_upn(s: &str) -> Result<String, IdentifierError> {
    let upn = compact(s, &[]);
    if upn.is_empty() {
        return Err(IdentifierError::Empty { what: WHAT });
    }
    let well_formed = match upn.as_bytes() {
        [first, middle @ .., last] => {
            middle.len() == 11
                && first.is_ascii_uppercase()
                && middle.iter().all(u8::is_ascii_digit)
                && (last.is_ascii_digit() || LETTERS.contains(last))
        }
        _ => false,
    };
    let Some((&first, rest)) = upn.as_bytes().split_first().filter(|_| well_formed) else {
        return Err(IdentifierError::Format {
            what: WHAT,
            expected: "a letter followed by 12 digits (the last may be a letter in a temporary UPN)",
            value: shown(s),
        });
    };
    if check_letter(rest) != first {
        return Err(IdentifierError::Checksum {
            what: WHAT,
            check: "check letter",
            value: shown(s),
        });
    }
    Ok(upn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> &'static str {
        match normalise_upn(s) {
            Ok(_) => "ok",
            Err(IdentifierError::Empty { .. }) => "empty",
            Err(IdentifierError::Format { .. }) => "format",
            Err(IdentifierError::Checksum { .. }) => "checksum",
            Err(_) => "other",
        }
    }

    #[test]
    fn valid() {
        for ok in [
            "A950000178301",
            "H243278544154",
            "B801200005001",
            "P207000016049",
            "X00180001701A",
            "Q247962919251",
            "W428558133462",
        ] {
            assert_eq!(normalise_upn(ok).as_deref(), Ok(ok));
        }
        assert_eq!(normalise_upn(" a95000 0178301 ").unwrap(), "A950000178301");
        assert_eq!(normalise_upn("x00180001701a").unwrap(), "X00180001701A");
        assert_eq!(normalise_upn("A-950-000-178-301").unwrap(), "A950000178301");
    }

    #[test]
    fn wrong_check_letter() {
        for bad in [
            "R247962919251",
            "X428558133462",
            "A801200005001",
            // The support-page "fix" with a miscounted sum.
            "Q207000016049",
            // I, O and S are never check letters.
            "I950000178301",
        ] {
            assert_eq!(kind(bad), "checksum", "{bad}");
        }
    }

    #[test]
    fn wrong_shapes() {
        for bad in [
            "ABC0123456789",
            "A95000017830",
            "A9500001783011",
            "9950000178301",
            "X80120000A001",
            // I, O and S are not used in a temporary UPN either.
            "X00180001701I",
            "A95000017830É",
            "Ａ950000178301",
        ] {
            assert_eq!(kind(bad), "format", "{bad}");
        }
        assert_eq!(kind("   "), "empty");
    }
}

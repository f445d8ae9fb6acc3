/// Why a value could not be normalised, in words a practitioner can act on.
///
/// `Display` gives one sentence naming the kind of value, the value as
/// written (trimmed, shortened when long) and what is wrong with it, e.g.
/// "NHS number \`9434765871\` fails its modulus-11 check".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// Nothing but whitespace (and separators) was given.
    #[error("{what} is empty")]
    Empty { what: &'static str },
    /// The value does not have the shape of the identifier at all: wrong
    /// length, letters where digits belong, an unknown pattern.
    #[error("{what} `{value}` is not in the expected form ({expected})")]
    Format {
        what: &'static str,
        expected: &'static str,
        value: String,
    },
    /// The value has the right shape but its check digit or check letter is
    /// wrong: most often a mistyped character.
    #[error("{what} `{value}` fails its {check}")]
    Checksum {
        what: &'static str,
        check: &'static str,
        value: String,
    },
    /// The leading letters are never issued (National Insurance numbers).
    #[error("{what} `{value}` has a prefix that is never issued ({reason})")]
    Prefix {
        what: &'static str,
        reason: &'static str,
        value: String,
    },
    /// The trailing letter is never issued (National Insurance numbers).
    #[error("{what} `{value}` has a suffix that is never issued ({reason})")]
    Suffix {
        what: &'static str,
        reason: &'static str,
        value: String,
    },
    /// A well-formed value that stands for "none" or "not known", or an
    /// administrative reference, rather than a real identifier: `ZZ99`
    /// pseudo-postcodes, all-same-digit NHS numbers, administrative
    /// National Insurance prefixes. It must not be used to link records.
    #[error("{what} `{value}` is {reason}")]
    Pseudo {
        what: &'static str,
        reason: &'static str,
        value: String,
    },
}

/// Why a value could not be normalised, in words a practitioner can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} `{value}` is not in the expected form ({expected})")]
    Format {
        what: &'static str,
        expected: &'static str,
        value: String,
    },
    #[error("{what} `{value}` fails its {check}")]
    Checksum {
        what: &'static str,
        check: &'static str,
        value: String,
    },
    #[error("{what} `{value}` has a prefix that is never issued ({reason})")]
    Prefix {
        what: &'static str,
        reason: &'static str,
        value: String,
    },
    #[error("{what} `{value}` has a suffix that is never issued ({reason})")]
    Suffix {
        what: &'static str,
        reason: &'static str,
        value: String,
    },
    #[error("{what} `{value}` is {reason}")]
    Pseudo {
        what: &'static str,
        reason: &'static str,
        value: String,
    },
}

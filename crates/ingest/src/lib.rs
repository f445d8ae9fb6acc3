//! Framing of agency feeds into records: JSON Lines (the canonical encoding)
//! and the flat CSV profile with a column mapping (`docs/csv-profile.md`).
//!
//! A framer yields one [`RawRecord`] per record with its origin (file and
//! line) and its raw bytes; [`RawRecord::check`] turns it into an accepted
//! report or a rejection, keeping the raw bytes for the quarantine. Framing
//! never stops at a bad record: only an unreadable source is an error.

pub mod csv_profile;
pub mod jsonl;

use jiff::Timestamp;
use serde_json::{Map, Value};
use sightline_model::{Accepted, LooseKey, Problem, Rejected};

pub use csv_profile::{CsvFramer, CsvMapping, PROFILE_FIELDS};
pub use jsonl::{JsonLinesFramer, MAX_RECORD_BYTES};

/// Where a record came from: the source's name (a file path, or `-`) and the
/// line its record starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub source: String,
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// What a framer found for one record.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A JSON Lines record, still to be parsed.
    Json(Vec<u8>),
    /// A record a framer has already built (a CSV row), with its raw bytes,
    /// or the problems that stopped it being built.
    Built {
        raw: Vec<u8>,
        object: Result<Map<String, Value>, Vec<Problem>>,
    },
}

/// One framed record.
#[derive(Debug, Clone)]
pub struct RawRecord {
    pub origin: Origin,
    pub payload: Payload,
}

/// One checked record.
#[derive(Debug, Clone)]
pub struct Received {
    pub origin: Origin,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Accepted(Box<Accepted>),
    /// Rejected, with the record's raw bytes, to be kept in the quarantine.
    Rejected {
        rejected: Rejected,
        raw: Vec<u8>,
    },
}

impl RawRecord {
    /// Parses and checks the record. This is the CPU-heavy step; it needs no
    /// store, so callers may run it on worker threads.
    pub fn check(self, received_at: Timestamp) -> Received {
        let outcome = match self.payload {
            Payload::Json(bytes) => match sightline_model::receive_vec(bytes, received_at) {
                Ok(accepted) => Outcome::Accepted(Box::new(accepted)),
                Err(refused) => {
                    let (rejected, raw) = *refused;
                    Outcome::Rejected { rejected, raw }
                }
            },
            Payload::Built { raw, object } => match object {
                Ok(obj) => match sightline_model::receive_object(obj, received_at) {
                    Ok(accepted) => Outcome::Accepted(Box::new(accepted)),
                    Err(rejected) => Outcome::Rejected { rejected, raw },
                },
                Err(reasons) => Outcome::Rejected {
                    rejected: Rejected {
                        reasons,
                        key: LooseKey::default(),
                    },
                    raw,
                },
            },
        };
        Received {
            origin: self.origin,
            outcome,
        }
    }
}

/// Why a feed could not be read at all (as opposed to a bad record in it,
/// which is quarantined).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{source_name}: cannot read: {error}")]
    Read {
        source_name: String,
        #[source]
        error: std::io::Error,
    },
    #[error("{source_name}: not a readable CSV file: {message}")]
    Csv {
        source_name: String,
        message: String,
    },
    #[error("{path}: {message}")]
    Mapping { path: String, message: String },
}

/// The encodings `ingest` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

impl Format {
    /// Guesses from a file name: `.csv` is CSV, anything else JSON Lines.
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".csv") {
            Format::Csv
        } else {
            Format::JsonLines
        }
    }
}

//! The `sightline.report/1` model (see `docs/report-format.md`): typed
//! reports following the police POLE convention, strict JSON parsing and the
//! format's validation rules.
//!
//! Architecture invariant: this crate does no I/O. It turns bytes (or an
//! already-built JSON value, for CSV feeds) into either an accepted report
//! with its warnings, or the reasons it must be quarantined.

pub mod json;
pub mod time;
pub mod types;
pub mod validate;

pub use json::{JsonError, canonical_bytes, parse_object, parse_strict};
pub use time::{ParsedTime, PartialDate, TimePrecision, format_instant, parse_time, uk_time_zone};
pub use types::*;
pub use validate::{Checked, LooseKey, Problem, SCHEMA, check_report, loose_key};

use jiff::Timestamp;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A report that passed validation, ready for the ledger.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub report: Report,
    pub warnings: Vec<Problem>,
    /// The report as received, in canonical JSON (keys sorted, compact):
    /// what the ledger keeps, unknown fields included.
    pub body: Vec<u8>,
    /// SHA-256 of `body`: two copies with the same hash are the same content.
    pub content_hash: [u8; 32],
}

/// A record that must go to the quarantine, and why.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub reasons: Vec<Problem>,
    /// Whatever identity could be read, to help find and replay it.
    pub key: LooseKey,
}

/// Parses and checks one JSON record.
pub fn receive_bytes(bytes: &[u8], received_at: Timestamp) -> Result<Accepted, Rejected> {
    match parse_object(bytes) {
        Ok(obj) => receive_object(obj, received_at),
        Err(e) => Err(Rejected {
            reasons: vec![Problem {
                field: String::new(),
                message: e.to_string(),
            }],
            key: LooseKey::default(),
        }),
    }
}

/// Checks one record already parsed into a JSON object (CSV feeds build one).
pub fn receive_object(
    obj: Map<String, Value>,
    received_at: Timestamp,
) -> Result<Accepted, Rejected> {
    match check_report(&obj, received_at) {
        Ok(Checked { report, warnings }) => {
            let body = canonical_bytes(&Value::Object(obj));
            let content_hash = Sha256::digest(&body).into();
            Ok(Accepted {
                report,
                warnings,
                body,
                content_hash,
            })
        }
        Err(reasons) => Err(Rejected {
            key: loose_key(&obj),
            reasons,
        }),
    }
}

/// Re-reads a report the ledger holds (canonical JSON) into the typed model.
/// The checks are deterministic, so this gives the same report as at receipt.
pub fn reread(body: &[u8], received_at: Timestamp) -> Result<Accepted, Rejected> {
    receive_bytes(body, received_at)
}

/// Hex form of a content hash, for display.
pub fn hash_hex(hash: &[u8; 32]) -> String {
    hex::encode(hash)
}

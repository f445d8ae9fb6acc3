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

pub use json::{
    Json, JsonError, Object, canonical_bytes, parse_borrowed, parse_object, parse_strict,
};
pub use time::{ParsedTime, PartialDate, TimePrecision, format_instant, parse_time, uk_time_zone};
pub use types::*;
pub use validate::{
    Checked, LooseKey, Problem, SCHEMA, check_object, check_report, loose_key, loose_key_of,
};

use jiff::Timestamp;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A report that passed validation, ready for the ledger.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub report: Report,
    pub warnings: Vec<Problem>,
    /// The report exactly as received (JSON Lines), or in canonical JSON
    /// when a framer built it (CSV): what the ledger keeps, unknown fields
    /// included.
    pub body: Vec<u8>,
    /// SHA-256 of `body`. Equal hashes mean the same content; different
    /// hashes may still be the same content written differently (key
    /// order, spacing), which [`same_content`] decides.
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
    receive_vec(bytes.to_vec(), received_at).map_err(|refused| refused.0)
}

/// [`receive_bytes`] taking the record by value: an accepted record's body
/// is these bytes, not a copy; a rejected one's bytes are handed back.
pub fn receive_vec(
    bytes: Vec<u8>,
    received_at: Timestamp,
) -> Result<Accepted, Box<(Rejected, Vec<u8>)>> {
    let checked = check_bytes(&bytes, received_at);
    match checked {
        Ok(Checked { report, warnings }) => {
            // Kept as received: no re-serialisation on the hot path, and the
            // ledger holds the sender's exact bytes.
            let content_hash = Sha256::digest(&bytes).into();
            Ok(Accepted {
                report,
                warnings,
                body: bytes,
                content_hash,
            })
        }
        Err(rejected) => Err(Box::new((rejected, bytes))),
    }
}

/// [`receive_bytes`] by the precise path alone: a full `serde_json::Value`
/// tree from [`parse_object`], then the same checks. Slower; kept as the
/// reference the fast path is tested against (`tests/fast_path.rs`) and
/// timed against (`examples/receive_speed.rs`).
pub fn receive_bytes_reference(bytes: &[u8], received_at: Timestamp) -> Result<Accepted, Rejected> {
    match parse_object(bytes) {
        Ok(map) => match check_report(&map, received_at) {
            Ok(Checked { report, warnings }) => Ok(Accepted {
                report,
                warnings,
                body: bytes.to_vec(),
                content_hash: Sha256::digest(bytes).into(),
            }),
            Err(reasons) => Err(Rejected {
                key: loose_key(&map),
                reasons,
            }),
        },
        Err(e) => Err(unparseable(&e)),
    }
}

/// A record that is not a JSON object at all: one reason, no identity.
fn unparseable(e: &JsonError) -> Rejected {
    Rejected {
        reasons: vec![Problem {
            field: String::new(),
            message: e.to_string(),
        }],
        key: LooseKey::default(),
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

/// Whether two report bodies say the same thing: equal as JSON values,
/// whatever their key order or spacing. Bodies that are not JSON are equal
/// only byte for byte.
pub fn same_content(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    match (
        serde_json::from_slice::<Value>(a),
        serde_json::from_slice::<Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Re-reads a report the ledger holds into the typed model.
/// The checks are deterministic, so this gives the same report as at receipt.
/// Unlike [`receive_bytes`] it neither copies the body nor hashes it: the
/// ledger already holds both, and every projection rebuild re-reads every
/// report.
pub fn reread(body: &[u8], received_at: Timestamp) -> Result<Checked, Rejected> {
    check_bytes(body, received_at)
}

/// Parses and checks one record's bytes.
fn check_bytes(bytes: &[u8], received_at: Timestamp) -> Result<Checked, Rejected> {
    match parse_borrowed(bytes) {
        // The fast path: strings borrowed from `bytes`, no tree of owned
        // values. It accepts exactly what `parse_object` accepts.
        Some(Json::Object(obj)) => check_object(&obj, received_at).map_err(|reasons| Rejected {
            key: loose_key_of(&obj),
            reasons,
        }),
        // Not a JSON object: the precise parser says why.
        _ => match parse_object(bytes) {
            Ok(map) => {
                let obj = Object::from_map(&map);
                check_object(&obj, received_at).map_err(|reasons| Rejected {
                    key: loose_key_of(&obj),
                    reasons,
                })
            }
            Err(e) => Err(unparseable(&e)),
        },
    }
}

/// Hex form of a content hash, for display.
pub fn hash_hex(hash: &[u8; 32]) -> String {
    hex::encode(hash)
}

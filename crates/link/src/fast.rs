//! Cheap hashing for the hot path: names are hashed once when a record is
//! built, and maps keyed by those hashes (or by record and person numbers)
//! use `rustc-hash`'s Fx hasher instead of SipHash. Keys are our own numbers
//! and hashes of folded names, and a collision only costs time, so a fast
//! non-cryptographic hasher is the right tool; it is also deterministic
//! across runs.

use std::hash::Hasher;

use rustc_hash::FxHasher;

pub use rustc_hash::FxHashMap as FastMap;

/// The hash of a string: stable across runs and platforms.
pub fn hash_str(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.write_u8(0xff);
    h.finish()
}

/// Combines hashes in order (for multi-part names).
pub fn combine(acc: u64, next: u64) -> u64 {
    let mut h = FxHasher::default();
    h.write_u64(acc);
    h.write_u64(next);
    h.finish()
}

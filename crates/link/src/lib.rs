//! Identity resolution: every person mention resolved to a person, with the
//! reasons (see `docs/linking.md`).
//!
//! Records ([`record`]) are compared field by field into levels
//! ([`compare`]); a Fellegi–Sunter [`model`] weighs each level, fitted
//! without labels; [`block`]ing keeps the work near-linear; the [`linker`]
//! adds records one at a time to persons, which is both the real-time path
//! and, applied to every mention in ledger order, the rebuild.
//!
//! Architecture invariant: this crate does no I/O.

pub mod block;
pub mod compare;
pub mod fast;
pub mod linker;
pub mod mention;
pub mod model;
pub mod names;
pub mod objects;
pub mod record;

pub use compare::{Comparison, Field, compare};
pub use linker::{
    Assertion, Assignment, Conflicts, LinkConfig, Linker, Prepared, estimate_lambda,
    estimate_lambda_prepared, fit, fit_prepared, hard_conflict, hard_conflict_with,
};
pub use mention::{mention_id, parse_mention_id, record_of, records_of};
pub use model::{Model, probability};
pub use names::NameTable;
pub use objects::{ObjectKind, ObjectLink, ObjectMention, objects_of, resolve_objects};
pub use record::LinkRecord;

//! What the assessor reads: one report with its people resolved to persons,
//! its vehicles, phones and places to entities, and its indicator hits.
//! The binary builds these from the ledger and the linking and detection
//! projections; tests build them by hand.

use jiff::Timestamp;
use serde::Serialize;
pub use sightline_model::ObjectKind;
use sightline_model::{Action, Agency, Kind, Role};

/// A report's identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ReportRef {
    pub agency: String,
    pub system: String,
    pub record_id: String,
}

#[derive(Debug, Clone)]
pub struct ReportEvent {
    pub key: ReportRef,
    pub agency: Agency,
    pub kind: Kind,
    /// When Sightline could first have known: the assessment time.
    pub recorded_at: Timestamp,
    /// When it happened (`occurred_at`, else `recorded_at`): windows count
    /// from here.
    pub event_at: Timestamp,
    /// When it ended (a missing child returned), when recorded.
    pub ended_at: Option<Timestamp>,
    pub action: Option<Action>,
    pub people: Vec<PersonIn>,
    pub objects: Vec<ObjectIn>,
    /// Relations between the report's people and objects, by index: people
    /// first, then objects.
    pub relations: Vec<RelationIn>,
    /// Hits found present (not negated) in the report.
    pub hits: Vec<HitIn>,
}

#[derive(Debug, Clone)]
pub struct PersonIn {
    /// The resolved person's id.
    pub person: String,
    pub role: Role,
    /// Age at the event, from this mention or the person's other mentions.
    pub age: Option<i32>,
    /// A display name.
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct ObjectIn {
    /// The resolved entity's id.
    pub entity: String,
    pub kind: ObjectKind,
    pub category: Option<String>,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct RelationIn {
    pub from: usize,
    pub to: usize,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct HitIn {
    pub indicator: String,
    /// Tier letter: C, H, M, L, V, or R for signals about the response.
    pub tier: String,
    /// About the report's subject child (not someone else in it).
    pub about_subject: bool,
    /// A professional's concern or a possibility, not recorded evidence.
    pub hedged: bool,
    pub historical: bool,
    /// The year the text dates it to ("went missing in 2019").
    pub dated_year: Option<i16>,
    pub sentence: String,
}

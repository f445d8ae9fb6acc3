//! The ledger: the append-only record of every report version received and
//! every human decision, each with a sequence number and receipt time. It is
//! the source of truth; everything else Sightline knows is a projection of it.
//!
//! The pipeline sees only the [`Ledger`] trait. [`SqliteLedger`] is the
//! embedded default store (one file, WAL mode); the trait is narrow enough
//! that a PostgreSQL backend can implement it without the pipeline changing.
//!
//! Architecture invariant: rows of the `ledger` table are never updated or
//! deleted (SQLite triggers refuse it). Derived tables (`report_heads`) can be
//! rebuilt from it.

mod sqlite;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sightline_model::{Kind, LooseKey, Problem, ReportKey};

pub use sqlite::SqliteLedger;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("store {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("store {path}: {message}")]
    Corrupt { path: String, message: String },
    #[error(
        "store {path} was written by a newer Sightline (schema {found}, this build knows up to {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("no quarantine entry {0}")]
    NoSuchQuarantine(u64),
    #[error("quarantine entry {0} is already resolved")]
    AlreadyResolved(u64),
}

/// A report version to append.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub key: ReportKey,
    pub version: u32,
    pub kind: Kind,
    pub recorded_at: Timestamp,
    pub occurred_at: Option<Timestamp>,
    pub content_hash: [u8; 32],
    /// Canonical JSON of the report as received.
    pub body: Vec<u8>,
    pub warnings: Vec<Problem>,
    /// The file (or `-`) it came from and the line it started on.
    pub source: String,
    pub line: u64,
    pub received_at: Timestamp,
}

/// A record that cannot enter the ledger: kept whole with its reasons.
#[derive(Debug, Clone)]
pub struct NewQuarantine {
    pub source: String,
    pub line: u64,
    pub raw: Vec<u8>,
    pub reasons: Vec<Problem>,
    pub key: LooseKey,
    pub received_at: Timestamp,
}

#[derive(Debug, Clone)]
pub enum BatchItem {
    Report(Box<NewReport>),
    Quarantine(NewQuarantine),
}

/// What happened to one batch item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// A new report version was appended. `current` is false when a higher
    /// version had already arrived (the new one goes into history only).
    Appended {
        seq: u64,
        current: bool,
        superseded: Option<u32>,
    },
    /// The same identity, version and content was already in the ledger.
    Duplicate { seq: u64 },
    /// Same identity and version, different content: the second copy went
    /// to the quarantine and the first stands.
    Conflict {
        quarantine_id: u64,
        existing_seq: u64,
    },
    /// A rejected record was quarantined.
    Quarantined { id: u64 },
}

/// A human decision to append (an analyst's link, a concern's step, a
/// quarantine resolution...).
#[derive(Debug, Clone)]
pub struct NewDecision {
    /// What kind of decision, e.g. `quarantine_resolved`.
    pub decision: String,
    pub actor: String,
    pub at: Timestamp,
    pub body: serde_json::Value,
}

/// A report version as the ledger holds it.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub seq: u64,
    pub key: ReportKey,
    pub version: u32,
    pub received_at: Timestamp,
    pub recorded_at: Timestamp,
    pub content_hash: [u8; 32],
    pub body: Vec<u8>,
    pub warnings: Vec<Problem>,
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineStatus {
    Open,
    Resolved,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuarantineEntry {
    pub id: u64,
    pub received_at: Timestamp,
    pub source: String,
    pub line: u64,
    #[serde(skip)]
    pub raw: Vec<u8>,
    pub reasons: Vec<Problem>,
    pub key: LooseKey,
    pub status: QuarantineStatus,
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<String>,
    /// The ledger entry of the resolving decision.
    pub resolution_seq: Option<u64>,
}

/// How a quarantine entry was resolved.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub actor: String,
    pub at: Timestamp,
    /// The ledger sequence of the corrected report, when it was appended.
    pub report_seq: Option<u64>,
    pub note: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Distinct reports (current versions).
    pub reports: u64,
    /// All versions held.
    pub versions: u64,
    pub by_agency: Vec<(String, u64)>,
    pub by_kind: Vec<(String, u64)>,
    /// By the year of the event (`occurred_at`, else `recorded_at`).
    pub by_year: Vec<(i64, u64)>,
    /// Current reports accepted with at least one warning, and the warnings.
    pub reports_with_warnings: u64,
    pub warnings: u64,
    pub quarantine_open: u64,
    pub quarantine_resolved: u64,
    pub decisions: u64,
    /// Data time: the latest `recorded_at` counted.
    pub latest_recorded_at: Option<Timestamp>,
}

/// One indicator hit as the detection projection stores it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HitRow {
    pub indicator: String,
    pub tier: String,
    pub negated: bool,
    pub hedged: bool,
    pub historical: bool,
    pub experiencer: String,
    pub start: Option<u64>,
    pub end: Option<u64>,
    pub sentence: String,
    pub rule: String,
    /// What it rests on, as JSON (`{"type":"text"}`, `{"type":"code",...}`).
    pub evidence: String,
    /// The year the text dates it to ("went missing in 2019").
    pub dated_year: Option<i16>,
}

/// A human decision as the ledger holds it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDecision {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub decision: String,
    pub body: serde_json::Value,
}

/// One person mention and the person it was resolved to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRow {
    pub mention_id: String,
    pub agency: String,
    pub system: String,
    pub record_id: String,
    pub person_ref: String,
    pub person_id: String,
    /// Ledger entry of the report version the mention is in.
    pub seq: u64,
    /// Match weight to the record it matched best, when it joined a person
    /// on evidence.
    pub weight: Option<f64>,
    /// The mention it matched best.
    pub best_match: Option<String>,
    /// Joined by an analyst's decision.
    pub by_decision: bool,
}

/// One concern as the assessment projection stores it: its export line.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcernRow {
    pub concern_id: String,
    pub person_id: String,
    pub concern_type: String,
    pub raised_at: Timestamp,
    /// The concern's export line (JSON).
    pub body: String,
}

/// A notification to deliver at least once. Receivers discard repeats by
/// the idempotency key, which is the same on every retry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewNotification {
    pub idempotency_key: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// An e-mail address or a URL.
    pub target: String,
    pub subject: String,
    /// The message: JSON for webhooks, text for e-mail.
    pub body: String,
    pub created_at: Timestamp,
}

/// A notification in the outbox, with its delivery state.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxEntry {
    pub id: u64,
    pub notification: NewNotification,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// Hits of one report version, replacing whatever an earlier version had.
#[derive(Debug, Clone)]
pub struct ReportHits {
    pub key: ReportKey,
    pub seq: u64,
    /// The event's time (`occurred_at`, else `recorded_at`): data time.
    pub event_at: Timestamp,
    pub hits: Vec<HitRow>,
}

/// Per indicator: hits found present, negated, and reports with a present hit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndicatorCount {
    pub indicator: String,
    pub tier: String,
    pub present: u64,
    pub negated: u64,
    pub reports: u64,
}

/// The store behind the pipeline.
pub trait Ledger {
    /// Appends a batch in one transaction and says what became of each item,
    /// in order. Re-sending a report already held changes nothing.
    fn write_batch(&mut self, items: Vec<BatchItem>) -> Result<Vec<ItemOutcome>, LedgerError>;

    /// Appends a human decision; returns its sequence number.
    fn append_decision(&mut self, decision: NewDecision) -> Result<u64, LedgerError>;

    /// Calls `f` with each current report (highest version) in ledger order.
    /// With `as_of`, only versions recorded by then count.
    fn for_each_report(
        &self,
        as_of: Option<Timestamp>,
        f: &mut dyn FnMut(StoredReport) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError>;

    /// How many reports have a current version now: at least as many as
    /// [`Ledger::for_each_report`] gives as of any date, so a reader can
    /// size its buffers once.
    fn current_report_count(&self) -> Result<u64, LedgerError>;

    /// Every version held of one report, oldest first.
    fn report_history(&self, key: &ReportKey) -> Result<Vec<StoredReport>, LedgerError>;

    fn stats(&self, as_of: Option<Timestamp>) -> Result<Stats, LedgerError>;

    /// Quarantine entries, newest first; all of them, or only open ones.
    fn quarantine_list(&self, include_resolved: bool) -> Result<Vec<QuarantineEntry>, LedgerError>;

    fn quarantine_get(&self, id: u64) -> Result<QuarantineEntry, LedgerError>;

    /// Marks an entry resolved (it is never deleted) and records the human
    /// decision in the ledger. Returns the decision's sequence number.
    fn quarantine_resolve(&mut self, id: u64, resolution: Resolution) -> Result<u64, LedgerError>;

    /// Current report versions with a sequence number above `after`, in
    /// ledger order, at most `limit` of them: for incremental projections.
    fn reports_after(&self, after: u64, limit: usize) -> Result<Vec<StoredReport>, LedgerError>;

    /// How far a projection has read the ledger, and with which rules.
    fn projection_state(&self, name: &str) -> Result<Option<(u64, String)>, LedgerError>;
    fn set_projection_state(
        &mut self,
        name: &str,
        seq: u64,
        version: &str,
    ) -> Result<(), LedgerError>;

    /// Replaces the detection hits of each report (one transaction).
    fn replace_hits(&mut self, batch: &[ReportHits]) -> Result<(), LedgerError>;
    /// Drops every detection hit (before a rebuild).
    fn clear_hits(&mut self) -> Result<(), LedgerError>;
    /// Counts per indicator, most frequent first.
    fn indicator_counts(&self) -> Result<Vec<IndicatorCount>, LedgerError>;
    /// The hits of one report.
    fn hits_of(&self, key: &ReportKey) -> Result<Vec<HitRow>, LedgerError>;
    /// Every hit of the projection, with its report (agency, system,
    /// record id) and the report version's ledger entry.
    fn for_each_hit(
        &self,
        f: &mut dyn FnMut(&str, &str, &str, u64, HitRow),
    ) -> Result<(), LedgerError>;

    /// Store metadata (who created it, format versions).
    /// Human decisions of the given kinds (all when empty), in ledger order.
    fn decisions(&self, kinds: &[&str]) -> Result<Vec<StoredDecision>, LedgerError>;

    /// Replaces the whole linking projection.
    fn replace_links(&mut self, links: &[LinkRow]) -> Result<(), LedgerError>;

    /// Adds notifications to the durable outbox; one whose idempotency key
    /// is already there is not added again. Returns how many were new.
    fn outbox_enqueue(&mut self, items: &[NewNotification]) -> Result<usize, LedgerError>;

    /// Undelivered entries due by a time (oldest first), or with `None`
    /// every entry.
    fn outbox(
        &self,
        due_by: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, LedgerError>;

    /// Records a delivery attempt: delivered, or failed with the error and
    /// when to try again.
    fn outbox_attempted(
        &mut self,
        id: u64,
        at: Timestamp,
        result: Result<(), (String, Timestamp)>,
    ) -> Result<(), LedgerError>;

    /// Replaces the whole assessment projection.
    fn replace_concerns(&mut self, concerns: &[ConcernRow]) -> Result<(), LedgerError>;

    /// The assessment projection, in the order concerns were raised.
    fn concerns(&self) -> Result<Vec<ConcernRow>, LedgerError>;

    /// The linking projection, in ledger order (and within a report, the
    /// order it was written in: the order of its people).
    fn links(&self) -> Result<Vec<LinkRow>, LedgerError>;

    fn meta(&self, key: &str) -> Result<Option<String>, LedgerError>;
    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), LedgerError>;
}

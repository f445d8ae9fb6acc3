//! The embedded default store: one SQLite file in WAL mode.

use std::path::Path;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use sightline_model::{Agency, LooseKey, Problem, ReportKey};

use crate::*;

/// The schema version this build writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 7;

/// Version 3: the report identity is indexed record id first. Neighbouring
/// keys share their agency and system, so with the agency first every
/// comparison of a B-tree search went through three strings; the record id
/// tells them apart at once. Record ids still arrive in order per source,
/// so inserts stay together. `report_heads` (a projection) is rebuilt with
/// the same key order; the ledger's rows are untouched, only its index is
/// rebuilt.
const MIGRATION_3: &str = r#"
DROP INDEX ledger_report_identity;
CREATE UNIQUE INDEX ledger_report_identity
    ON ledger (record_id, system, agency, version) WHERE entry = 'report';

CREATE TABLE report_heads_3 (
    agency       TEXT NOT NULL,
    system       TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    content_hash BLOB NOT NULL,
    PRIMARY KEY (record_id, system, agency)
) WITHOUT ROWID;
INSERT INTO report_heads_3 (agency, system, record_id, version, seq, content_hash)
    SELECT agency, system, record_id, version, seq, content_hash FROM report_heads;
DROP TABLE report_heads;
ALTER TABLE report_heads_3 RENAME TO report_heads;
"#;

/// Version 4: the linking projection. (Written to run safely on development
/// stores that numbered it 3 before the identity index took that number.)
const MIGRATION_4: &str = r#"
-- Projection: the person each person mention of a current report version
-- was resolved to, and how.
CREATE TABLE IF NOT EXISTS person_links (
    mention_id  TEXT PRIMARY KEY,
    agency      TEXT NOT NULL,
    system      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    ref         TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    weight      REAL,
    best_match  TEXT,
    by_decision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS person_links_person ON person_links (person_id);
"#;

/// Version 5: the assessment projection: each concern as its export line.
const MIGRATION_5: &str = r#"
CREATE TABLE IF NOT EXISTS concerns (
    concern_id TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL,
    type       TEXT NOT NULL,
    raised_at  INTEGER NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS concerns_person ON concerns (person_id);
"#;

/// Version 6: the notification outbox. An entry's idempotency key is
/// unique, so enqueueing again (after a crash, on every tick) adds nothing.
const MIGRATION_6: &str = r#"
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL,
    target          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered_at, next_attempt_at);
"#;

/// Version 7: the year a hit's text dates it to, so later stages read hits
/// from the detection projection instead of detecting again.
const MIGRATION_7: &str = "ALTER TABLE indicator_hits ADD COLUMN dated_year INTEGER;";

/// Version 2: the detection projection.
const MIGRATION_2: &str = r#"
-- Projection: indicator hits of the current version of each report.
CREATE TABLE indicator_hits (
    agency      TEXT NOT NULL,
    system      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    event_at    INTEGER NOT NULL,
    indicator   TEXT NOT NULL,
    tier        TEXT NOT NULL,
    negated     INTEGER NOT NULL,
    hedged      INTEGER NOT NULL,
    historical  INTEGER NOT NULL,
    experiencer TEXT NOT NULL,
    start       INTEGER,
    "end"       INTEGER,
    sentence    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    evidence    TEXT NOT NULL
);
CREATE INDEX indicator_hits_report ON indicator_hits (agency, system, record_id);
CREATE INDEX indicator_hits_indicator ON indicator_hits (indicator);

CREATE TABLE projections (
    name    TEXT PRIMARY KEY,
    seq     INTEGER NOT NULL,
    version TEXT NOT NULL
);

"#;

const SCHEMA: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The ledger: every report version and every human decision, in order.
CREATE TABLE ledger (
    seq          INTEGER PRIMARY KEY,
    entry        TEXT NOT NULL CHECK (entry IN ('report', 'decision')),
    received_at  INTEGER NOT NULL,          -- unix ms, receipt (wall) time
    actor        TEXT,                      -- who, for decisions
    decision     TEXT,                      -- decision type, for decisions
    agency       TEXT,
    system       TEXT,
    record_id    TEXT,
    version      INTEGER,
    kind         TEXT,
    recorded_at  INTEGER,                   -- unix ms, data time
    event_at     INTEGER,                   -- unix ms, occurred_at or recorded_at
    content_hash BLOB,
    origin       TEXT,
    warnings     TEXT,                      -- JSON array of problems
    warning_count INTEGER NOT NULL DEFAULT 0,
    body         BLOB NOT NULL              -- canonical JSON
);
CREATE UNIQUE INDEX ledger_report_identity
    ON ledger (agency, system, record_id, version) WHERE entry = 'report';
CREATE INDEX ledger_decisions ON ledger (decision) WHERE entry = 'decision';
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- Projection: the current (highest) version of each report.
CREATE TABLE report_heads (
    agency       TEXT NOT NULL,
    system       TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    content_hash BLOB NOT NULL,
    PRIMARY KEY (agency, system, record_id)
) WITHOUT ROWID;

CREATE TABLE quarantine (
    id            INTEGER PRIMARY KEY,
    received_at   INTEGER NOT NULL,
    source        TEXT NOT NULL,
    line          INTEGER NOT NULL,
    raw           BLOB NOT NULL,
    reasons       TEXT NOT NULL,
    agency        TEXT,
    system        TEXT,
    record_id     TEXT,
    version       INTEGER,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolved_at   INTEGER,
    resolved_by   TEXT,
    resolution_seq INTEGER REFERENCES ledger (seq)
);
CREATE TRIGGER quarantine_no_delete BEFORE DELETE ON quarantine
    BEGIN SELECT RAISE(ABORT, 'quarantine entries are resolved, never deleted'); END;
"#;

pub struct SqliteLedger {
    conn: Connection,
    path: String,
    /// Where the file is, when it is one: the checkpointer opens its own
    /// connection to it.
    file: Option<std::path::PathBuf>,
    checkpointer: Option<Checkpointer>,
}

/// Copies committed WAL frames into the database file on a thread of its
/// own, so that the thread appending reports does not stop to do it (a
/// checkpoint writes every page a second time). Started by the first
/// [`Ledger::write_batch`] on a file store; stopped when the ledger is
/// dropped, after which closing the last connection checkpoints the rest
/// and removes the WAL, as before.
struct Checkpointer {
    wake: std::sync::mpsc::SyncSender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Report bytes appended since the checkpointer was last woken.
    pending: usize,
}

/// Report bytes appended between two checkpoints. Each checkpoint copies
/// the pages written since the last one (an index page that many commits
/// rewrote is copied once) and syncs the database file, so fewer, larger
/// checkpoints cost less.
const CHECKPOINT_BYTES: usize = if cfg!(test) { 64 << 10 } else { 32 << 20 };

/// WAL frames (8 KiB pages) after which the checkpointer makes sure the
/// next transaction starts the WAL file again from its beginning: it copies
/// what is left while holding off the writer for that short while. Keeps
/// the WAL near 64 MiB instead of growing with the feed. While another
/// process holds a read transaction the restart cannot happen; the
/// checkpointer then gives up after [`RESTART_WAIT`] and tries again later.
const RESTART_FRAMES: i64 = if cfg!(test) { 16 } else { 8192 };

/// How long a restart may hold off the writer waiting for readers.
const RESTART_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

impl Checkpointer {
    /// `None` when the thread or its connection cannot start.
    fn start(path: &Path) -> Option<Self> {
        let mut conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        conn.busy_handler(Some(wait_briefly(RESTART_WAIT))).ok()?;
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                let checkpoint = |mode: &str| -> rusqlite::Result<(i64, i64, i64)> {
                    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                };
                // Woken by the writer, or once a second for what other
                // writes (projections, decisions) added; ends when the
                // ledger is dropped.
                while !matches!(
                    woken.recv_timeout(std::time::Duration::from_secs(1)),
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
                ) {
                    // A failed checkpoint loses nothing: the frames stay in
                    // the WAL for the next one, or for the close.
                    if let Ok((_, frames, _)) = checkpoint("PASSIVE")
                        && frames >= RESTART_FRAMES
                    {
                        // The restart holds the writer off while it copies
                        // what was committed since: first catch up in
                        // passes that do not (each shorter than the last),
                        // so that little is left for it.
                        for _ in 0..4 {
                            let pass = std::time::Instant::now();
                            if checkpoint("PASSIVE").is_err()
                                || pass.elapsed() < std::time::Duration::from_millis(2)
                            {
                                break;
                            }
                        }
                        let _ = checkpoint("RESTART");
                    }
                }
            })
            .ok()?;
        Some(Checkpointer {
            wake,
            thread: Some(thread),
            pending: 0,
        })
    }

    /// Counts `bytes` more appended, and wakes the checkpointer when enough
    /// have been (never waits for it).
    fn appended(&mut self, bytes: usize) {
        self.pending += bytes;
        if self.pending >= CHECKPOINT_BYTES && self.wake.try_send(()).is_ok() {
            self.pending = 0;
        }
    }
}

/// A busy handler that waits up to `limit` for a lock, looking every 200 µs.
/// SQLite's own (`busy_timeout`) sleeps in steps of up to 100 ms, so a
/// writer held off for 3 ms by a WAL restart slept 20 or 25.
fn wait_briefly(limit: std::time::Duration) -> impl FnMut(i32) -> bool + Send + 'static {
    let mut since = std::time::Instant::now();
    move |count| {
        if count == 0 {
            since = std::time::Instant::now();
        }
        if since.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
        true
    }
}

impl Drop for SqliteLedger {
    fn drop(&mut self) {
        if let Some(mut c) = self.checkpointer.take() {
            // Closing the channel ends the thread's loop.
            let (closed, _) = std::sync::mpsc::sync_channel(1);
            drop(std::mem::replace(&mut c.wake, closed));
            if let Some(thread) = c.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

fn ms(ts: Timestamp) -> i64 {
    ts.as_millisecond()
}

/// The columns of a hit, in the order [`hit_row`] reads them.
const HIT_COLUMNS: &str = "indicator, tier, negated, hedged, historical, experiencer, start, \"end\", sentence, rule, evidence, dated_year";

fn hit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HitRow> {
    Ok(HitRow {
        indicator: r.get(0)?,
        tier: r.get(1)?,
        negated: r.get(2)?,
        hedged: r.get(3)?,
        historical: r.get(4)?,
        experiencer: r.get(5)?,
        start: r.get::<_, Option<i64>>(6)?.map(|v| v as u64),
        end: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
        sentence: r.get(8)?,
        rule: r.get(9)?,
        evidence: r.get(10)?,
        dated_year: r.get(11)?,
    })
}

fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn hash_from(bytes: Vec<u8>) -> [u8; 32] {
    let mut out = [0u8; 32];
    if bytes.len() == 32 {
        out.copy_from_slice(&bytes);
    }
    out
}

impl SqliteLedger {
    /// Opens the store at `path`, creating it if needed.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        let display = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| LedgerError::Sqlite {
            path: display.clone(),
            source,
        })?;
        let mut ledger = Self::init(conn, display, true)?;
        ledger.file = Some(path.to_path_buf());
        Ok(ledger)
    }

    /// Opens an existing Sightline store; never creates or initialises one
    /// (so a stranger's SQLite file is left untouched).
    pub fn open_existing(path: &Path) -> Result<Self, LedgerError> {
        let display = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| LedgerError::Sqlite {
            path: display.clone(),
            source,
        })?;
        let mut ledger = Self::init(conn, display, false)?;
        ledger.file = Some(path.to_path_buf());
        Ok(ledger)
    }

    /// A private in-memory store, for tests.
    pub fn in_memory() -> Result<Self, LedgerError> {
        let conn = Connection::open_in_memory().map_err(|source| LedgerError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        Self::init(conn, ":memory:".into(), true)
    }

    /// Runs `f` in one transaction and commits it; an SQLite error names
    /// the store.
    fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, LedgerError> {
        let path = self.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(e)?;
        let out = f(&tx).map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(out)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> LedgerError + '_ {
        |source| LedgerError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn init(conn: Connection, path: String, create: bool) -> Result<Self, LedgerError> {
        let mut ledger = SqliteLedger {
            conn,
            path,
            file: None,
            checkpointer: None,
        };
        let e = |source| LedgerError::Sqlite {
            path: ledger.path.clone(),
            source,
        };
        let version: i64 = ledger
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|source| LedgerError::Sqlite {
                path: ledger.path.clone(),
                source,
            })?;
        if version == 0 && !create {
            return Err(LedgerError::Corrupt {
                path: ledger.path.clone(),
                message: "not a Sightline store".into(),
            });
        }
        ledger
            .conn
            .execute_batch(
                // Page size only takes effect on a new file (before WAL is
                // on); 8 KiB pages suit report bodies of about a kilobyte.
                // Checkpoints every 32 MiB of WAL rather than 4 MiB.
                // Reads go through a memory map of up to 4 GiB: a projection
                // rebuild reads every report, and through the map they come
                // straight from the OS's file cache instead of each page
                // being copied into a page cache of our own first.
                "PRAGMA page_size = 8192;
                 PRAGMA journal_mode = WAL;
                 PRAGMA wal_autocheckpoint = 4096;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -262144;
                 PRAGMA mmap_size = 4294967296;",
            )
            .map_err(e)?;
        // Wait up to 10 s for a lock another connection holds.
        ledger
            .conn
            .busy_handler(Some(wait_briefly(std::time::Duration::from_secs(10))))
            .map_err(e)?;
        let version: i64 = ledger
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(e)?;
        match version {
            0 => {
                let tx = ledger.conn.transaction().map_err(e)?;
                tx.execute_batch(SCHEMA).map_err(e)?;
                tx.execute_batch(MIGRATION_2).map_err(e)?;
                tx.execute_batch(MIGRATION_3).map_err(e)?;
                tx.execute_batch(MIGRATION_4).map_err(e)?;
                tx.execute_batch(MIGRATION_5).map_err(e)?;
                tx.execute_batch(MIGRATION_6).map_err(e)?;
                tx.execute_batch(MIGRATION_7).map_err(e)?;
                tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
                    .map_err(e)?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('created_at', ?1)",
                    params![Timestamp::now().to_string()],
                )
                .map_err(e)?;
                tx.commit().map_err(e)?;
            }
            1..=6 => {
                let tx = ledger.conn.transaction().map_err(e)?;
                if version == 1 {
                    tx.execute_batch(MIGRATION_2).map_err(e)?;
                }
                if version <= 2 {
                    tx.execute_batch(MIGRATION_3).map_err(e)?;
                }
                if version <= 3 {
                    tx.execute_batch(MIGRATION_4).map_err(e)?;
                }
                if version <= 4 {
                    tx.execute_batch(MIGRATION_5).map_err(e)?;
                }
                if version <= 5 {
                    tx.execute_batch(MIGRATION_6).map_err(e)?;
                }
                tx.execute_batch(MIGRATION_7).map_err(e)?;
                tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
                    .map_err(e)?;
                tx.commit().map_err(e)?;
            }
            SCHEMA_VERSION => {}
            found if found > SCHEMA_VERSION => {
                return Err(LedgerError::TooNew {
                    path: ledger.path.clone(),
                    found,
                    known: SCHEMA_VERSION,
                });
            }
            found => {
                return Err(LedgerError::Corrupt {
                    path: ledger.path.clone(),
                    message: format!("unknown schema version {found}"),
                });
            }
        }
        Ok(ledger)
    }

    /// A row of `report_columns!()`. Columns are read by position: looking
    /// each up by name compares names for every row of a full read.
    fn row_to_report(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredReport> {
        let agency: String = r.get(1)?;
        let warnings: Option<String> = r.get(9)?;
        Ok(StoredReport {
            seq: r.get::<_, i64>(0)? as u64,
            key: ReportKey {
                agency: Agency::parse(&agency).unwrap_or(Agency::Other),
                system: r.get(2)?,
                record_id: r.get(3)?,
            },
            version: r.get::<_, i64>(4)? as u32,
            received_at: from_ms(r.get(5)?),
            recorded_at: from_ms(r.get(6)?),
            content_hash: hash_from(r.get(7)?),
            body: r.get(8)?,
            warnings: warnings
                .and_then(|w| serde_json::from_str(&w).ok())
                .unwrap_or_default(),
            origin: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
        })
    }

    fn row_to_quarantine(r: &rusqlite::Row<'_>) -> rusqlite::Result<QuarantineEntry> {
        let reasons: String = r.get("reasons")?;
        let status: String = r.get("status")?;
        Ok(QuarantineEntry {
            id: r.get::<_, i64>("id")? as u64,
            received_at: from_ms(r.get("received_at")?),
            source: r.get("source")?,
            line: r.get::<_, i64>("line")? as u64,
            raw: r.get("raw")?,
            reasons: serde_json::from_str::<Vec<Problem>>(&reasons).unwrap_or_default(),
            key: LooseKey {
                agency: r.get("agency")?,
                system: r.get("system")?,
                record_id: r.get("record_id")?,
                version: r.get::<_, Option<i64>>("version")?.map(|v| v as u64),
            },
            status: if status == "resolved" {
                QuarantineStatus::Resolved
            } else {
                QuarantineStatus::Open
            },
            resolved_at: r.get::<_, Option<i64>>("resolved_at")?.map(from_ms),
            resolved_by: r.get("resolved_by")?,
            resolution_seq: r.get::<_, Option<i64>>("resolution_seq")?.map(|v| v as u64),
        })
    }
}

fn insert_quarantine(tx: &rusqlite::Transaction<'_>, q: &NewQuarantine) -> rusqlite::Result<u64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO quarantine (received_at, source, line, raw, reasons, agency, system, record_id, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    stmt.execute(params![
        ms(q.received_at),
        q.source,
        q.line as i64,
        q.raw,
        serde_json::to_string(&q.reasons).unwrap_or_else(|_| "[]".into()),
        q.key.agency,
        q.key.system,
        q.key.record_id,
        q.key.version.map(|v| v as i64),
    ])?;
    Ok(tx.last_insert_rowid() as u64)
}

/// The statements every appended report runs, prepared once a batch.
struct Appender<'c> {
    claim_head: rusqlite::CachedStatement<'c>,
    head: rusqlite::CachedStatement<'c>,
    insert: rusqlite::CachedStatement<'c>,
    new_head: rusqlite::CachedStatement<'c>,
    move_head: rusqlite::CachedStatement<'c>,
    /// `file:line`, reused from report to report.
    origin: String,
    /// The sequence number the next ledger row gets (as SQLite would give
    /// it: one more than the largest).
    next_seq: i64,
}

impl<'c> Appender<'c> {
    fn new(tx: &'c rusqlite::Transaction<'_>) -> rusqlite::Result<Self> {
        Ok(Appender {
            claim_head: tx.prepare_cached(
                "INSERT INTO report_heads (agency, system, record_id, version, seq, content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT DO NOTHING",
            )?,
            head: tx.prepare_cached(
                "SELECT version, seq, content_hash FROM report_heads
                 WHERE agency = ?1 AND system = ?2 AND record_id = ?3",
            )?,
            insert: tx.prepare_cached(
                "INSERT INTO ledger (seq, entry, received_at, agency, system, record_id, version, kind,
                                     recorded_at, event_at, content_hash, origin, warnings, warning_count, body)
                 VALUES (?14, 'report', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            new_head: tx.prepare_cached(
                "INSERT INTO report_heads (agency, system, record_id, version, seq, content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            move_head: tx.prepare_cached(
                "UPDATE report_heads SET version = ?4, seq = ?5, content_hash = ?6
                 WHERE agency = ?1 AND system = ?2 AND record_id = ?3",
            )?,
            origin: String::new(),
            next_seq: tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM ledger", [], |r| {
                r.get(0)
            })?,
        })
    }

    /// Appends the ledger row of `r` as the next sequence number.
    fn insert(&mut self, r: &NewReport) -> rusqlite::Result<i64> {
        use std::fmt::Write as _;
        self.origin.clear();
        let _ = write!(self.origin, "{}:{}", r.source, r.line);
        let seq = self.next_seq;
        self.insert.execute(params![
            ms(r.received_at),
            r.key.agency.as_str(),
            r.key.system,
            r.key.record_id,
            i64::from(r.version),
            r.kind.as_str(),
            ms(r.recorded_at),
            ms(r.occurred_at.unwrap_or(r.recorded_at)),
            &r.content_hash[..],
            self.origin,
            if r.warnings.is_empty() {
                None
            } else {
                serde_json::to_string(&r.warnings).ok()
            },
            r.warnings.len() as i64,
            r.body,
            seq,
        ])?;
        self.next_seq = seq + 1;
        Ok(seq)
    }
}

fn append_report(
    tx: &rusqlite::Transaction<'_>,
    a: &mut Appender<'_>,
    r: &NewReport,
) -> rusqlite::Result<ItemOutcome> {
    let agency = r.key.agency.as_str();
    let version = i64::from(r.version);
    // The common case first: a report not seen before. Its head is claimed
    // with the sequence number its ledger row then gets, which spares the
    // lookup; if it has a head, nothing is written and the lookup decides.
    let claimed = a.claim_head.execute(params![
        agency,
        r.key.system,
        r.key.record_id,
        version,
        a.next_seq,
        &r.content_hash[..]
    ])?;
    if claimed == 1 {
        let seq = a.insert(r)?;
        return Ok(ItemOutcome::Appended {
            seq: seq as u64,
            current: true,
            superseded: None,
        });
    }
    let head: Option<(i64, i64, Vec<u8>)> = a
        .head
        .query_row(params![agency, r.key.system, r.key.record_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;

    // Is this exact version already held? Only the head needs checking
    // unless an older version arrives late.
    let existing: Option<(i64, Vec<u8>)> = match &head {
        None => None,
        Some((v, seq, hash)) if *v == version => Some((*seq, hash.clone())),
        Some((v, _, _)) if *v < version => None,
        Some(_) => tx
            .prepare_cached(
                "SELECT seq, content_hash FROM ledger
                 WHERE entry = 'report' AND agency = ?1 AND system = ?2 AND record_id = ?3 AND version = ?4",
            )?
            .query_row(params![agency, r.key.system, r.key.record_id, version], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?,
    };
    if let Some((seq, hash)) = existing {
        if hash == r.content_hash {
            return Ok(ItemOutcome::Duplicate { seq: seq as u64 });
        }
        // Different bytes may still be the same report written differently.
        let held: Vec<u8> = tx
            .prepare_cached("SELECT body FROM ledger WHERE seq = ?1")?
            .query_row(params![seq], |row| row.get(0))?;
        if sightline_model::same_content(&held, &r.body) {
            return Ok(ItemOutcome::Duplicate { seq: seq as u64 });
        }
        let quarantine_id = insert_quarantine(
            tx,
            &NewQuarantine {
                source: r.source.clone(),
                line: r.line,
                raw: r.body.clone(),
                reasons: vec![Problem {
                    field: "source.version".into(),
                    message: format!(
                        "conflicting re-send: version {} of {} was already received (ledger entry {seq}) with different content; the first copy stands. Send the correction as version {}.",
                        r.version,
                        r.key,
                        head.as_ref().map_or(version, |h| h.0) + 1
                    ),
                }],
                key: LooseKey {
                    agency: Some(agency.to_string()),
                    system: Some(r.key.system.clone()),
                    record_id: Some(r.key.record_id.clone()),
                    version: Some(u64::from(r.version)),
                },
                received_at: r.received_at,
            },
        )?;
        return Ok(ItemOutcome::Conflict {
            quarantine_id,
            existing_seq: seq as u64,
        });
    }

    let seq = a.insert(r)?;
    let (current, superseded) = match head {
        Some((v, _, _)) if v > version => (false, None),
        other => {
            let row = params![
                agency,
                r.key.system,
                r.key.record_id,
                version,
                seq,
                &r.content_hash[..]
            ];
            if other.is_some() {
                a.move_head.execute(row)?;
            } else {
                a.new_head.execute(row)?;
            }
            (true, other.map(|(v, _, _)| v as u32))
        }
    };
    Ok(ItemOutcome::Appended {
        seq: seq as u64,
        current,
        superseded,
    })
}

fn read_count(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, u64)> {
    Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
}

/// The columns [`SqliteLedger::row_to_report`] reads, in its order, of the
/// ledger aliased `l`.
macro_rules! report_columns {
    () => {
        "l.seq, l.agency, l.system, l.record_id, l.version, l.received_at,
         l.recorded_at, l.content_hash, l.body, l.warnings, l.origin"
    };
}

// The current-version queries give the report columns, then those `stats`
// groups and counts by.

/// Current versions as of a data time: for each report, the highest version
/// recorded by then.
const AS_OF_CURRENT: &str = concat!(
    "SELECT ",
    report_columns!(),
    ", l.kind, l.event_at, l.warning_count FROM ledger l
    JOIN (SELECT agency, system, record_id, MAX(version) AS version FROM ledger
          WHERE entry = 'report' AND recorded_at <= ?1
          GROUP BY agency, system, record_id) h
      ON l.entry = 'report' AND l.agency = h.agency AND l.system = h.system
     AND l.record_id = h.record_id AND l.version = h.version"
);

// Written as `IN` rather than a join so that SQLite walks the ledger in
// `seq` order: a join ordered by `l.seq` sorts every body in a temporary
// B-tree first.
const HEADS_CURRENT: &str = concat!(
    "SELECT ",
    report_columns!(),
    ", l.kind, l.event_at, l.warning_count
    FROM ledger l WHERE l.seq IN (SELECT seq FROM report_heads)"
);

impl Ledger for SqliteLedger {
    fn write_batch(&mut self, items: Vec<BatchItem>) -> Result<Vec<ItemOutcome>, LedgerError> {
        let path = self.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        };
        if self.checkpointer.is_none()
            && let Some(file) = &self.file
        {
            // Checkpoints move to their own thread; if it cannot start,
            // SQLite's automatic checkpoints stay on.
            if let Some(c) = Checkpointer::start(file) {
                self.conn
                    .execute_batch("PRAGMA wal_autocheckpoint = 0")
                    .map_err(e)?;
                self.checkpointer = Some(c);
            }
        }
        // Immediate: take the write lock up front, waiting (busy timeout)
        // while the checkpointer restarts the WAL, rather than failing to
        // upgrade a read transaction half way.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(e)?;
        let mut outcomes = Vec::with_capacity(items.len());
        let mut bytes = 0;
        let mut appender = Appender::new(&tx).map_err(e)?;
        for item in &items {
            let outcome = match item {
                BatchItem::Report(r) => {
                    bytes += r.body.len();
                    append_report(&tx, &mut appender, r).map_err(e)?
                }
                BatchItem::Quarantine(q) => ItemOutcome::Quarantined {
                    id: insert_quarantine(&tx, q).map_err(e)?,
                },
            };
            outcomes.push(outcome);
        }
        drop(appender);
        tx.commit().map_err(e)?;
        if let Some(c) = &mut self.checkpointer {
            c.appended(bytes);
        }
        Ok(outcomes)
    }

    fn append_decision(&mut self, d: NewDecision) -> Result<u64, LedgerError> {
        let body = serde_json::to_vec(&d.body).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO ledger (entry, received_at, actor, decision, body) VALUES ('decision', ?1, ?2, ?3, ?4)",
                params![ms(d.at), d.actor, d.decision, body],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid() as u64)
    }

    fn for_each_report(
        &self,
        as_of: Option<Timestamp>,
        f: &mut dyn FnMut(StoredReport) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        let sql = match as_of {
            Some(_) => format!("{AS_OF_CURRENT} ORDER BY l.seq"),
            None => format!("{HEADS_CURRENT} ORDER BY l.seq"),
        };
        let mut stmt = self.conn.prepare(&sql).map_err(self.err())?;
        let mut rows = match as_of {
            Some(t) => stmt.query(params![ms(t)]),
            None => stmt.query([]),
        }
        .map_err(self.err())?;
        while let Some(row) = rows.next().map_err(self.err())? {
            f(Self::row_to_report(row).map_err(self.err())?)?;
        }
        Ok(())
    }

    fn current_report_count(&self) -> Result<u64, LedgerError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM report_heads", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(self.err())
    }

    fn report_history(&self, key: &ReportKey) -> Result<Vec<StoredReport>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(concat!(
                "SELECT ",
                report_columns!(),
                " FROM ledger l WHERE entry = 'report' AND agency = ?1 AND system = ?2 AND record_id = ?3
                 ORDER BY version"
            ))
            .map_err(self.err())?;
        let rows = stmt
            .query_map(
                params![key.agency.as_str(), key.system, key.record_id],
                Self::row_to_report,
            )
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn stats(&self, as_of: Option<Timestamp>) -> Result<Stats, LedgerError> {
        let current = match as_of {
            Some(_) => AS_OF_CURRENT,
            None => HEADS_CURRENT,
        };
        let bind = as_of.map(ms);
        let e = self.err();
        let group = |column: &str| -> Result<Vec<(String, u64)>, LedgerError> {
            let sql = format!(
                "SELECT {column} AS k, COUNT(*) FROM ({current}) l GROUP BY k ORDER BY COUNT(*) DESC, k"
            );
            let mut stmt = self.conn.prepare(&sql).map_err(&e)?;
            let rows = match bind {
                Some(t) => stmt
                    .query_map(params![t], read_count)
                    .and_then(Iterator::collect),
                None => stmt.query_map([], read_count).and_then(Iterator::collect),
            };
            rows.map_err(&e)
        };
        let by_agency = group("l.agency")?;
        let by_kind = group("l.kind")?;
        // January 1st is always GMT, so the UTC year is the UK year.
        let by_year = group("strftime('%Y', l.event_at / 1000, 'unixepoch')")?
            .into_iter()
            .map(|(y, n)| (y.parse().unwrap_or(0), n))
            .collect::<Vec<(i64, u64)>>();
        let mut by_year = by_year;
        by_year.sort();
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(l.warning_count > 0), 0), COALESCE(SUM(l.warning_count), 0), MAX(l.recorded_at) FROM ({current}) l"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(&e)?;
        let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(i64, i64, i64, Option<i64>)> {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        };
        let (reports, with_warnings, warnings, latest) = match bind {
            Some(t) => stmt.query_row(params![t], read),
            None => stmt.query_row([], read),
        }
        .map_err(&e)?;
        let versions: i64 = match bind {
            Some(t) => self.conn.query_row(
                "SELECT COUNT(*) FROM ledger WHERE entry = 'report' AND recorded_at <= ?1",
                params![t],
                |r| r.get(0),
            ),
            None => self.conn.query_row(
                "SELECT COUNT(*) FROM ledger WHERE entry = 'report'",
                [],
                |r| r.get(0),
            ),
        }
        .map_err(&e)?;
        let decisions: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM ledger WHERE entry = 'decision'",
                [],
                |r| r.get(0),
            )
            .map_err(&e)?;
        let (open, resolved): (i64, i64) = self
            .conn
            .query_row(
                "SELECT COALESCE(SUM(status = 'open'), 0), COALESCE(SUM(status = 'resolved'), 0) FROM quarantine",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(&e)?;
        Ok(Stats {
            reports: reports as u64,
            versions: versions as u64,
            by_agency,
            by_kind,
            by_year,
            reports_with_warnings: with_warnings as u64,
            warnings: warnings as u64,
            quarantine_open: open as u64,
            quarantine_resolved: resolved as u64,
            decisions: decisions as u64,
            latest_recorded_at: latest.map(from_ms),
        })
    }

    fn quarantine_list(&self, include_resolved: bool) -> Result<Vec<QuarantineEntry>, LedgerError> {
        let sql = if include_resolved {
            "SELECT * FROM quarantine ORDER BY id DESC"
        } else {
            "SELECT * FROM quarantine WHERE status = 'open' ORDER BY id DESC"
        };
        let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
        let rows = stmt
            .query_map([], Self::row_to_quarantine)
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn quarantine_get(&self, id: u64) -> Result<QuarantineEntry, LedgerError> {
        self.conn
            .query_row(
                "SELECT * FROM quarantine WHERE id = ?1",
                params![id as i64],
                Self::row_to_quarantine,
            )
            .optional()
            .map_err(self.err())?
            .ok_or(LedgerError::NoSuchQuarantine(id))
    }

    fn quarantine_resolve(&mut self, id: u64, res: Resolution) -> Result<u64, LedgerError> {
        let entry = self.quarantine_get(id)?;
        if entry.status == QuarantineStatus::Resolved {
            return Err(LedgerError::AlreadyResolved(id));
        }
        let path = self.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(e)?;
        let body = serde_json::json!({
            "quarantine_id": id,
            "report_seq": res.report_seq,
            "note": res.note,
        });
        tx.execute(
            "INSERT INTO ledger (entry, received_at, actor, decision, body) VALUES ('decision', ?1, ?2, 'quarantine_resolved', ?3)",
            params![ms(res.at), res.actor, serde_json::to_vec(&body).unwrap_or_default()],
        )
        .map_err(e)?;
        let seq = tx.last_insert_rowid();
        tx.execute(
            "UPDATE quarantine SET status = 'resolved', resolved_at = ?2, resolved_by = ?3, resolution_seq = ?4 WHERE id = ?1",
            params![id as i64, ms(res.at), res.actor, seq],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(seq as u64)
    }

    fn reports_after(&self, after: u64, limit: usize) -> Result<Vec<StoredReport>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{HEADS_CURRENT} AND l.seq > ?1 ORDER BY l.seq LIMIT ?2"
            ))
            .map_err(self.err())?;
        let rows = stmt
            .query_map(params![after as i64, limit as i64], Self::row_to_report)
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn projection_state(&self, name: &str) -> Result<Option<(u64, String)>, LedgerError> {
        self.conn
            .query_row(
                "SELECT seq, version FROM projections WHERE name = ?1",
                params![name],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()
            .map_err(self.err())
    }

    fn set_projection_state(
        &mut self,
        name: &str,
        seq: u64,
        version: &str,
    ) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "INSERT INTO projections (name, seq, version) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, version = excluded.version",
                params![name, seq as i64, version],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn replace_hits(&mut self, batch: &[ReportHits]) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(e)?;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM indicator_hits WHERE agency = ?1 AND system = ?2 AND record_id = ?3")
                .map_err(e)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO indicator_hits (agency, system, record_id, seq, event_at, indicator, tier, negated, hedged,
                     historical, experiencer, start, \"end\", sentence, rule, evidence, dated_year)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                )
                .map_err(e)?;
            for r in batch {
                let agency = r.key.agency.as_str();
                delete
                    .execute(params![agency, r.key.system, r.key.record_id])
                    .map_err(e)?;
                for h in &r.hits {
                    insert
                        .execute(params![
                            agency,
                            r.key.system,
                            r.key.record_id,
                            r.seq as i64,
                            ms(r.event_at),
                            h.indicator,
                            h.tier,
                            h.negated,
                            h.hedged,
                            h.historical,
                            h.experiencer,
                            h.start.map(|v| v as i64),
                            h.end.map(|v| v as i64),
                            h.sentence,
                            h.rule,
                            h.evidence,
                            h.dated_year,
                        ])
                        .map_err(e)?;
                }
            }
        }
        tx.commit().map_err(e)?;
        Ok(())
    }

    fn clear_hits(&mut self) -> Result<(), LedgerError> {
        self.conn
            .execute("DELETE FROM indicator_hits", [])
            .map_err(self.err())?;
        Ok(())
    }

    fn indicator_counts(&self) -> Result<Vec<IndicatorCount>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT indicator, MIN(tier), SUM(negated = 0), SUM(negated = 1),
                        COUNT(DISTINCT CASE WHEN negated = 0 THEN agency || '/' || system || '/' || record_id END)
                 FROM indicator_hits GROUP BY indicator ORDER BY SUM(negated = 0) DESC, indicator",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(IndicatorCount {
                    indicator: r.get(0)?,
                    tier: r.get(1)?,
                    present: r.get::<_, i64>(2)? as u64,
                    negated: r.get::<_, i64>(3)? as u64,
                    reports: r.get::<_, i64>(4)? as u64,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn hits_of(&self, key: &ReportKey) -> Result<Vec<HitRow>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {HIT_COLUMNS} FROM indicator_hits
                 WHERE agency = ?1 AND system = ?2 AND record_id = ?3 ORDER BY start, indicator"
            ))
            .map_err(self.err())?;
        let rows = stmt
            .query_map(
                params![key.agency.as_str(), key.system, key.record_id],
                hit_row,
            )
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn for_each_hit(
        &self,
        f: &mut dyn FnMut(&str, &str, &str, u64, HitRow),
    ) -> Result<(), LedgerError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {HIT_COLUMNS}, agency, system, record_id, seq FROM indicator_hits"
            ))
            .map_err(self.err())?;
        let mut rows = stmt.query([]).map_err(self.err())?;
        while let Some(r) = rows.next().map_err(self.err())? {
            let hit = hit_row(r).map_err(self.err())?;
            let text = |i| {
                r.get_ref(i)
                    .ok()
                    .and_then(|v| v.as_str().ok())
                    .unwrap_or("")
            };
            let seq = r.get::<_, i64>(15).map_err(self.err())? as u64;
            f(text(12), text(13), text(14), seq, hit);
        }
        Ok(())
    }

    fn decisions(&self, kinds: &[&str]) -> Result<Vec<StoredDecision>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, received_at, actor, decision, body FROM ledger WHERE entry = 'decision' ORDER BY seq")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                let body: Vec<u8> = r.get(4)?;
                Ok(StoredDecision {
                    seq: r.get::<_, i64>(0)? as u64,
                    at: from_ms(r.get(1)?),
                    actor: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    decision: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                })
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let d = row.map_err(self.err())?;
            if kinds.is_empty() || kinds.contains(&d.decision.as_str()) {
                out.push(d);
            }
        }
        Ok(out)
    }

    fn replace_links(&mut self, links: &[LinkRow]) -> Result<(), LedgerError> {
        self.in_transaction(|tx| {
            tx.execute("DELETE FROM person_links", [])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO person_links (mention_id, agency, system, record_id, ref, person_id, seq, weight, best_match, by_decision)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for l in links {
                insert.execute(params![
                    l.mention_id,
                    l.agency,
                    l.system,
                    l.record_id,
                    l.person_ref,
                    l.person_id,
                    l.seq as i64,
                    l.weight,
                    l.best_match,
                    l.by_decision
                ])?;
            }
            Ok(())
        })
    }

    fn replace_concerns(&mut self, concerns: &[ConcernRow]) -> Result<(), LedgerError> {
        self.in_transaction(|tx| {
            tx.execute("DELETE FROM concerns", [])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO concerns (concern_id, person_id, type, raised_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for c in concerns {
                insert.execute(params![
                    c.concern_id,
                    c.person_id,
                    c.concern_type,
                    ms(c.raised_at),
                    c.body
                ])?;
            }
            Ok(())
        })
    }

    fn outbox_enqueue(&mut self, items: &[NewNotification]) -> Result<usize, LedgerError> {
        self.in_transaction(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO outbox (idempotency_key, channel, target, subject, body, created_at, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?;
            let mut added = 0;
            for n in items {
                added += insert.execute(params![
                    n.idempotency_key,
                    n.channel,
                    n.target,
                    n.subject,
                    n.body,
                    ms(n.created_at)
                ])?;
            }
            Ok(added)
        })
    }

    fn outbox(
        &self,
        due_by: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, LedgerError> {
        let sql = match due_by {
            Some(_) => "SELECT id, idempotency_key, channel, target, subject, body, created_at, attempts, next_attempt_at, delivered_at, last_error
                 FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2",
            None => "SELECT id, idempotency_key, channel, target, subject, body, created_at, attempts, next_attempt_at, delivered_at, last_error
                 FROM outbox WHERE ?1 = ?1 ORDER BY id LIMIT ?2",
        };
        let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
        let rows = stmt
            .query_map(params![due_by.map_or(0, ms), limit as i64], |r| {
                Ok(OutboxEntry {
                    id: r.get::<_, i64>(0)? as u64,
                    notification: NewNotification {
                        idempotency_key: r.get(1)?,
                        channel: r.get(2)?,
                        target: r.get(3)?,
                        subject: r.get(4)?,
                        body: r.get(5)?,
                        created_at: from_ms(r.get(6)?),
                    },
                    attempts: r.get::<_, i64>(7)? as u32,
                    next_attempt_at: from_ms(r.get(8)?),
                    delivered_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
                    last_error: r.get(10)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn outbox_attempted(
        &mut self,
        id: u64,
        at: Timestamp,
        result: Result<(), (String, Timestamp)>,
    ) -> Result<(), LedgerError> {
        match result {
            Ok(()) => self
                .conn
                .execute(
                    "UPDATE outbox SET attempts = attempts + 1, delivered_at = ?2, last_error = NULL WHERE id = ?1",
                    params![id as i64, ms(at)],
                )
                .map_err(self.err())?,
            Err((error, next)) => self
                .conn
                .execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                    params![id as i64, error, ms(next)],
                )
                .map_err(self.err())?,
        };
        Ok(())
    }

    fn concerns(&self) -> Result<Vec<ConcernRow>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT concern_id, person_id, type, raised_at, body FROM concerns ORDER BY raised_at, concern_id",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ConcernRow {
                    concern_id: r.get(0)?,
                    person_id: r.get(1)?,
                    concern_type: r.get(2)?,
                    raised_at: from_ms(r.get(3)?),
                    body: r.get(4)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn links(&self) -> Result<Vec<LinkRow>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT mention_id, agency, system, record_id, ref, person_id, seq, weight, best_match, by_decision
                 FROM person_links ORDER BY seq, rowid",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(LinkRow {
                    mention_id: r.get(0)?,
                    agency: r.get(1)?,
                    system: r.get(2)?,
                    record_id: r.get(3)?,
                    person_ref: r.get(4)?,
                    person_id: r.get(5)?,
                    seq: r.get::<_, i64>(6)? as u64,
                    weight: r.get(7)?,
                    best_match: r.get(8)?,
                    by_decision: r.get(9)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    fn meta(&self, key: &str) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(self.err())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sightline_model::Kind;

    fn report(record_id: &str, version: u32, content: u8) -> BatchItem {
        BatchItem::Report(Box::new(NewReport {
            key: ReportKey {
                agency: Agency::Police,
                system: "S".into(),
                record_id: record_id.into(),
            },
            version,
            kind: Kind::Incident,
            recorded_at: Timestamp::from_second(1_200_000_000 + i64::from(version)).unwrap(),
            occurred_at: None,
            content_hash: [content; 32],
            body: vec![b'{', content, b'}'],
            warnings: vec![],
            source: "f.jsonl".into(),
            line: 1,
            received_at: Timestamp::now(),
        }))
    }

    #[test]
    fn idempotent_supersede_history_and_conflict() {
        let mut l = SqliteLedger::in_memory().unwrap();
        let out = l
            .write_batch(vec![
                report("A", 1, 1),
                report("A", 1, 1),
                report("A", 2, 2),
                report("A", 1, 9),
                report("B", 3, 3),
                report("B", 2, 4),
            ])
            .unwrap();
        assert!(matches!(
            out[0],
            ItemOutcome::Appended {
                current: true,
                superseded: None,
                ..
            }
        ));
        assert!(matches!(out[1], ItemOutcome::Duplicate { seq: 1 }));
        assert!(matches!(
            out[2],
            ItemOutcome::Appended {
                current: true,
                superseded: Some(1),
                ..
            }
        ));
        assert!(matches!(
            out[3],
            ItemOutcome::Conflict {
                existing_seq: 1,
                ..
            }
        ));
        assert!(matches!(
            out[4],
            ItemOutcome::Appended { current: true, .. }
        ));
        assert!(
            matches!(out[5], ItemOutcome::Appended { current: false, .. }),
            "a late older version goes to history"
        );

        let stats = l.stats(None).unwrap();
        assert_eq!(
            (stats.reports, stats.versions, stats.quarantine_open),
            (2, 4, 1)
        );
        let key = ReportKey {
            agency: Agency::Police,
            system: "S".into(),
            record_id: "A".into(),
        };
        let history = l.report_history(&key).unwrap();
        assert_eq!(
            history.iter().map(|r| r.version).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let mut current = Vec::new();
        l.for_each_report(None, &mut |r| {
            current.push((r.key.record_id, r.version));
            Ok(())
        })
        .unwrap();
        assert_eq!(current, vec![("A".to_string(), 2), ("B".to_string(), 3)]);
        // As of a time before version 2 of A was recorded.
        let mut early = Vec::new();
        l.for_each_report(
            Some(Timestamp::from_second(1_200_000_001).unwrap()),
            &mut |r| {
                early.push((r.key.record_id, r.version));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(early, vec![("A".to_string(), 1)]);
    }

    #[test]
    fn a_version_2_store_migrates_and_keeps_its_reports() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute_batch(MIGRATION_2).unwrap();
            conn.execute_batch("PRAGMA user_version = 2").unwrap();
        }
        let mut ledger = SqliteLedger::open(&path).unwrap();
        ledger.write_batch(vec![report("r1", 1, 1)]).unwrap();
        let link = LinkRow {
            mention_id: "police/S/r1/p1".into(),
            agency: "police".into(),
            system: "S".into(),
            record_id: "r1".into(),
            person_ref: "p1".into(),
            person_id: "P1".into(),
            seq: 1,
            weight: Some(12.5),
            best_match: None,
            by_decision: false,
        };
        ledger.replace_links(std::slice::from_ref(&link)).unwrap();
        drop(ledger);
        let ledger = SqliteLedger::open_existing(&path).unwrap();
        assert_eq!(ledger.links().unwrap(), vec![link]);
        let version: i64 = ledger
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn the_outbox_adds_each_key_once_and_records_attempts() {
        let mut l = SqliteLedger::in_memory().unwrap();
        let t0: Timestamp = "2024-01-15T10:00:00Z".parse().unwrap();
        let n = |key: &str| NewNotification {
            idempotency_key: key.into(),
            channel: "webhook".into(),
            target: "http://localhost/hook".into(),
            subject: "s".into(),
            body: "{}".into(),
            created_at: t0,
        };
        assert_eq!(l.outbox_enqueue(&[n("a"), n("b")]).unwrap(), 2);
        assert_eq!(l.outbox_enqueue(&[n("a"), n("c")]).unwrap(), 1);
        let due = l.outbox(Some(t0), 10).unwrap();
        assert_eq!(due.len(), 3);
        let later: Timestamp = "2024-01-15T10:05:00Z".parse().unwrap();
        l.outbox_attempted(due[0].id, t0, Err(("refused".into(), later)))
            .unwrap();
        l.outbox_attempted(due[1].id, t0, Ok(())).unwrap();
        let due = l.outbox(Some(t0), 10).unwrap();
        assert_eq!(due.len(), 1, "only c is due now");
        let due = l.outbox(Some(later), 10).unwrap();
        assert_eq!(due.len(), 2);
        assert_eq!(due[1].attempts, 1);
        assert_eq!(due[1].last_error.as_deref(), Some("refused"));
        let all = l.outbox(None, 10).unwrap();
        assert!(all[1].delivered_at.is_some());
    }

    #[test]
    fn the_ledger_is_append_only() {
        let mut l = SqliteLedger::in_memory().unwrap();
        l.write_batch(vec![report("A", 1, 1)]).unwrap();
        let update = l.conn.execute("UPDATE ledger SET body = x'00'", []);
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = l.conn.execute("DELETE FROM ledger", []);
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        l.write_batch(vec![BatchItem::Quarantine(NewQuarantine {
            source: "f".into(),
            line: 1,
            raw: b"x".to_vec(),
            reasons: vec![],
            key: LooseKey::default(),
            received_at: Timestamp::now(),
        })])
        .unwrap();
        assert!(l.conn.execute("DELETE FROM quarantine", []).is_err());
    }

    #[test]
    fn quarantine_resolution_is_a_recorded_decision() {
        let mut l = SqliteLedger::in_memory().unwrap();
        let out = l
            .write_batch(vec![BatchItem::Quarantine(NewQuarantine {
                source: "f.jsonl".into(),
                line: 7,
                raw: b"\xff".to_vec(),
                reasons: vec![Problem {
                    field: String::new(),
                    message: "bad".into(),
                }],
                key: LooseKey::default(),
                received_at: Timestamp::now(),
            })])
            .unwrap();
        let ItemOutcome::Quarantined { id } = out[0] else {
            panic!()
        };
        let seq = l
            .quarantine_resolve(
                id,
                Resolution {
                    actor: "analyst".into(),
                    at: Timestamp::now(),
                    report_seq: None,
                    note: "fixed".into(),
                },
            )
            .unwrap();
        let e = l.quarantine_get(id).unwrap();
        assert_eq!(e.status, QuarantineStatus::Resolved);
        assert_eq!(e.resolution_seq, Some(seq));
        assert_eq!(e.raw, b"\xff");
        assert!(matches!(
            l.quarantine_resolve(
                id,
                Resolution {
                    actor: "a".into(),
                    at: Timestamp::now(),
                    report_seq: None,
                    note: String::new()
                }
            ),
            Err(LedgerError::AlreadyResolved(_))
        ));
        assert_eq!(l.stats(None).unwrap().decisions, 1);
    }

    #[test]
    fn checkpoints_on_their_own_thread_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let big = |id: usize| {
            let BatchItem::Report(mut r) = report(&format!("R{id}"), 1, (id % 251) as u8) else {
                unreachable!()
            };
            r.body = vec![b'x'; 2000];
            BatchItem::Report(r)
        };
        {
            let mut l = SqliteLedger::open(&path).unwrap();
            // A reader in another connection, as `sightline stats` would be.
            let reader = SqliteLedger::open_existing(&path).unwrap();
            for batch in 0..60 {
                let items = (0..50).map(|i| big(batch * 50 + i)).collect();
                let out = l.write_batch(items).unwrap();
                assert!(
                    out.iter()
                        .all(|o| matches!(o, ItemOutcome::Appended { .. }))
                );
                if batch % 10 == 0 {
                    assert_eq!(reader.stats(None).unwrap().reports, (batch as u64 + 1) * 50);
                }
            }
            assert!(l.checkpointer.is_some());
        }
        assert!(!dir.path().join("s.db-wal").exists(), "the WAL is gone");
        let l = SqliteLedger::open_existing(&path).unwrap();
        assert_eq!(l.stats(None).unwrap().reports, 3000);
        let integrity: String = l
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
    }

    #[test]
    fn a_version_2_store_is_migrated_and_its_heads_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            // A store as the previous schema left it: two versions of one
            // report, its head.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute_batch(MIGRATION_2).unwrap();
            conn.execute_batch(
                "PRAGMA user_version = 2;
                 INSERT INTO ledger (entry, received_at, agency, system, record_id, version, kind,
                                     recorded_at, event_at, content_hash, origin, warning_count, body)
                 VALUES ('report', 0, 'police', 'S', 'A', 1, 'incident', 1200000001000, 1200000001000,
                         zeroblob(32), 'f.jsonl:1', 0, x'7b017d'),
                        ('report', 0, 'police', 'S', 'A', 3, 'incident', 1200000003000, 1200000003000,
                         zeroblob(32), 'f.jsonl:2', 0, x'7b037d');
                 INSERT INTO report_heads (agency, system, record_id, version, seq, content_hash)
                 VALUES ('police', 'S', 'A', 3, 2, zeroblob(32));",
            )
            .unwrap();
        }
        let mut l = SqliteLedger::open(&path).unwrap();
        let version: i64 = l
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let mut same = report("A", 3, 0);
        if let BatchItem::Report(r) = &mut same {
            r.body = vec![b'{', 3, b'}'];
        }
        let out = l
            .write_batch(vec![
                same,
                report("A", 4, 4),
                report("A", 2, 2),
                report("B", 1, 3),
            ])
            .unwrap();
        assert_eq!(out[0], ItemOutcome::Duplicate { seq: 2 });
        assert!(matches!(
            out[1],
            ItemOutcome::Appended {
                current: true,
                superseded: Some(3),
                ..
            }
        ));
        assert!(matches!(
            out[2],
            ItemOutcome::Appended { current: false, .. }
        ));
        // The identity stays unique.
        assert!(
            l.conn
                .execute(
                    "INSERT INTO ledger (entry, received_at, agency, system, record_id, version, body)
                     VALUES ('report', 0, 'police', 'S', 'A', 1, x'00')",
                    [],
                )
                .is_err()
        );
        assert_eq!(l.stats(None).unwrap().reports, 2);
        let key = ReportKey {
            agency: Agency::Police,
            system: "S".into(),
            record_id: "A".into(),
        };
        let versions: Vec<u32> = l
            .report_history(&key)
            .unwrap()
            .iter()
            .map(|r| r.version)
            .collect();
        assert_eq!(versions, vec![1, 2, 3, 4]);
    }

    #[test]
    fn reopening_keeps_everything_and_strangers_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let mut l = SqliteLedger::open(&path).unwrap();
            l.write_batch(vec![report("A", 1, 1)]).unwrap();
        }
        let l = SqliteLedger::open_existing(&path).unwrap();
        assert_eq!(l.stats(None).unwrap().reports, 1);
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(SqliteLedger::open_existing(&other).is_err());
    }
}

//! `sightline ingest`: feeds into the ledger. Framing and checking run on a
//! worker thread while this thread writes batches to the store.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use jiff::Timestamp;
use sightline_ingest::{
    CsvFramer, CsvMapping, Format, IngestError, JsonLinesFramer, Origin, Outcome, RawRecord,
    Received,
};
use sightline_ledger::{BatchItem, ItemOutcome, Ledger, NewQuarantine, NewReport};
use sightline_model::Accepted;

use crate::Globals;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files to read: `.csv` files use the CSV profile, anything else is
    /// read as JSON Lines; `-` reads JSON Lines from standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,

    /// Read every file in this format, whatever its name.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,

    /// Column mapping for CSV files (see docs/csv-profile.md).
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,

    /// Exit with status 3 if any record was quarantined.
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Jsonl,
    Csv,
}

/// Exit status when `--strict` and something was quarantined.
pub const EXIT_QUARANTINED: u8 = 3;

/// How many quarantined records are described on standard error.
const SHOW_REJECTIONS: usize = 20;
const BATCH: usize = 1024;
/// Most records written in one transaction (several batches when the
/// writer has fallen behind).
const TRANSACTION: usize = 4 * BATCH;

/// What became of one source's records.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub records: u64,
    /// New reports, or new versions that became current.
    pub accepted: u64,
    /// Of those, how many replaced an earlier version.
    pub superseded: u64,
    /// Older versions arriving after a newer one: kept in history.
    pub history: u64,
    pub with_warnings: u64,
    pub duplicates: u64,
    pub conflicts: u64,
    pub rejected: u64,
    /// Ledger sequence of the last appended report.
    pub last_seq: Option<u64>,
    /// Quarantine id of the last quarantined record.
    pub last_quarantine: Option<u64>,
}

impl Tally {
    pub fn quarantined(&self) -> u64 {
        self.conflicts + self.rejected
    }

    fn add(&mut self, other: &Tally) {
        self.records += other.records;
        self.accepted += other.accepted;
        self.superseded += other.superseded;
        self.history += other.history;
        self.with_warnings += other.with_warnings;
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
        self.rejected += other.rejected;
    }

    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "{} accepted ({} with warnings)",
            self.accepted + self.history,
            self.with_warnings
        )];
        if self.superseded > 0 {
            parts.push(format!(
                "{} superseding an earlier version",
                self.superseded
            ));
        }
        if self.history > 0 {
            parts.push(format!("{} older versions kept in history", self.history));
        }
        parts.push(format!("{} duplicates", self.duplicates));
        parts.push(format!(
            "{} quarantined{}",
            self.quarantined(),
            if self.conflicts > 0 {
                format!(" ({} conflicting re-sends)", self.conflicts)
            } else {
                String::new()
            }
        ));
        format!("{} records: {}", self.records, parts.join(", "))
    }
}

/// A checked record turned into what the ledger needs, built on the worker
/// threads so that the writer thread only writes (and the typed report is
/// dropped where it was made).
struct Prepared {
    origin: Origin,
    item: BatchItem,
    warned: bool,
    reasons: Vec<String>,
}

fn prepare(received: Received, received_at: Timestamp) -> Prepared {
    let Received { origin, outcome } = received;
    match outcome {
        Outcome::Accepted(a) => {
            let Accepted {
                report,
                warnings,
                body,
                content_hash,
            } = *a;
            Prepared {
                warned: !warnings.is_empty(),
                item: BatchItem::Report(Box::new(NewReport {
                    key: report.key(),
                    version: report.source.version,
                    kind: report.kind,
                    recorded_at: report.recorded_at.instant,
                    occurred_at: report.occurred_at.map(|t| t.instant),
                    content_hash,
                    body,
                    warnings,
                    source: origin.source.clone(),
                    line: origin.line,
                    received_at,
                })),
                origin,
                reasons: Vec::new(),
            }
        }
        Outcome::Rejected { rejected, raw } => Prepared {
            reasons: rejected.reasons.iter().map(ToString::to_string).collect(),
            item: BatchItem::Quarantine(NewQuarantine {
                source: origin.source.clone(),
                line: origin.line,
                raw,
                reasons: rejected.reasons,
                key: rejected.key,
                received_at,
            }),
            warned: false,
            origin,
        },
    }
}

/// A feed to read.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    /// A path, or `-` for standard input.
    pub name: String,
    pub format: Format,
    pub mapping: CsvMapping,
}

/// Reads a CSV column mapping file, or the profile's own headers without one.
pub fn load_mapping(path: Option<&std::path::Path>) -> Result<CsvMapping> {
    Ok(match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the mapping file {}", path.display()))?;
            CsvMapping::parse(&text, &path.display().to_string())?
        }
        None => CsvMapping::default(),
    })
}

pub fn run(globals: &Globals, args: IngestArgs) -> Result<ExitCode> {
    let mapping = load_mapping(args.mapping.as_deref())?;
    let mut ledger = globals.open_store()?;
    let received_at = Timestamp::now();
    let mut total = Tally::default();
    let mut failed = 0;
    for name in &args.files {
        let format = match args.format {
            Some(FormatArg::Jsonl) => Format::JsonLines,
            Some(FormatArg::Csv) => Format::Csv,
            None if name == "-" => Format::JsonLines,
            None => Format::from_path(name),
        };
        let spec = SourceSpec {
            name: name.clone(),
            format,
            mapping: mapping.clone(),
        };
        match ingest_source(&mut ledger, &spec, received_at, true) {
            Ok(tally) => {
                println!("{name}: {}", tally.summary());
                total.add(&tally);
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                failed += 1;
            }
        }
    }
    if args.files.len() > 1 {
        println!("total: {}", total.summary());
    }
    if total.quarantined() > 0 {
        eprintln!("see them with `sightline quarantine list`");
    }
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} sources could not be read",
            args.files.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    if args.strict && total.quarantined() > 0 {
        return Ok(ExitCode::from(EXIT_QUARANTINED));
    }
    Ok(ExitCode::SUCCESS)
}

fn open_reader(name: &str) -> Result<Box<dyn Read>, IngestError> {
    if name == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = File::open(name).map_err(|error| IngestError::Read {
        source_name: name.to_string(),
        error,
    })?;
    Ok(Box::new(file))
}

/// Frames and checks records of one source, sending batches to `tx`.
fn produce(
    spec: &SourceSpec,
    received_at: Timestamp,
    tx: &crossbeam_channel::Sender<Result<Vec<Prepared>, IngestError>>,
) {
    let reader = match open_reader(&spec.name) {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Err(e));
            return;
        }
    };
    let records: Box<dyn Iterator<Item = Result<RawRecord, IngestError>>> = match spec.format {
        Format::JsonLines => Box::new(JsonLinesFramer::new(
            BufReader::with_capacity(1 << 20, reader),
            spec.name.clone(),
        )),
        Format::Csv => match CsvFramer::new(reader, spec.name.clone(), spec.mapping.clone()) {
            Ok(f) => Box::new(f),
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        },
    };
    // Framing is sequential; checking (the CPU-heavy part) runs on the rayon
    // pool, batch by batch, so that the order of records is kept.
    let flush = |raw: Vec<RawRecord>| -> bool {
        use rayon::prelude::*;
        let checked: Vec<Prepared> = raw
            .into_par_iter()
            .map(|r| prepare(r.check(received_at), received_at))
            .collect();
        tx.send(Ok(checked)).is_ok()
    };
    let mut batch = Vec::with_capacity(BATCH);
    for record in records {
        match record {
            Ok(raw) => batch.push(raw),
            Err(e) => {
                if !batch.is_empty() {
                    flush(std::mem::take(&mut batch));
                }
                let _ = tx.send(Err(e));
                return;
            }
        }
        if batch.len() == BATCH && !flush(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
        {
            return;
        }
    }
    if !batch.is_empty() {
        flush(batch);
    }
}

/// Reads one source into the ledger. Bad records are quarantined; an error
/// means the source could not be read (records before the failure are kept).
pub fn ingest_source(
    ledger: &mut dyn Ledger,
    spec: &SourceSpec,
    received_at: Timestamp,
    describe_rejections: bool,
) -> Result<Tally> {
    let progress = crate::output::progress(spec.name.clone());
    let mut tally = Tally::default();
    let show = if describe_rejections {
        SHOW_REJECTIONS
    } else {
        0
    };
    let mut shown = 0usize;
    let (tx, rx) = crossbeam_channel::bounded(4);
    let result = std::thread::scope(|scope| -> Result<()> {
        // Owned here so that an early return drops it and unblocks the
        // producer before the scope joins it.
        let rx = rx;
        scope.spawn(move || produce(spec, received_at, &tx));
        let mut failure = None;
        while failure.is_none() {
            let Ok(message) = rx.recv() else {
                break;
            };
            // Batches that are already waiting go into the same
            // transaction (up to TRANSACTION records): when the writer is
            // the slower side, fewer, larger commits write fewer pages.
            let mut batches = vec![message?];
            let mut queued = batches[0].len();
            while queued < TRANSACTION {
                match rx.try_recv() {
                    Ok(Ok(batch)) => {
                        queued += batch.len();
                        batches.push(batch);
                    }
                    // Written after what came before it, as before.
                    Ok(Err(e)) => {
                        failure = Some(e);
                        break;
                    }
                    Err(_) => break,
                }
            }
            tally.records += queued as u64;
            let mut items = Vec::with_capacity(queued);
            let mut notes = Vec::with_capacity(queued);
            for p in batches.into_iter().flatten() {
                items.push(p.item);
                notes.push((p.origin, p.warned, p.reasons));
            }
            let outcomes = ledger.write_batch(items)?;
            for (outcome, (origin, warned, reasons)) in outcomes.into_iter().zip(notes) {
                match outcome {
                    ItemOutcome::Appended {
                        seq,
                        current,
                        superseded,
                    } => {
                        if current {
                            tally.accepted += 1;
                        } else {
                            tally.history += 1;
                        }
                        if superseded.is_some() {
                            tally.superseded += 1;
                        }
                        if warned {
                            tally.with_warnings += 1;
                        }
                        tally.last_seq = Some(seq);
                    }
                    ItemOutcome::Duplicate { seq } => {
                        tally.duplicates += 1;
                        tally.last_seq = Some(seq);
                    }
                    ItemOutcome::Conflict {
                        quarantine_id,
                        existing_seq,
                    } => {
                        tally.conflicts += 1;
                        tally.last_quarantine = Some(quarantine_id);
                        if shown < show {
                            progress.suspend(|| {
                                eprintln!(
                                    "{origin}: quarantined as #{quarantine_id}: conflicts with ledger entry {existing_seq} (same report and version, different content)"
                                )
                            });
                        }
                        shown += 1;
                    }
                    ItemOutcome::Quarantined { id } => {
                        tally.rejected += 1;
                        tally.last_quarantine = Some(id);
                        if shown < show {
                            progress.suspend(|| {
                                eprintln!("{origin}: quarantined as #{id}: {}", reasons.join("; "))
                            });
                        }
                        shown += 1;
                    }
                }
            }
            progress.set_position(tally.records);
        }
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    });
    progress.finish_and_clear();
    if describe_rejections && shown > show {
        eprintln!(
            "{}: {} more quarantined records not shown",
            spec.name,
            shown - show
        );
    }
    result.with_context(|| format!("while ingesting {}", spec.name))?;
    Ok(tally)
}

//! `sightline quarantine`: records that could not be accepted, kept whole
//! with their reasons until someone corrects and replays them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use serde_json::json;
use sightline_ingest::Format;
use sightline_ledger::{Ledger, QuarantineEntry, QuarantineStatus, Resolution};

use crate::Globals;
use crate::ingest::{SourceSpec, ingest_source};

#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List open entries (newest first).
    List(ListArgs),
    /// Show one entry: where it came from, why, and its raw bytes.
    Show { id: u64 },
    /// Write entries as JSON Lines (raw bytes included).
    Export(ExportArgs),
    /// Ingest a corrected record for an entry and mark the entry resolved.
    Replay(ReplayArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include resolved entries.
    #[arg(long)]
    all: bool,
    /// Print JSON Lines instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Include resolved entries.
    #[arg(long)]
    all: bool,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    id: u64,
    /// The corrected record: a JSON Lines file with one report, or a CSV
    /// file with one row (with `--mapping` if its headers need one).
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
}

pub fn run(globals: &Globals, cmd: QuarantineCommand) -> Result<ExitCode> {
    match cmd {
        QuarantineCommand::List(args) => list(globals, args),
        QuarantineCommand::Show { id } => show(globals, id),
        QuarantineCommand::Export(args) => export(globals, args),
        QuarantineCommand::Replay(args) => replay(globals, args),
    }
}

fn first_reason(e: &QuarantineEntry) -> String {
    let mut text = e
        .reasons
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    if e.reasons.len() > 1 {
        text.push_str(&format!(" (+{} more)", e.reasons.len() - 1));
    }
    text
}

fn identity(e: &QuarantineEntry) -> String {
    let k = &e.key;
    let part = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    if k.agency.is_none() && k.system.is_none() && k.record_id.is_none() {
        return "(no readable identity)".into();
    }
    let mut s = format!(
        "{}/{}/{}",
        part(&k.agency),
        part(&k.system),
        part(&k.record_id)
    );
    if let Some(v) = k.version {
        s.push_str(&format!(" v{v}"));
    }
    s
}

fn list(globals: &Globals, args: ListArgs) -> Result<ExitCode> {
    let ledger = globals.open_existing_store()?;
    let entries = ledger.quarantine_list(args.all)?;
    let mut out = crate::output::open(None)?;
    if args.json {
        for e in &entries {
            serde_json::to_writer(&mut out, e)?;
            writeln!(out)?;
        }
    } else if entries.is_empty() {
        writeln!(
            out,
            "the quarantine is empty{}",
            if args.all { "" } else { " (no open entries)" }
        )?;
    } else {
        for e in &entries {
            let status = match e.status {
                QuarantineStatus::Open => "open",
                QuarantineStatus::Resolved => "resolved",
            };
            writeln!(
                out,
                "#{:<6} {:<8} {}:{}  {}  {}",
                e.id,
                status,
                e.source,
                e.line,
                identity(e),
                first_reason(e)
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn show(globals: &Globals, id: u64) -> Result<ExitCode> {
    let ledger = globals.open_existing_store()?;
    let e = ledger.quarantine_get(id)?;
    let mut out = crate::output::open(None)?;
    writeln!(out, "quarantine entry #{}", e.id)?;
    writeln!(out, "from:      {}, line {}", e.source, e.line)?;
    writeln!(out, "received:  {}", e.received_at)?;
    writeln!(out, "report:    {}", identity(&e))?;
    match e.status {
        QuarantineStatus::Open => writeln!(out, "status:    open")?,
        QuarantineStatus::Resolved => writeln!(
            out,
            "status:    resolved by {} at {} (ledger entry {})",
            e.resolved_by.as_deref().unwrap_or("?"),
            e.resolved_at.map(|t| t.to_string()).unwrap_or_default(),
            e.resolution_seq.map(|s| s.to_string()).unwrap_or_default()
        )?,
    }
    writeln!(out, "why:")?;
    for r in &e.reasons {
        writeln!(out, "  - {r}")?;
    }
    writeln!(out, "raw ({} bytes):", e.raw.len())?;
    const SHOW: usize = 4096;
    let shown = &e.raw[..e.raw.len().min(SHOW)];
    writeln!(out, "{}", String::from_utf8_lossy(shown))?;
    if e.raw.len() > SHOW {
        writeln!(
            out,
            "... ({} more bytes; `sightline quarantine export` has them all)",
            e.raw.len() - SHOW
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn export(globals: &Globals, args: ExportArgs) -> Result<ExitCode> {
    let ledger = globals.open_existing_store()?;
    let entries = ledger.quarantine_list(args.all)?;
    let mut out = crate::output::open(args.out.as_deref())?;
    for e in entries.iter().rev() {
        let mut value = serde_json::to_value(e)?;
        // Raw bytes are kept exactly: as text when they are UTF-8, and
        // always as hex so that nothing is lost.
        value["raw_text"] = match std::str::from_utf8(&e.raw) {
            Ok(s) => json!(s),
            Err(_) => json!(null),
        };
        value["raw_hex"] = json!(hex::encode(&e.raw));
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn replay(globals: &Globals, args: ReplayArgs) -> Result<ExitCode> {
    let actor = globals.actor()?;
    let mut ledger = globals.open_existing_store()?;
    let entry = ledger.quarantine_get(args.id)?;
    if entry.status == QuarantineStatus::Resolved {
        bail!("quarantine entry #{} is already resolved", args.id);
    }
    let name = args.file.display().to_string();
    let mapping = crate::ingest::load_mapping(args.mapping.as_deref())?;
    let spec = SourceSpec {
        format: Format::from_path(&name),
        name: name.clone(),
        mapping,
    };
    // Count the records first: a replay corrects exactly one.
    let count = count_records(&spec)?;
    if count != 1 {
        bail!("{name} holds {count} records; a replay takes exactly one corrected record");
    }
    let received_at = Timestamp::now();
    let tally = ingest_source(&mut ledger, &spec, received_at, true)?;
    if tally.quarantined() > 0 {
        eprintln!(
            "the corrected record was not accepted either (see quarantine #{}); #{} stays open",
            tally.last_quarantine.unwrap_or_default(),
            args.id
        );
        return Ok(ExitCode::FAILURE);
    }
    let seq = ledger.quarantine_resolve(
        args.id,
        Resolution {
            actor: actor.clone(),
            at: received_at,
            report_seq: tally.last_seq,
            note: format!("replayed from {name}"),
        },
    )?;
    println!(
        "{name}: {}\nquarantine #{} resolved by {actor} (ledger entry {seq})",
        tally.summary(),
        args.id
    );
    Ok(ExitCode::SUCCESS)
}

fn count_records(spec: &SourceSpec) -> Result<usize> {
    let file =
        std::fs::File::open(&spec.name).with_context(|| format!("cannot read {}", spec.name))?;
    let n = match spec.format {
        Format::JsonLines => {
            sightline_ingest::JsonLinesFramer::new(std::io::BufReader::new(file), spec.name.clone())
                .collect::<Result<Vec<_>, _>>()?
                .len()
        }
        Format::Csv => {
            sightline_ingest::CsvFramer::new(file, spec.name.clone(), spec.mapping.clone())?
                .collect::<Result<Vec<_>, _>>()?
                .len()
        }
    };
    Ok(n)
}

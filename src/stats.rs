//! `sightline stats`: what the store holds.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use sightline_ledger::{Ledger, Stats};

use crate::Globals;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(globals: &Globals, args: StatsArgs) -> Result<ExitCode> {
    let ledger = globals.open_existing_store()?;
    let stats = ledger.stats(globals.as_of)?;
    let mut out = crate::output::open(args.out.as_deref())?;
    if args.json {
        serde_json::to_writer_pretty(&mut out, &stats)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &stats)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn write_text(out: &mut dyn Write, s: &Stats) -> std::io::Result<()> {
    writeln!(out, "reports: {}", s.reports)?;
    writeln!(out, "versions: {}", s.versions)?;
    if let Some(t) = s.latest_recorded_at {
        writeln!(out, "data time: {t}")?;
    }
    let width = s
        .by_agency
        .iter()
        .chain(&s.by_kind)
        .map(|(k, _)| k.len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "by agency:")?;
    for (k, n) in &s.by_agency {
        writeln!(out, "  {k:<width$}  {n}")?;
    }
    writeln!(out, "by kind:")?;
    for (k, n) in &s.by_kind {
        writeln!(out, "  {k:<width$}  {n}")?;
    }
    writeln!(out, "by year of event:")?;
    for (y, n) in &s.by_year {
        writeln!(out, "  {y:<width$}  {n}")?;
    }
    writeln!(
        out,
        "warnings: {} in {} reports",
        s.warnings, s.reports_with_warnings
    )?;
    writeln!(
        out,
        "quarantine: {} open, {} resolved",
        s.quarantine_open, s.quarantine_resolved
    )?;
    writeln!(out, "decisions: {}", s.decisions)?;
    Ok(())
}

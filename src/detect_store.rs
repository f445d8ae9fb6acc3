//! `sightline detect` over the store: incremental, in ledger order. Each
//! current report version is re-read from the ledger and its hits replace
//! those of earlier versions; a change of rules recomputes everything.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use sightline_detect::{Detector, Experiencer, Hit};
use sightline_ledger::{HitRow, Ledger, ReportHits};

use crate::Globals;

const PROJECTION: &str = "detect";
const CHUNK: usize = 5000;

pub fn row(hit: &Hit) -> HitRow {
    HitRow {
        indicator: hit.indicator.clone(),
        tier: hit.tier.as_str().to_string(),
        negated: hit.negated,
        hedged: hit.hedged,
        historical: hit.historical,
        experiencer: match hit.experiencer {
            Experiencer::Subject => "subject".into(),
            Experiencer::Other => "other".into(),
        },
        start: hit.start.map(|v| v as u64),
        end: hit.end.map(|v| v as u64),
        sentence: hit.sentence.clone(),
        rule: hit.rule.clone(),
        evidence: serde_json::to_string(&hit.evidence).unwrap_or_default(),
        dated_year: hit.dated_year,
    }
}

/// What a detection run did.
pub struct Summary {
    pub reports: u64,
    pub hits: u64,
    pub rebuilt: bool,
}

/// Brings the detection projection up to date.
pub fn update(ledger: &mut dyn Ledger, detector: &Detector, rebuild: bool) -> Result<Summary> {
    // "hits 2": rows carry the dated year (a store written before is
    // detected again).
    let version = format!(
        "{} {} #{} (hits 2)",
        detector.name, detector.version, detector.fingerprint
    );
    let state = ledger.projection_state(PROJECTION)?;
    let rebuilt = rebuild || state.as_ref().is_none_or(|(_, v)| *v != version);
    let mut cursor = match (&state, rebuilt) {
        (Some((seq, _)), false) => *seq,
        _ => {
            ledger.clear_hits()?;
            0
        }
    };
    let mut summary = Summary {
        reports: 0,
        hits: 0,
        rebuilt,
    };
    let progress = crate::output::progress("detecting".into());
    loop {
        let reports = ledger.reports_after(cursor, CHUNK)?;
        let Some(last) = reports.last().map(|r| r.seq) else {
            break;
        };
        let mut batch = Vec::with_capacity(reports.len());
        for stored in &reports {
            // Validation is deterministic: re-reading gives the report as
            // accepted. (A stored report always re-reads; skip defensively.)
            let Ok(accepted) = sightline_model::reread(&stored.body, stored.received_at) else {
                tracing::warn!(
                    "ledger entry {} no longer reads as a report; skipped",
                    stored.seq
                );
                continue;
            };
            let hits = sightline_detect::detect_report(detector, &accepted.report);
            summary.hits += hits.len() as u64;
            batch.push(ReportHits {
                key: stored.key.clone(),
                seq: stored.seq,
                event_at: accepted.report.event_time().instant,
                hits: hits.iter().map(row).collect(),
            });
        }
        ledger.replace_hits(&batch)?;
        summary.reports += reports.len() as u64;
        cursor = last;
        ledger.set_projection_state(PROJECTION, cursor, &version)?;
        progress.set_position(summary.reports);
    }
    progress.finish_and_clear();
    Ok(summary)
}

pub fn run(globals: &Globals, detector: &Detector, rebuild: bool, json: bool) -> Result<ExitCode> {
    let mut ledger = globals.open_existing_store()?;
    let summary = update(&mut ledger, detector, rebuild)?;
    let counts = ledger.indicator_counts()?;
    let mut out = crate::output::open(None)?;
    if json {
        for c in &counts {
            serde_json::to_writer(&mut out, c)?;
            writeln!(out)?;
        }
    } else {
        writeln!(
            out,
            "{} reports read{} ({} {}), {} hits",
            summary.reports,
            if summary.rebuilt {
                " from the start"
            } else {
                " since the last run"
            },
            detector.name,
            detector.version,
            summary.hits
        )?;
        writeln!(out, "indicator  tier  present  reports  negated")?;
        for c in &counts {
            writeln!(
                out,
                "{:<10} {:<5} {:>7}  {:>7}  {:>7}",
                c.indicator, c.tier, c.present, c.reports, c.negated
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

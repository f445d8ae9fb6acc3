//! `sightline demo`: builds a demonstration store from data shipped in the
//! binary and shows what each stage that exists does with it.
//!
//! The data: a small town made by the simulator (every agency's reports
//! over three years), plus two example feeds shipped in `examples/` with the
//! mistakes real feeds carry (a damaged JSON Lines file and a school's CSV
//! export with its own headers).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use jiff::Timestamp;
use sightline_ingest::{CsvMapping, Format};
use sightline_ledger::{Ledger, SqliteLedger};

use crate::Globals;
use crate::ingest::{SourceSpec, ingest_source};

const FEED_NAME: &str = "riverton-feed.jsonl";
const FEED: &str = include_str!("../examples/riverton-feed.jsonl");
const SCHOOL_CSV_NAME: &str = "riverton-school.csv";
const SCHOOL_CSV: &str = include_str!("../examples/riverton-school.csv");
const SCHOOL_MAPPING: &str = include_str!("../examples/riverton-school.mapping.toml");
const TEAMS: &str = include_str!("../examples/teams.toml");
const ROUTES: &str = include_str!("../examples/routes.toml");

/// The value of the store's `created_by` metadata for stores the demo made.
const CREATED_BY: &str = "sightline demo";

#[derive(Debug, Args)]
pub struct DemoArgs {}

pub fn run(globals: &Globals, _args: DemoArgs) -> Result<ExitCode> {
    // A temporary directory unless --store is given; the feed files are
    // written there too, so quarantine entries name real files.
    let work = tempfile::Builder::new()
        .prefix("sightline-demo-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let store_path = match &globals.store {
        Some(path) => path.clone(),
        None => work.path().join("demo.db"),
    };
    let mut ledger = open_demo_store(&store_path)?;
    let mut out = crate::output::open(None)?;

    writeln!(
        out,
        "Sightline demo: the towns of Riverton, Brookfield and Hallam Vale"
    )?;
    writeln!(
        out,
        "store: {}{}",
        store_path.display(),
        if globals.store.is_none() {
            " (temporary)"
        } else {
            ""
        }
    )?;
    writeln!(out)?;

    let feed = work.path().join(FEED_NAME);
    std::fs::write(&feed, FEED)?;
    let csv = work.path().join(SCHOOL_CSV_NAME);
    std::fs::write(&csv, SCHOOL_CSV)?;
    let mapping = CsvMapping::parse(SCHOOL_MAPPING, "riverton-school.mapping.toml")?;

    writeln!(
        out,
        "1. Simulate: three years of a town's records across agencies"
    )?;
    let town = work.path().join("town");
    let cfg = sightline_sim::SimConfig {
        children: 800,
        years: 3,
        ..sightline_sim::SimConfig::default()
    };
    let tally = sightline_sim::simulate(&cfg, &town).context("cannot simulate the demo town")?;
    for line in tally.describe().iter().take(3) {
        writeln!(out, "   {line}")?;
    }
    writeln!(out)?;

    writeln!(out, "2. Ingest: every agency's reports into the ledger")?;
    let received_at = Timestamp::now();
    for spec in [
        SourceSpec {
            name: path_name(&town.join("reports.jsonl")),
            format: Format::JsonLines,
            mapping: CsvMapping::default(),
        },
        SourceSpec {
            name: path_name(&feed),
            format: Format::JsonLines,
            mapping: CsvMapping::default(),
        },
        SourceSpec {
            name: path_name(&csv),
            format: Format::Csv,
            mapping,
        },
    ] {
        let tally = ingest_source(&mut ledger, &spec, received_at, false)?;
        let short = Path::new(&spec.name)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        writeln!(out, "   {short}: {}", tally.summary())?;
    }
    writeln!(out)?;

    writeln!(out, "3. What the ledger holds")?;
    let stats = ledger.stats(globals.as_of)?;
    let mut text = Vec::new();
    crate::stats::write_text(&mut text, &stats)?;
    for line in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "   {line}")?;
    }
    writeln!(out)?;

    writeln!(
        out,
        "4. Quarantined, kept with the reason (`sightline quarantine list`)"
    )?;
    for e in ledger.quarantine_list(false)?.iter().rev() {
        let file = Path::new(&e.source)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        writeln!(out, "   #{} {}:{}", e.id, file, e.line)?;
        for r in &e.reasons {
            writeln!(out, "      - {r}")?;
        }
    }
    writeln!(out)?;

    writeln!(
        out,
        "5. Accepted with warnings: doubtful values kept but not used as evidence"
    )?;
    let mut shown = 0;
    ledger.for_each_report(globals.as_of, &mut |r| {
        if shown < 6 && !r.warnings.is_empty() {
            for w in r.warnings.iter().take(2) {
                let _ = writeln!(out, "   {}: {w}", r.key);
            }
            shown += 1;
        }
        Ok(())
    })?;
    writeln!(out)?;

    writeln!(
        out,
        "6. Detect: exploitation indicators in coded fields and narratives"
    )?;
    let (_, detector) = crate::detect::detector(None)?;
    let summary = crate::detect_store::update(&mut ledger, &detector, false)?;
    writeln!(
        out,
        "   {} reports read, {} hits ({} {})",
        summary.reports, summary.hits, detector.name, detector.version
    )?;
    writeln!(out, "   most frequent (present / negated):")?;
    for c in ledger.indicator_counts()?.iter().take(8) {
        let title = sightline_detect::load_rules(None)
            .ok()
            .and_then(|f| f.indicators.into_iter().find(|i| i.id == c.indicator))
            .map(|i| i.title)
            .unwrap_or_default();
        writeln!(
            out,
            "     {:<4} {:>5} / {:<4} {title}",
            c.indicator, c.present, c.negated
        )?;
    }
    // One narrative with its hits: the first report with the most kinds of
    // indicator, so the example shows context at work.
    let mut best: Option<(usize, sightline_ledger::StoredReport)> = None;
    ledger.for_each_report(globals.as_of, &mut |r| {
        if let Ok(a) = sightline_model::reread(&r.body, r.received_at) {
            let kinds = sightline_detect::detect_report(&detector, &a.report)
                .iter()
                .filter(|h| h.start.is_some())
                .map(|h| h.indicator.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            if best.as_ref().is_none_or(|(k, _)| kinds > *k) {
                best = Some((kinds, r));
            }
        }
        Ok(())
    })?;
    if let Some((_, r)) = best
        && let Ok(a) = sightline_model::reread(&r.body, r.received_at)
    {
        let narrative = a.report.narrative.clone().unwrap_or_default();
        writeln!(out, "   example: {} ({})", r.key, a.report.kind)?;
        writeln!(out, "     \"{narrative}\"")?;
        for hit in sightline_detect::detect_report(&detector, &a.report) {
            writeln!(out, "     {}", crate::detect::describe(&hit, &narrative))?;
        }
    }
    writeln!(out)?;

    writeln!(
        out,
        "7. Link: every person mention resolved to a person, with the reasons"
    )?;
    let linked = crate::link::update(&mut ledger, globals.as_of, false)?;
    let linker = &linked.linker;
    let persons = linker.persons().count();
    let agencies_of = |p: u32| {
        linker
            .members(p)
            .iter()
            .map(|&m| linked.mentions[m as usize].parts[0].clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let multi_agency = linker
        .persons()
        .filter(|&p| agencies_of(p).len() >= 2)
        .count();
    writeln!(
        out,
        "   {} person mentions -> {persons} people; {multi_agency} of them known to two or more agencies",
        linked.mentions.len()
    )?;
    if let Some(&(record, best)) = demo_link_example(linker).first() {
        writeln!(
            out,
            "   example (`sightline explain pair`): a link no exact match would make"
        )?;
        let mut text = Vec::new();
        crate::link::explain_pair(&mut text, linker, record, best)?;
        for line in String::from_utf8_lossy(&text).lines() {
            writeln!(out, "   {line}")?;
        }
    }
    writeln!(out)?;

    writeln!(
        out,
        "8. Assess: each child's whole picture, and concerns when it is warranted"
    )?;
    // The simulated towns' team directory and routing table go in first,
    // so that one assessment serves this section and the routing below.
    let directory = sightline_route::Directory::parse(TEAMS, "teams.toml")?;
    let router = sightline_route::Router::parse(ROUTES, "routes.toml", &directory, None)?;
    crate::route::record_config(
        &mut ledger,
        crate::route::TEAMS_LOADED,
        CREATED_BY,
        "teams.toml",
        &directory.version,
        TEAMS,
    )?;
    crate::route::record_config(
        &mut ledger,
        crate::route::ROUTES_LOADED,
        CREATED_BY,
        "routes.toml",
        router.version(),
        ROUTES,
    )?;
    let assessed = crate::assess::update_store(&mut ledger, globals.as_of, &Default::default(), 0)?;
    let mut text = Vec::new();
    crate::assess::print_summary(&mut text, &assessed, 6)?;
    for line in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "   {line}")?;
    }
    // One child's explained assessment: the concern raised by the child's
    // own assessment with the most patterns behind it.
    let a = &assessed.assessor;
    let example = a
        .concerns()
        .into_iter()
        .filter(|c| c.raised_by == sightline_assess::RaisedBy::Assessment)
        .max_by_key(|c| (c.latest.patterns.len(), std::cmp::Reverse(c.raised_report)));
    if let Some(c) = example {
        writeln!(
            out,
            "   example (`sightline explain assessment {}`):",
            c.person_id
        )?;
        let mut text = Vec::new();
        crate::assess::explain_person(&mut text, &assessed, &c.person_id)?;
        for line in String::from_utf8_lossy(&text).lines() {
            writeln!(out, "     {line}")?;
        }
    }
    writeln!(out)?;

    writeln!(
        out,
        "9. Network: adults, cars, phones and places around children at risk (`sightline network`)"
    )?;
    let summary = a.network_summary();
    let label = |n: u32| crate::assess::node_label(&assessed, n);
    for g in summary.groups.iter().take(3) {
        writeln!(out, "   {}", crate::assess::describe_group(g))?;
    }
    for r in summary.adults.iter().take(5) {
        writeln!(
            out,
            "   adult {:<36} linked to {} children at risk{}",
            label(r.node),
            r.children.len() + r.via_objects.len(),
            if r.adult_of_concern {
                " (adult of concern)"
            } else {
                ""
            }
        )?;
    }
    writeln!(out)?;

    writeln!(
        out,
        "10. Route: every concern to the team responsible for the child (`sightline concerns --team T`)"
    )?;
    let cfg = crate::route::config(&ledger, globals.as_of)?;
    let now = globals.as_of.or(a.now()).unwrap_or_else(Timestamp::now);
    let mut inbox: std::collections::BTreeMap<String, Vec<&sightline_assess::engine::Concern>> =
        Default::default();
    for c in a.concerns() {
        let team = assessed
            .workflows
            .get(&c.concern_id)
            .and_then(|w| w.team.clone())
            .unwrap_or_else(|| "unrouted queue (administrators)".into());
        inbox.entry(team).or_default().push(c);
    }
    for (team, concerns) in &inbox {
        let name = directory
            .team(team)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| team.clone());
        let overdue = concerns
            .iter()
            .filter(|c| {
                assessed
                    .workflows
                    .get(&c.concern_id)
                    .is_some_and(|w| !w.overdue(&cfg.levels, &cfg.calendar, now).is_empty())
            })
            .count();
        let names: Vec<String> = concerns
            .iter()
            .take(3)
            .map(|c| {
                let name = assessed
                    .names
                    .get(&c.person_id)
                    .cloned()
                    .unwrap_or_default();
                if c.band == c.tier {
                    format!("{name} ({})", c.band)
                } else {
                    format!("{name} (now {}, was {})", c.band, c.tier)
                }
            })
            .collect();
        writeln!(
            out,
            "   {name}: {} {}, {overdue} past their clock; {}{}",
            concerns.len(),
            if concerns.len() == 1 {
                "concern"
            } else {
                "concerns"
            },
            names.join(", "),
            if concerns.len() > 3 { ", ..." } else { "" }
        )?;
    }
    let owed: usize = assessed
        .workflows
        .values()
        .map(|w| {
            w.escalations_due(&directory, &cfg.levels, &cfg.calendar, now)
                .len()
        })
        .sum();
    writeln!(
        out,
        "   nobody has acknowledged anything in this demo: `sightline tick` would record {owed} escalations up the teams' chains"
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "The web application is not built yet; see ARCHITECTURE.md."
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Links made despite a nickname or misspelling and a wrong or swapped birth
/// date, across agencies: the cases the demo should show.
fn demo_link_example(linker: &sightline_link::Linker) -> Vec<(u32, u32)> {
    use sightline_link::Field;
    let mut out = Vec::new();
    for record in 0..linker.len() as u32 {
        let a = linker.assignment(record);
        let (Some(best), false) = (a.best_match, a.by_decision) else {
            continue;
        };
        let agency = |r: u32| linker.id(r).split('/').next().unwrap_or("").to_string();
        if agency(record) == agency(best) {
            continue;
        }
        let (c, _) = linker.field_weights(linker.record(record), linker.record(best));
        let given = c.gamma[Field::Given.index()];
        let birth = c.gamma[Field::Birth.index()];
        if (1..=5).contains(&given) && (1..=2).contains(&birth) {
            out.push((record, best));
        }
    }
    out
}

fn path_name(p: &Path) -> String {
    p.display().to_string()
}

/// Opens the demo store, refusing a store that the demo did not create.
fn open_demo_store(path: &Path) -> Result<SqliteLedger> {
    if path.exists() {
        let refuse = || {
            anyhow::anyhow!(
                "{} is an existing store that `sightline demo` did not create; the demo will not write into it (choose another --store, or none for a temporary one)",
                path.display()
            )
        };
        let ledger = SqliteLedger::open_existing(path).map_err(|_| refuse())?;
        if ledger.meta("created_by")?.as_deref() != Some(CREATED_BY) {
            return Err(refuse());
        }
        Ok(ledger)
    } else {
        let mut ledger = SqliteLedger::open(path)
            .with_context(|| format!("cannot open the store {}", path.display()))?;
        ledger.set_meta("created_by", CREATED_BY)?;
        Ok(ledger)
    }
}

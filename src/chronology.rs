//! `sightline chronology PERSON`: every report about one person from every
//! agency, in time order, with kind, agency, outcome, the indicators found
//! and the people, vehicles, phones and places linked to it. As text, and
//! as JSON for the web application.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use sightline_detect::Experiencer;
use sightline_ledger::Ledger;
use sightline_link::{mention_id, objects_of, parse_mention_id};

use crate::Globals;

#[derive(Debug, Args)]
pub struct ChronologyArgs {
    /// A person id (`P-...`) or any of the person's mention ids.
    id: String,
    /// One JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// An organisation's rule overrides for the indicators shown.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Indicator {
    indicator: String,
    tier: String,
    negated: bool,
    hedged: bool,
    historical: bool,
    experiencer: &'static str,
    evidence: String,
    /// The flags in plain words, for the text form.
    #[serde(skip)]
    flags: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct Linked {
    kind: &'static str,
    /// Person or entity id.
    id: String,
    label: String,
    role: Option<String>,
}

#[derive(Debug, Serialize)]
struct Entry {
    /// When it happened (`occurred_at`, else `recorded_at`).
    at: String,
    recorded_at: String,
    agency: String,
    system: String,
    record_id: String,
    kind: String,
    /// The person's role in the report.
    role: String,
    outcome: Option<String>,
    outcome_text: Option<String>,
    indicators: Vec<Indicator>,
    linked: Vec<Linked>,
}

#[derive(Debug, Serialize)]
struct Chronology {
    person_id: String,
    names: Vec<String>,
    mentions: usize,
    agencies: Vec<String>,
    entries: Vec<Entry>,
}

pub fn run(globals: &Globals, args: ChronologyArgs) -> Result<ExitCode> {
    let mut ledger = globals.open_existing_store()?;
    let linked = crate::link::update(&mut ledger, globals.as_of, false)?;
    let linker = &linked.linker;
    let person = linked
        .resolve(&args.id)
        .with_context(|| format!("no person or person mention `{}` in the store", args.id))?;
    let person_id = linked.person_ids.get(&person).cloned().unwrap_or_default();
    // The reports the person is in, with the refs they appear as.
    let mut refs_in: HashMap<(String, String, String), Vec<String>> = HashMap::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for &m in linker.members(person) {
        if let Some([agency, system, record_id, person_ref]) = parse_mention_id(linker.id(m)) {
            refs_in
                .entry((agency, system, record_id))
                .or_default()
                .push(person_ref);
        }
        let name = linker.record(m).full_name();
        if !name.is_empty() {
            *names.entry(name).or_default() += 1;
        }
    }
    let (_, detector) = crate::detect::detector(args.rules.as_deref())?;
    // Only the person's own reports are read again; everything linked to
    // them was resolved by the linking pass.
    let mut reports = Vec::new();
    ledger.for_each_report(globals.as_of, &mut |stored| {
        let key = (
            stored.key.agency.as_str().to_string(),
            stored.key.system.clone(),
            stored.key.record_id.clone(),
        );
        if refs_in.contains_key(&key)
            && let Ok(accepted) = sightline_model::reread(&stored.body, stored.received_at)
        {
            reports.push(accepted.report);
        }
        Ok(())
    })?;
    let entity_of: HashMap<&str, &str> = linked
        .objects
        .iter()
        .map(|l| (l.mention.as_str(), l.entity.as_str()))
        .collect();

    let mut entries = Vec::new();
    for report in &reports {
        let key = report.source.key();
        let agency = key.agency.as_str().to_string();
        let own = &refs_in[&(agency.clone(), key.system.clone(), key.record_id.clone())];
        let role = report
            .people
            .iter()
            .filter(|p| own.contains(&p.ref_))
            .map(|p| p.role.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ");
        let indicators = sightline_detect::detect_report(&detector, report)
            .into_iter()
            .map(|h| Indicator {
                indicator: h.indicator.clone(),
                tier: h.tier.as_str().to_string(),
                negated: h.negated,
                hedged: h.hedged,
                historical: h.historical,
                experiencer: match h.experiencer {
                    Experiencer::Subject => "subject",
                    Experiencer::Other => "other",
                },
                evidence: h.sentence.clone(),
                flags: crate::detect::flags(&h),
            })
            .collect();
        let mut others = Vec::new();
        for p in report.people.iter().filter(|p| !own.contains(&p.ref_)) {
            let id = mention_id(&agency, &key.system, &key.record_id, &p.ref_);
            let Some(r) = linker.find(&id) else { continue };
            others.push(Linked {
                kind: "person",
                id: linked.person_id_of(r).to_string(),
                label: linker.record(r).full_name(),
                role: Some(p.role.as_str().to_string()),
            });
        }
        for o in objects_of(report) {
            if let Some(entity) = entity_of.get(o.id.as_str()) {
                others.push(Linked {
                    kind: o.kind.as_str(),
                    id: entity.to_string(),
                    label: o.label.clone(),
                    role: None,
                });
            }
        }
        entries.push(Entry {
            at: report.event_time().instant.to_string(),
            recorded_at: report.recorded_at.instant.to_string(),
            agency,
            system: key.system.clone(),
            record_id: key.record_id.clone(),
            kind: report.kind.as_str().to_string(),
            role,
            outcome: report
                .outcome
                .as_ref()
                .and_then(|o| o.action)
                .map(|a| a.as_str().to_string()),
            outcome_text: report.outcome.as_ref().and_then(|o| o.text.clone()),
            indicators,
            linked: others,
        });
    }
    entries.sort_by(|a, b| {
        (&a.at, &a.recorded_at, &a.agency, &a.record_id).cmp(&(
            &b.at,
            &b.recorded_at,
            &b.agency,
            &b.record_id,
        ))
    });
    let mut names: Vec<(String, usize)> = names.into_iter().collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let chronology = Chronology {
        person_id,
        names: names.into_iter().map(|(n, _)| n).collect(),
        mentions: linker.members(person).len(),
        agencies: entries
            .iter()
            .map(|e| e.agency.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        entries,
    };
    let mut out = crate::output::open(None)?;
    if args.json {
        serde_json::to_writer_pretty(&mut out, &chronology)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &chronology)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_text(out: &mut dyn Write, c: &Chronology) -> Result<()> {
    writeln!(
        out,
        "{} — {} ({} mentions in {} reports from {})",
        c.person_id,
        c.names.first().map(String::as_str).unwrap_or("(no name)"),
        c.mentions,
        c.entries.len(),
        c.agencies.join(", ")
    )?;
    if c.names.len() > 1 {
        writeln!(out, "  also written: {}", c.names[1..].join("; "))?;
    }
    for e in &c.entries {
        let outcome = match (&e.outcome, &e.outcome_text) {
            (Some(a), Some(t)) => format!("  outcome: {a} ({t})"),
            (Some(a), None) => format!("  outcome: {a}"),
            (None, Some(t)) => format!("  outcome: {t}"),
            (None, None) => "  no outcome recorded".to_string(),
        };
        writeln!(
            out,
            "{}  {:<15} {:<22} as {}{}",
            e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
            e.agency,
            e.kind,
            e.role,
            outcome
        )?;
        let mut present: Vec<String> = e
            .indicators
            .iter()
            .map(|i| {
                if i.flags.is_empty() {
                    i.indicator.clone()
                } else {
                    format!("{} ({})", i.indicator, i.flags.join(", "))
                }
            })
            .collect();
        let mut seen = BTreeSet::new();
        present.retain(|p| seen.insert(p.clone()));
        if !present.is_empty() {
            writeln!(out, "      indicators: {}", present.join(", "))?;
        }
        if !e.linked.is_empty() {
            let with: Vec<String> = e
                .linked
                .iter()
                .map(|l| match &l.role {
                    Some(r) => format!("{} {} ({r})", l.id, l.label),
                    None => format!("{} {} ({})", l.kind, l.label, l.id),
                })
                .collect();
            writeln!(out, "      with: {}", with.join("; "))?;
        }
    }
    Ok(())
}

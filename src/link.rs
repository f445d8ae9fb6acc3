//! `sightline link`, `decide`, `explain` and `export links`: identity
//! resolution over the store. The linking projection is a deterministic
//! replay of the current person mentions, in ledger order, through the
//! incremental linker with the stored model and every analyst decision; the
//! model is fitted (without labels) on the first run and on `--rebuild`.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use sightline_ledger::{Ledger, LinkRow, NewDecision};
use sightline_link::{
    Assertion, Field, LinkConfig, LinkRecord, Linker, Model, NameTable, ObjectLink, ObjectMention,
    mention_id, objects_of, parse_mention_id, probability, record_of, resolve_objects,
};

use crate::Globals;

const PROJECTION: &str = "link";
const MODEL_KEY: &str = "link_model";
const SAME: &str = "link_same";
const DIFFERENT: &str = "link_different";

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Fit the model again from every mention and relink from scratch.
    #[arg(long)]
    rebuild: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DecideCommand {
    /// Two mentions are the same person (binding on every later linking run).
    Same(DecideArgs),
    /// Two mentions are different people.
    Different(DecideArgs),
    /// Every linking decision, oldest first.
    List,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// A mention id: AGENCY/SYSTEM/RECORD_ID/REF, parts percent-encoded.
    a: String,
    b: String,
    /// Why: recorded with the decision.
    #[arg(long)]
    reason: String,
}

#[derive(Debug, Subcommand)]
pub enum ExplainCommand {
    /// Why two mentions are, or are not, the same person.
    Pair { a: String, b: String },
    /// How a person's mentions were linked (a person id or one of its
    /// mention ids).
    Person { id: String },
    /// A child's assessment in plain words: indicators, weights, overrides,
    /// patterns, and their concern's history.
    Assessment {
        /// A person id or one of the person's mention ids.
        id: String,
        #[command(flatten)]
        rules: crate::assess::RuleArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The person-links CSV: agency,system,record_id,ref,person_id.
    Links {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Concerns as JSON Lines (the report format's concerns export).
    Concerns {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        rules: crate::assess::RuleArgs,
    },
    /// Vehicles, phones and places resolved to entities:
    /// agency,system,record_id,ref,kind,entity_id,reason.
    Objects {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// One mention loaded from the store.
pub struct Mention {
    pub id: String,
    pub seq: u64,
    pub parts: [String; 4],
}

/// The linked state of the store.
pub struct Linked {
    pub linker: Linker,
    pub mentions: Vec<Mention>,
    /// Stable person id of each internal person.
    pub person_ids: HashMap<u32, String>,
    pub refitted: bool,
    /// Every vehicle, phone and place mention and its entity.
    pub objects: Vec<ObjectLink>,
    /// The last ledger entry read, and the model and decisions linked with:
    /// later projections depend on both.
    pub last_seq: u64,
    pub version: String,
}

impl Linked {
    pub fn person_id_of(&self, record: u32) -> &str {
        self.person_ids
            .get(&self.linker.person_of(record))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Internal person of a person id or mention id.
    pub fn resolve(&self, id: &str) -> Option<u32> {
        if let Some(r) = self.linker.find(id) {
            return Some(self.linker.person_of(r));
        }
        self.person_ids
            .iter()
            .find(|(_, pid)| pid.as_str() == id)
            .map(|(p, _)| *p)
    }
}

/// Everything linking reads from the store, in one pass over the current
/// reports.
struct Loaded {
    mentions: Vec<Mention>,
    records: Vec<LinkRecord>,
    objects: Vec<ObjectMention>,
    last_seq: u64,
}

/// Shown each current report as linking reads it.
type Visit<'a, 'f> =
    &'a mut (dyn FnMut(&sightline_ledger::StoredReport, &sightline_model::Report) + 'f);

fn load(
    ledger: &dyn Ledger,
    as_of: Option<jiff::Timestamp>,
    mut visit: Option<Visit>,
) -> Result<Loaded> {
    // Sized once for about two people a report: growing by doubling copies
    // every record again, while room never used costs nothing (the OS
    // gives memory only where it is written).
    let reports = usize::try_from(ledger.current_report_count()?).unwrap_or(0);
    let mut loaded = Loaded {
        mentions: Vec::with_capacity(reports * 2),
        records: Vec::with_capacity(reports * 2),
        objects: Vec::with_capacity(reports * 2),
        last_seq: 0,
    };
    let mut chunk = Vec::with_capacity(LOAD_CHUNK);
    ledger.for_each_report(as_of, &mut |stored| {
        chunk.push(stored);
        if chunk.len() == LOAD_CHUNK {
            take_chunk(
                &mut loaded,
                std::mem::take(&mut chunk),
                visit.as_deref_mut(),
            );
        }
        Ok(())
    })?;
    take_chunk(&mut loaded, chunk, visit);
    Ok(loaded)
}

/// Reports re-read together on all cores: reading each report again
/// (parsing and checking its JSON) and taking its mentions out is most of
/// the cost of loading, and each report's is independent of the others'.
const LOAD_CHUNK: usize = 2048;

/// One report re-read: its person mentions (ids and records) and objects,
/// and the report itself when someone is to be shown it.
struct ReadAgain {
    seq: u64,
    report: Option<sightline_model::Report>,
    mentions: Vec<(Mention, LinkRecord)>,
    objects: Vec<ObjectMention>,
}

fn take_chunk(
    loaded: &mut Loaded,
    chunk: Vec<sightline_ledger::StoredReport>,
    visit: Option<Visit<'_, '_>>,
) {
    match visit {
        Some(visit) => {
            let read: Vec<_> = chunk.par_iter().map(|s| read_again(s, true)).collect();
            for (stored, read) in chunk.iter().zip(read) {
                if let Some(report) = loaded.take(read) {
                    visit(stored, &report);
                }
            }
        }
        // Nobody to show the reports to: each is dropped where it was read,
        // on all cores, not one by one here.
        None => {
            let read: Vec<_> = chunk
                .into_par_iter()
                .map(|s| read_again(&s, false))
                .collect();
            for read in read {
                loaded.take(read);
            }
        }
    }
}

impl Loaded {
    /// Keeps one re-read report's mentions and objects; gives back the
    /// report when it was kept.
    fn take(&mut self, read: Result<ReadAgain, u64>) -> Option<sightline_model::Report> {
        let read = match read {
            Ok(read) => read,
            Err(seq) => {
                self.last_seq = self.last_seq.max(seq);
                // A stored report always re-reads (validation is deterministic).
                tracing::warn!("ledger entry {seq} no longer reads as a report; skipped");
                return None;
            }
        };
        self.last_seq = self.last_seq.max(read.seq);
        for (mention, record) in read.mentions {
            self.mentions.push(mention);
            self.records.push(record);
        }
        self.objects.extend(read.objects);
        read.report
    }
}

fn read_again(stored: &sightline_ledger::StoredReport, keep: bool) -> Result<ReadAgain, u64> {
    let report = sightline_model::reread(&stored.body, stored.received_at)
        .map_err(|_| stored.seq)?
        .report;
    let key = &stored.key;
    let mentions = report
        .people
        .iter()
        .map(|p| {
            let parts = [
                key.agency.as_str().to_string(),
                key.system.clone(),
                key.record_id.clone(),
                p.ref_.clone(),
            ];
            let mention = Mention {
                id: mention_id(&parts[0], &parts[1], &parts[2], &parts[3]),
                seq: stored.seq,
                parts,
            };
            (mention, record_of(&report, p))
        })
        .collect();
    let objects = objects_of(&report);
    Ok(ReadAgain {
        seq: stored.seq,
        report: keep.then_some(report),
        mentions,
        objects,
    })
}

/// The linking projection's version when it is current: no report and no
/// linking decision has arrived since it was written. (A rebuild rewrites
/// the model and the projection together.)
pub fn current_version(ledger: &dyn Ledger) -> Result<Option<(u64, String)>> {
    let Some((seq, version)) = ledger.projection_state(PROJECTION)? else {
        return Ok(None);
    };
    if !ledger.reports_after(seq, 1)?.is_empty() {
        return Ok(None);
    }
    let last_decision = ledger
        .decisions(&[SAME, DIFFERENT])?
        .last()
        .map_or(0, |d| d.seq);
    if !version.ends_with(&format!(" d{last_decision}")) {
        return Ok(None);
    }
    Ok(Some((seq, version)))
}

fn person_id(first_mention: &str) -> String {
    let digest = Sha256::digest(first_mention.as_bytes());
    format!("P-{}", &hex::encode(digest)[..10])
}

fn model_version(model_json: &str) -> String {
    hex::encode(Sha256::digest(model_json.as_bytes()))[..12].to_string()
}

/// Links every current mention and brings the projection up to date.
pub fn update(
    ledger: &mut dyn Ledger,
    as_of: Option<jiff::Timestamp>,
    rebuild: bool,
) -> Result<Linked> {
    update_with(ledger, as_of, rebuild, None)
}

/// [`update`], showing each current report to `visit` on the way (later
/// stages read the reports in the same pass).
pub fn update_visiting(
    ledger: &mut dyn Ledger,
    as_of: Option<jiff::Timestamp>,
    rebuild: bool,
    visit: Visit,
) -> Result<Linked> {
    update_with(ledger, as_of, rebuild, Some(visit))
}

fn update_with(
    ledger: &mut dyn Ledger,
    as_of: Option<jiff::Timestamp>,
    rebuild: bool,
    visit: Option<Visit>,
) -> Result<Linked> {
    let t0 = std::time::Instant::now();
    let Loaded {
        mentions,
        records,
        objects,
        last_seq,
    } = load(ledger, as_of, visit)?;
    tracing::debug!(elapsed = ?t0.elapsed(), mentions = mentions.len(), "linking: reports read");
    let names = NameTable::default_table();
    let cfg = LinkConfig::default();
    // Blocking keys, contents and the blocking index: built once for the fit
    // and the linking both.
    let prepared = sightline_link::Prepared::new(&records, &names, &cfg);
    let stored_model = match ledger.meta(MODEL_KEY)? {
        Some(json) if !rebuild => serde_json::from_str::<Model>(&json).ok(),
        _ => None,
    };
    let refitted = stored_model.is_none();
    let model = match stored_model {
        // The fitted m and u are kept; how common each name is and how
        // likely two mentions are one person (λ) describe the population,
        // so they follow the data.
        Some(mut m) if records.len() >= cfg.min_fit => {
            m.set_term_frequencies(sightline_link::model::TermFrequencies::from_records(
                &records,
            ));
            m.lambda =
                sightline_link::estimate_lambda_prepared(&m, &records, &names, &cfg, &prepared);
            m
        }
        Some(m) => m,
        None => {
            let t = std::time::Instant::now();
            let (model, _) = sightline_link::fit_prepared(&records, &names, &cfg, &prepared);
            tracing::debug!(elapsed = ?t.elapsed(), "linking: model fitted");
            if as_of.is_none() {
                ledger.set_meta(MODEL_KEY, &serde_json::to_string(&model)?)?;
            }
            model
        }
    };
    let decisions = ledger.decisions(&[SAME, DIFFERENT])?;
    // The projection is a function of the reports (up to `last_seq`), the
    // model and the decisions: when none has changed it is not rewritten.
    let version = format!(
        "{} d{}",
        model_version(&serde_json::to_string(&model)?),
        decisions.last().map_or(0, |d| d.seq)
    );
    let mut linker = Linker::new(model, names, cfg);
    for d in decisions {
        if as_of.is_some_and(|t| d.at > t) {
            continue;
        }
        let (Some(a), Some(b)) = (d.body["a"].as_str(), d.body["b"].as_str()) else {
            continue;
        };
        let assertion = if d.decision == SAME {
            Assertion::Same
        } else {
            Assertion::Different
        };
        linker.decide(a, b, assertion);
    }
    let t = std::time::Instant::now();
    linker.add_all_prepared(mentions.iter().map(|m| m.id.clone()).zip(records), prepared);
    tracing::debug!(elapsed = ?t.elapsed(), "linking: mentions linked");
    let mut person_ids = HashMap::new();
    let mut taken: HashMap<String, u32> = HashMap::new();
    for p in linker.persons() {
        let base = person_id(linker.id(linker.members(p)[0]));
        let mut id = base.clone();
        let mut n = 1;
        while taken.contains_key(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        taken.insert(id.clone(), p);
        person_ids.insert(p, id);
    }
    let linked = Linked {
        linker,
        mentions,
        person_ids,
        refitted,
        objects: resolve_objects(&objects),
        last_seq,
        version: version.clone(),
    };
    let unchanged = ledger.projection_state(PROJECTION)? == Some((last_seq, version.clone()));
    if as_of.is_none() && !unchanged {
        let rows: Vec<LinkRow> = linked
            .mentions
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let record = i as u32;
                let a = linked.linker.assignment(record);
                LinkRow {
                    mention_id: m.id.clone(),
                    agency: m.parts[0].clone(),
                    system: m.parts[1].clone(),
                    record_id: m.parts[2].clone(),
                    person_ref: m.parts[3].clone(),
                    person_id: linked.person_id_of(record).to_string(),
                    seq: m.seq,
                    weight: a.weight,
                    best_match: a.best_match.map(|b| linked.linker.id(b).to_string()),
                    by_decision: a.by_decision,
                }
            })
            .collect();
        let t = std::time::Instant::now();
        ledger.replace_links(&rows)?;
        tracing::debug!(elapsed = ?t.elapsed(), "linking: projection written");
        ledger.set_projection_state(PROJECTION, last_seq, &version)?;
    }
    Ok(linked)
}

pub fn run(globals: &Globals, args: LinkArgs) -> Result<ExitCode> {
    let mut ledger = globals.open_existing_store()?;
    let linked = update(&mut ledger, globals.as_of, args.rebuild)?;
    let persons = linked.linker.persons().count();
    let mentions = linked.mentions.len();
    let mut out = crate::output::open(None)?;
    if args.json {
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({
                "mentions": mentions,
                "persons": persons,
                "model_fitted": linked.refitted,
                "lambda": linked.linker.model.lambda,
                "notes": linked.linker.model.notes,
            }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{mentions} person mentions resolved to {persons} people{}",
            if linked.refitted {
                " (model fitted from these mentions)"
            } else {
                " (stored model)"
            }
        )?;
        for note in &linked.linker.model.notes {
            writeln!(out, "  model note: {note}")?;
        }
    }
    // The process ends next: freeing every record and index entry one by
    // one would take a tenth of a rebuild's time for nothing.
    std::mem::forget(linked);
    Ok(ExitCode::SUCCESS)
}

pub fn export(globals: &Globals, cmd: ExportCommand) -> Result<ExitCode> {
    match cmd {
        ExportCommand::Concerns { out, rules } => {
            crate::assess::export(globals, &rules, out.as_deref())
        }
        ExportCommand::Links { out } => {
            let mut ledger = globals.open_existing_store()?;
            if globals.as_of.is_none() && current_version(&ledger)?.is_some() {
                // The projection is current (nothing has arrived since the
                // last link): read it back rather than linking again, which
                // at a million mentions takes a minute and a half.
                let rows = ledger.links()?;
                write_links(
                    out.as_deref(),
                    rows.iter().map(|r| {
                        [
                            r.agency.as_str(),
                            &r.system,
                            &r.record_id,
                            &r.person_ref,
                            &r.person_id,
                        ]
                    }),
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            let linked = update(&mut ledger, globals.as_of, false)?;
            write_links(
                out.as_deref(),
                linked.mentions.iter().enumerate().map(|(i, m)| {
                    let [agency, system, record_id, person_ref] = &m.parts;
                    [
                        agency.as_str(),
                        system,
                        record_id,
                        person_ref,
                        linked.person_id_of(i as u32),
                    ]
                }),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Objects { out } => {
            let ledger = globals.open_existing_store()?;
            let links = resolve_objects(&load(&ledger, globals.as_of, None)?.objects);
            let sink = crate::output::open(out.as_deref())?;
            let mut w = csv::Writer::from_writer(sink);
            w.write_record([
                "agency",
                "system",
                "record_id",
                "ref",
                "kind",
                "entity_id",
                "reason",
            ])?;
            for l in &links {
                let parts = parse_mention_id(&l.mention).unwrap_or_default();
                w.write_record([
                    parts[0].as_str(),
                    &parts[1],
                    &parts[2],
                    &parts[3],
                    l.kind.as_str(),
                    &l.entity,
                    &l.reason,
                ])?;
            }
            w.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The person-links export: one row per mention (agency, system, record
/// id, ref, person id).
fn write_links<'a>(
    out: Option<&std::path::Path>,
    rows: impl Iterator<Item = [&'a str; 5]>,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(crate::output::open(out)?);
    w.write_record(["agency", "system", "record_id", "ref", "person_id"])?;
    for row in rows {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}

pub fn decide(globals: &Globals, cmd: DecideCommand) -> Result<ExitCode> {
    let mut ledger = globals.open_existing_store()?;
    let (args, kind) = match cmd {
        DecideCommand::List => {
            let mut out = crate::output::open(None)?;
            for d in ledger.decisions(&[SAME, DIFFERENT])? {
                writeln!(
                    out,
                    "#{} {} {} {} {} by {}: {}",
                    d.seq,
                    d.at,
                    if d.decision == SAME {
                        "same"
                    } else {
                        "different"
                    },
                    d.body["a"].as_str().unwrap_or("?"),
                    d.body["b"].as_str().unwrap_or("?"),
                    d.actor,
                    d.body["reason"].as_str().unwrap_or("")
                )?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        DecideCommand::Same(a) => (a, SAME),
        DecideCommand::Different(a) => (a, DIFFERENT),
    };
    let actor = globals.actor()?;
    if args.reason.trim().is_empty() {
        bail!("--reason must say why (it is kept with the decision)");
    }
    if args.a == args.b {
        bail!("the two mentions are the same mention");
    }
    for id in [&args.a, &args.b] {
        let Some([agency, system, record_id, person_ref]) = parse_mention_id(id) else {
            bail!(
                "`{id}` is not a mention id (AGENCY/SYSTEM/RECORD_ID/REF, with `/` inside a part written %2F and `%` written %25)"
            );
        };
        if !mention_exists(&ledger, &agency, system, record_id, &person_ref)? {
            bail!("no person mention `{id}` in the store (`sightline export links` lists them)");
        }
    }
    let seq = ledger.append_decision(NewDecision {
        decision: kind.to_string(),
        actor,
        at: jiff::Timestamp::now(),
        body: serde_json::json!({"a": args.a, "b": args.b, "reason": args.reason}),
    })?;
    let linked = update(&mut ledger, None, false)?;
    let (a, b) = (
        linked.linker.find(&args.a).context("mention vanished")?,
        linked.linker.find(&args.b).context("mention vanished")?,
    );
    let mut out = crate::output::open(None)?;
    writeln!(
        out,
        "recorded as ledger entry #{seq}; {} is now {} and {} is {}",
        args.a,
        linked.person_id_of(a),
        args.b,
        linked.person_id_of(b)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Whether the current version of a report has a person with this ref.
fn mention_exists(
    ledger: &dyn Ledger,
    agency: &str,
    system: String,
    record_id: String,
    person_ref: &str,
) -> Result<bool> {
    let Some(agency) = sightline_model::Agency::parse(agency) else {
        return Ok(false);
    };
    let key = sightline_model::ReportKey {
        agency,
        system,
        record_id,
    };
    let Some(current) = ledger.report_history(&key)?.pop() else {
        return Ok(false);
    };
    Ok(sightline_model::reread(&current.body, current.received_at)
        .is_ok_and(|a| a.report.people.iter().any(|p| p.ref_ == person_ref)))
}

fn describe(r: &LinkRecord) -> String {
    let mut parts = Vec::new();
    let name = r.full_name();
    parts.push(if name.is_empty() {
        "(no name)".to_string()
    } else {
        name
    });
    if let Some(b) = r.birth {
        parts.push(match (b.month, b.day) {
            (Some(m), Some(d)) => format!("born {:04}-{m:02}-{d:02}", b.year),
            (Some(m), None) => format!("born {:04}-{m:02}", b.year),
            _ => format!("born {:04}", b.year),
        });
    } else if let Some((age, on)) = r.age {
        parts.push(format!("aged {age} on {on}"));
    }
    if let Some(s) = r.sex {
        parts.push(format!("{s:?}").to_lowercase());
    }
    if let Some(a) = r.addresses.first().or(r.streets.first()) {
        parts.push(a.clone());
    }
    parts.extend(r.postcodes.iter().cloned());
    parts.extend(r.phones.iter().cloned());
    if !r.aliases.is_empty() {
        parts.push(format!("aka {}", r.aliases.join(", ")));
    }
    parts.join(", ")
}

pub fn explain_pair(out: &mut dyn Write, linker: &Linker, a: u32, b: u32) -> Result<()> {
    let (ra, rb) = (linker.record(a), linker.record(b));
    let (cmp, weights) = linker.field_weights(ra, rb);
    writeln!(out, "  A {}: {}", linker.id(a), describe(ra))?;
    writeln!(out, "  B {}: {}", linker.id(b), describe(rb))?;
    for fw in &weights {
        let Some(level) = fw.level else {
            writeln!(
                out,
                "    {:<12} not recorded on both: no evidence",
                fw.field.name()
            )?;
            continue;
        };
        let words = fw.field.levels()[level];
        let tf = if fw.tf_adjustment.abs() > 0.05 {
            format!(
                " ({} name, {:+.1} of it)",
                if fw.tf_adjustment > 0.0 {
                    "an uncommon"
                } else {
                    "a common"
                },
                fw.tf_adjustment
            )
        } else {
            String::new()
        };
        let swapped = if fw.field == Field::Given && cmp.swapped {
            " (given and family written the other way round)"
        } else {
            ""
        };
        writeln!(
            out,
            "    {:<12} {words}{swapped}: {:+.1}{tf}",
            fw.field.name(),
            fw.weight
        )?;
    }
    let prior = linker.model.prior_weight();
    let total = prior + weights.iter().map(|w| w.weight).sum::<f64>();
    writeln!(
        out,
        "    {:<12} two records picked at random are one person 1 time in {:.0}: {prior:+.1}",
        "prior",
        1.0 / linker.model.lambda
    )?;
    let p = probability(total);
    let verdict = if let Some(why) = linker.hard_conflict(&cmp) {
        format!("never linked directly: {why}")
    } else if p >= linker.cfg.threshold {
        "enough to link them".to_string()
    } else {
        "not enough to link them".to_string()
    };
    writeln!(
        out,
        "    total weight {total:+.1}, probability {p:.3} of being the same person: {verdict}"
    )?;
    Ok(())
}

pub fn explain(globals: &Globals, cmd: ExplainCommand) -> Result<ExitCode> {
    if let ExplainCommand::Assessment { id, rules } = &cmd {
        // The assessment stage links the store itself.
        return crate::assess::explain(globals, id, rules);
    }
    let mut ledger = globals.open_existing_store()?;
    let linked = update(&mut ledger, globals.as_of, false)?;
    let linker = &linked.linker;
    let mut out = crate::output::open(None)?;
    match cmd {
        ExplainCommand::Pair { a, b } => {
            let find = |id: &str| {
                linker
                    .find(id)
                    .with_context(|| format!("no person mention `{id}` in the store"))
            };
            let (ia, ib) = (find(&a)?, find(&b)?);
            let (pa, pb) = (linked.person_id_of(ia), linked.person_id_of(ib));
            if pa == pb {
                writeln!(out, "Both mentions are person {pa}.")?;
            } else {
                writeln!(out, "The mentions are different people: {pa} and {pb}.")?;
            }
            explain_pair(&mut out, linker, ia, ib)?;
        }
        ExplainCommand::Assessment { .. } => {}
        ExplainCommand::Person { id } => {
            let person = linked
                .resolve(&id)
                .with_context(|| format!("no person or person mention `{id}` in the store"))?;
            let members = linker.members(person);
            let pid = linked.person_ids.get(&person).cloned().unwrap_or_default();
            writeln!(out, "Person {pid}: {} mentions", members.len())?;
            for (n, &m) in members.iter().enumerate() {
                let a = linker.assignment(m);
                let how = if n == 0 {
                    "first seen".to_string()
                } else if a.by_decision {
                    "joined by an analyst's decision".to_string()
                } else if let (Some(w), Some(best)) = (a.weight, a.best_match) {
                    format!(
                        "matched {} (weight {w:+.1}, probability {:.3})",
                        linker.id(best),
                        probability(w)
                    )
                } else {
                    "merged with another person's mentions".to_string()
                };
                writeln!(out, "  {} — {}", linker.id(m), how)?;
                writeln!(out, "      {}", describe(linker.record(m)))?;
            }
            if let Some(&first_joined) = members.get(1) {
                let a = linker.assignment(first_joined);
                if let Some(best) = a.best_match {
                    writeln!(out, "Why {} joined:", linker.id(first_joined))?;
                    explain_pair(&mut out, linker, first_joined, best)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A name as it might be written: "Kayleigh Smyth", "SMYTH Kayleigh", "Kay".
    #[arg(long)]
    name: Option<String>,
    /// Birth date: YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY.
    #[arg(long, value_name = "DATE")]
    birth_date: Option<String>,
    /// Age now (or at --as-of).
    #[arg(long)]
    age: Option<u8>,
    /// An address line ("12 Mill Lane").
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    /// An identifier as SCHEME:VALUE (nhs_number:943 476 5919, upn:...).
    #[arg(long, value_name = "SCHEME:VALUE")]
    id: Option<String>,
    /// A vehicle registration, full or partial (`?` for unknown characters).
    #[arg(long)]
    plate: Option<String>,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

/// The query as a comparison record.
fn query_record(args: &SearchArgs, today: jiff::civil::Date) -> Result<LinkRecord> {
    let mut r = LinkRecord::default();
    if let Some(name) = &args.name {
        r.set_full_name(name);
    }
    if let Some(text) = &args.birth_date {
        let (d, _) = sightline_model::PartialDate::parse(text).map_err(|_| {
            anyhow::anyhow!(
                "--birth-date `{text}` is not a date (YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY)"
            )
        })?;
        r.birth = Some(sightline_link::record::Birth {
            year: d.year,
            month: d.month,
            day: d.day,
        });
    }
    if let Some(age) = args.age {
        r.age = Some((age, today));
    }
    let postcode = match &args.postcode {
        Some(p) => Some(
            sightline_normalise::normalise_postcode(p)
                .map_err(|e| anyhow::anyhow!("--postcode `{p}`: {e}"))?
                .text,
        ),
        None => None,
    };
    if args.address.is_some() || postcode.is_some() {
        r.add_address(args.address.as_deref(), postcode.as_deref());
    }
    if let Some(p) = &args.phone {
        r.phones.push(
            sightline_normalise::normalise_phone(p)
                .map_err(|e| anyhow::anyhow!("--phone `{p}`: {e}"))?,
        );
    }
    if let Some(id) = &args.id {
        let (scheme, value) = id
            .split_once(':')
            .context("--id must be SCHEME:VALUE, e.g. nhs_number:9434765919")?;
        let value = match sightline_normalise::normalise_identifier(scheme, value) {
            Some(Ok(v)) => v,
            Some(Err(e)) => bail!("--id {scheme}: {e}"),
            None => value.trim().to_string(),
        };
        r.identifiers.push((scheme.to_string(), value));
    }
    Ok(r)
}

pub fn search(globals: &Globals, args: SearchArgs) -> Result<ExitCode> {
    let mut ledger = globals.open_existing_store()?;
    let mut out = crate::output::open(None)?;
    if let Some(plate) = &args.plate {
        let wanted = sightline_normalise::normalise_registration(plate)
            .map_err(|e| anyhow::anyhow!("--plate `{plate}`: {e}"))?;
        let mut seen: std::collections::BTreeMap<String, (String, usize)> = Default::default();
        ledger.for_each_report(globals.as_of, &mut |stored| {
            if let Ok(accepted) = sightline_model::reread(&stored.body, stored.received_at) {
                for v in &accepted.report.vehicles {
                    if let Some(reg) = &v.registration
                        && reg.matches(&wanted)
                    {
                        let e = seen.entry(reg.text.clone()).or_insert((String::new(), 0));
                        e.1 += 1;
                        if e.0.is_empty() {
                            e.0 = [v.colour.as_deref(), v.make.as_deref(), v.model.as_deref()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" ");
                        }
                    }
                }
            }
            Ok(())
        })?;
        let mut rows: Vec<_> = seen.into_iter().collect();
        rows.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
        for (plate, (desc, n)) in rows.into_iter().take(args.limit) {
            if args.json {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({"plate": plate, "description": desc, "mentions": n}),
                )?;
                writeln!(out)?;
            } else {
                writeln!(out, "{plate:<10} {n:>4} mentions  {desc}")?;
            }
        }
        if args.name.is_none()
            && args.birth_date.is_none()
            && args.phone.is_none()
            && args.id.is_none()
        {
            return Ok(ExitCode::SUCCESS);
        }
    }
    let today = match globals.as_of {
        Some(t) => t.to_zoned(sightline_model::uk_time_zone().clone()).date(),
        None => jiff::Zoned::now()
            .with_time_zone(sightline_model::uk_time_zone().clone())
            .date(),
    };
    let query = query_record(&args, today)?;
    if query.given.is_empty()
        && query.family.is_empty()
        && query.birth.is_none()
        && query.phones.is_empty()
        && query.identifiers.is_empty()
        && query.postcodes.is_empty()
    {
        bail!("say what to search for: --name, --birth-date, --postcode, --phone, --id or --plate");
    }
    let linked = update(&mut ledger, globals.as_of, false)?;
    let linker = &linked.linker;
    // Candidates by blocking, and by name alone when the query has little
    // else (a search must find "Kayleigh Smyth" with no birth date).
    let mut candidates = linker.candidates(&query);
    if candidates.len() < args.limit * 4 {
        let given = query.first_given().map(|g| g.text.clone());
        let family = query.family_text();
        for r in 0..linker.len() as u32 {
            let rec = linker.record(r);
            let hit = given
                .as_ref()
                .is_some_and(|g| rec.first_given().is_some_and(|x| &x.text == g))
                || (!family.is_empty() && rec.family_text() == family);
            if hit {
                candidates.push(r);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
    }
    let mut best: HashMap<u32, (f64, u32)> = HashMap::new();
    for c in candidates {
        let (cmp, _) = linker.field_weights(&query, linker.record(c));
        if linker.hard_conflict(&cmp).is_some() {
            continue;
        }
        let w = linker.model.weight(&query, &cmp);
        let person = linker.person_of(c);
        let e = best.entry(person).or_insert((f64::NEG_INFINITY, c));
        if w > e.0 {
            *e = (w, c);
        }
    }
    let mut ranked: Vec<(u32, f64, u32)> = best.into_iter().map(|(p, (w, c))| (p, w, c)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if ranked.is_empty() {
        writeln!(out, "no one found")?;
    }
    for (person, weight, record) in ranked.into_iter().take(args.limit) {
        let pid = linked.person_ids.get(&person).cloned().unwrap_or_default();
        let (cmp, fields) = linker.field_weights(&query, linker.record(record));
        let _ = cmp;
        let agreed: Vec<String> = fields
            .iter()
            .filter_map(|f| f.level.map(|l| (f.field, l, f.weight)))
            .map(|(field, level, w)| {
                format!("{} {} ({w:+.1})", field.name(), field.levels()[level])
            })
            .collect();
        if args.json {
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({
                    "person_id": pid,
                    "weight": weight,
                    "probability": probability(weight),
                    "mentions": linker.members(person).len(),
                    "best_match": linker.id(record),
                    "fields": agreed,
                }),
            )?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{pid}  probability {:.3}  {} mentions  best: {}",
                probability(weight),
                linker.members(person).len(),
                describe(linker.record(record))
            )?;
            writeln!(out, "      {}", agreed.join("; "))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

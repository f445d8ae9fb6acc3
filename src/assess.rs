//! `sightline assess`, `network`, `replay`, `export concerns` and
//! `explain assessment`: the assessment stage over the store. One pass over
//! the current reports feeds linking and, with the same reports, builds the
//! assessor's events (people resolved to persons, objects to entities,
//! indicator hits found); the events are then taken in data-time order. The
//! concerns are kept in the store as a projection, rewritten only when the
//! reports, linking, detection rules or assessment rules have changed.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use jiff::Timestamp;
use rayon::prelude::*;
use serde::Serialize;
use sightline_assess::engine::Concern;
use sightline_assess::explain::{day, explain_assessment, explain_concern};
use sightline_assess::network::{NodeAttributes, NodeKind, write_graphml};
use sightline_assess::{
    AssessRules, Assessor, Band, HitIn, ObjectIn, PersonIn, RelationIn, ReportEvent, ReportRef,
};
use sightline_detect::Detector;
use sightline_ledger::{ConcernRow, HitRow, Ledger, SqliteLedger};
use sightline_link::{mention_id, objects_of};
use sightline_model::{AddressKind, Report};

use crate::Globals;

const PROJECTION: &str = "assess";

#[derive(Debug, Args, Clone, Default)]
pub struct RuleArgs {
    /// Assessment rules replacing the default (see docs/assessment.md).
    #[arg(long = "assess-rules", value_name = "FILE")]
    pub assess_rules: Option<PathBuf>,
    /// Indicator rule overrides (as for `sightline detect --rules`).
    #[arg(long = "rules", value_name = "FILE")]
    pub detect_rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Print the concerns as JSON Lines (the export format).
    #[arg(long)]
    json: bool,
    /// Measure: time each of the last N reports' assessment and network
    /// update, and each phase (for bench/assess/scale.sh).
    #[arg(long, value_name = "N", hide = true)]
    profile_last: Option<usize>,
}

#[derive(Debug, Args)]
pub struct NetworkArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// How many adults, hotspots and groups to print.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Write the network around children at risk as GraphML.
    #[arg(long, value_name = "FILE")]
    graphml: Option<PathBuf>,
    /// Write the signals and the network as one JSON document.
    #[arg(long = "json-out", value_name = "FILE")]
    json_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Concerns first raised on or after this date.
    #[arg(long, value_parser = crate::parse_as_of)]
    from: Option<Timestamp>,
    /// Concerns first raised before the end of this date.
    #[arg(long, value_parser = crate::parse_as_of)]
    to: Option<Timestamp>,
    /// JSON Lines instead of text.
    #[arg(long)]
    json: bool,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The assessed state of the store.
pub struct Assessed {
    pub assessor: Assessor,
    pub linked: crate::link::Linked,
    /// Indicator id → title, from the detection rules.
    pub titles: BTreeMap<String, String>,
    /// Display name of each person id.
    pub names: HashMap<String, String>,
    /// Where each person lived, was placed and went to school, as the
    /// records said over time.
    pub places: HashMap<String, PlaceHistory>,
    /// Each concern's routing and steps, by concern id (filled by
    /// [`update_store`]).
    pub workflows: BTreeMap<String, sightline_route::workflow::Workflow>,
    /// The projection's version: reports, linking and both rule sets.
    pub version: String,
    /// How long each phase took, and each of the last reports timed.
    pub timings: Vec<(&'static str, std::time::Duration)>,
    pub per_report: Vec<std::time::Duration>,
}

/// Where a person's records put them, with when each was recorded: the
/// place of a child on any date, so that a concern is routed with what was
/// known when it was raised, and follows the child when they move.
#[derive(Default, Clone)]
pub struct PlaceHistory {
    home: Vec<(Timestamp, String)>,
    placement: Vec<(Timestamp, String)>,
    school: Vec<(Timestamp, String)>,
    seen: Vec<(Timestamp, String)>,
}

/// The year of `t` in the United Kingdom's time.
fn uk_year(t: Timestamp) -> i32 {
    i32::from(t.to_zoned(sightline_model::uk_time_zone().clone()).year())
}

/// How far an adult mention's age may be from the age the person's own
/// birth year gives for the mention to count as the same person's place
/// (an age recorded a year out is common; a parent is decades out).
const ADULT_AGE_TOLERANCE: i32 = 2;

impl PlaceHistory {
    /// Records one mention's home, placement, school and where it was
    /// seen, each when known.
    fn push(&mut self, at: Timestamp, [home, placement, school, seen]: [Option<String>; 4]) {
        for (list, value) in [
            (&mut self.home, home),
            (&mut self.placement, placement),
            (&mut self.school, school),
            (&mut self.seen, seen),
        ] {
            if let Some(v) = value {
                list.push((at, v));
            }
        }
    }

    fn sort(&mut self) {
        for list in [
            &mut self.home,
            &mut self.placement,
            &mut self.school,
            &mut self.seen,
        ] {
            list.sort();
        }
    }

    /// Agencies go on writing an old address for months after a move, so
    /// the latest record alone misleads: the value recorded most often in
    /// the year up to the latest record (by `at`) wins, the most recent on
    /// a tie.
    pub fn as_of(&self, at: Timestamp) -> sightline_route::ChildPlace {
        fn pick(seen: &[(Timestamp, String)], at: Timestamp) -> Option<String> {
            let known = &seen[..seen.partition_point(|(t, _)| *t <= at)];
            let last = known.last()?.0;
            let from = last
                .checked_sub(jiff::SignedDuration::from_hours(24 * 365))
                .unwrap_or(last);
            let mut counts: HashMap<&str, (usize, Timestamp)> = HashMap::new();
            for (t, v) in known.iter().filter(|(t, _)| *t >= from) {
                let e = counts.entry(v.as_str()).or_insert((0, *t));
                e.0 += 1;
                e.1 = e.1.max(*t);
            }
            counts
                .into_iter()
                .max_by_key(|(v, (n, t))| (*n, *t, std::cmp::Reverse(v.to_string())))
                .map(|(v, _)| v.to_string())
        }
        sightline_route::ChildPlace {
            home_postcode: pick(&self.home, at),
            placement_postcode: pick(&self.placement, at),
            school: pick(&self.school, at),
            seen_postcode: self
                .seen
                .iter()
                .take_while(|(t, _)| *t <= at)
                .max()
                .map(|(_, v)| v.clone()),
        }
    }

    /// Every time a record said something of where the person is, after
    /// `after`, in order: the moments their place may have changed.
    pub fn changes_after(&self, after: Timestamp) -> Vec<Timestamp> {
        let mut at: Vec<Timestamp> = [&self.home, &self.placement, &self.school, &self.seen]
            .into_iter()
            .flatten()
            .map(|(t, _)| *t)
            .filter(|t| *t > after)
            .collect();
        at.sort();
        at.dedup();
        at
    }
}

/// A report's event before its people and objects are resolved: person and
/// object ids are mention ids until linking has run.
struct Pending {
    event: ReportEvent,
    /// Birth year from each person mention's birth date, when recorded.
    birth_years: Vec<Option<i32>>,
    /// Each person mention's home and placement postcodes and school.
    places: Vec<sightline_route::ChildPlace>,
    /// Each person mention's home and placement address texts recorded
    /// without a postcode, for the [`Gazetteer`] to complete.
    unposted: Vec<[Option<String>; 2]>,
    /// Every address of the report written with its postcode: (text,
    /// postcode), for the [`Gazetteer`].
    posted: Vec<(String, String)>,
}

pub fn load_rules(path: Option<&Path>) -> Result<AssessRules> {
    match path {
        None => Ok(AssessRules::default_rules()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the assessment rules {}", p.display()))?;
            Ok(AssessRules::parse(&text, &p.display().to_string())?)
        }
    }
}

/// A present hit as the assessor reads it; `None` for a negated one.
fn hit_in(h: HitRow) -> Option<HitIn> {
    (!h.negated).then(|| HitIn {
        about_subject: h.experiencer == "subject",
        indicator: h.indicator,
        tier: h.tier,
        hedged: h.hedged,
        historical: h.historical,
        dated_year: h.dated_year,
        sentence: h.sentence,
    })
}

/// Where a report saw a person: the postcode of a place the report relates
/// them to (`seen_at`, `with`, `lives_at`...), or, when the report names a
/// single place with a postcode, that place. A suspect's home in a report
/// about several places is not where the child was.
fn seen_postcode(report: &Report, person_ref: &str) -> Option<String> {
    let postcode_of = |pl: &sightline_model::PlaceMention| {
        pl.address
            .as_ref()?
            .postcode
            .as_ref()
            .map(|pc| pc.text.clone())
    };
    let related = report.relations.iter().find_map(|r| {
        let other = if r.from == person_ref {
            &r.to
        } else if r.to == person_ref {
            &r.from
        } else {
            return None;
        };
        report
            .places
            .iter()
            .find(|pl| pl.ref_.as_deref() == Some(other.as_str()))
            .and_then(postcode_of)
    });
    related.or_else(|| {
        let mut with_postcode = report.places.iter().filter_map(postcode_of);
        let only = with_postcode.next()?;
        with_postcode.next().is_none().then_some(only)
    })
}

/// A report's pending event; its hits come from the detection projection
/// when given (`stored`), else from detecting it now.
fn pending_of(detector: &Detector, report: &Report, stored: Option<Vec<HitIn>>) -> Pending {
    let key = report.source.key();
    let on = report.event_time().uk_date;
    let mut refs: HashMap<&str, usize> = HashMap::new();
    let mut people = Vec::with_capacity(report.people.len());
    let mut birth_years = Vec::with_capacity(report.people.len());
    let mut places = Vec::with_capacity(report.people.len());
    let mut unposted = Vec::with_capacity(report.people.len());
    let posted = report
        .people
        .iter()
        .flat_map(|p| p.addresses.iter())
        .chain(report.places.iter().filter_map(|pl| pl.address.as_ref()))
        .filter_map(|a| Some((a.text.clone()?, a.postcode.as_ref()?.text.clone())))
        .collect();
    for (i, p) in report.people.iter().enumerate() {
        refs.insert(p.ref_.as_str(), i);
        people.push(PersonIn {
            person: mention_id(key.agency.as_str(), &key.system, &key.record_id, &p.ref_),
            role: p.role,
            age: p
                .birth_date
                .and_then(|b| b.age_on(on))
                .or(p.age.map(i32::from)),
            label: p.name.display(),
        });
        birth_years.push(p.birth_date.map(|b| i32::from(b.year)));
        let address = |kind: AddressKind| p.addresses.iter().find(|a| a.kind == Some(kind));
        let postcode = |kind: AddressKind| {
            address(kind)
                .and_then(|a| a.postcode.as_ref())
                .map(|pc| pc.text.clone())
        };
        let unposted_text = |kind: AddressKind| {
            address(kind)
                .filter(|a| a.postcode.is_none())
                .and_then(|a| a.text.clone())
        };
        unposted.push([
            unposted_text(AddressKind::Home),
            unposted_text(AddressKind::Placement),
        ]);
        places.push(sightline_route::ChildPlace {
            home_postcode: postcode(AddressKind::Home),
            placement_postcode: postcode(AddressKind::Placement),
            school: address(AddressKind::School).and_then(|a| a.text.clone()),
            seen_postcode: seen_postcode(report, &p.ref_),
        });
    }
    let mut objects = Vec::new();
    let vehicle_refs = report.vehicles.iter().map(|v| v.ref_.as_deref());
    let phone_refs = report.phones.iter().map(|p| p.ref_.as_deref());
    let place_refs = report.places.iter().map(|p| p.ref_.as_deref());
    let categories = report
        .vehicles
        .iter()
        .map(|_| None)
        .chain(report.phones.iter().map(|_| None))
        .chain(report.places.iter().map(|p| p.category.clone()));
    for ((o, r), category) in objects_of(report)
        .into_iter()
        .zip(vehicle_refs.chain(phone_refs).chain(place_refs))
        .zip(categories)
    {
        if let Some(r) = r {
            refs.insert(r, people.len() + objects.len());
        }
        objects.push(ObjectIn {
            entity: o.id,
            kind: o.kind,
            category,
            label: o.label,
        });
    }
    let relations = report
        .relations
        .iter()
        .filter_map(|r| {
            Some(RelationIn {
                from: *refs.get(r.from.as_str())?,
                to: *refs.get(r.to.as_str())?,
                kind: r.kind.as_str().to_string(),
            })
        })
        .collect();
    let hits = stored.unwrap_or_else(|| {
        sightline_detect::detect_report(detector, report)
            .iter()
            .map(crate::detect_store::row)
            .filter_map(hit_in)
            .collect()
    });
    Pending {
        event: ReportEvent {
            key: ReportRef {
                agency: key.agency.as_str().to_string(),
                system: key.system.clone(),
                record_id: key.record_id.clone(),
            },
            agency: key.agency,
            kind: report.kind,
            recorded_at: report.recorded_at.instant,
            event_at: report.event_time().instant,
            ended_at: report.ended_at.map(|t| t.instant),
            action: report.outcome.as_ref().and_then(|o| o.action),
            people,
            objects,
            relations,
            hits,
        },
        birth_years,
        places,
        unposted,
        posted,
    }
}

/// The assessment projection is a function of the reports (up to a ledger
/// entry), the linking, and both rule sets.
fn projection_version(
    last_seq: u64,
    link_version: &str,
    detection: (&str, &str),
    rules: &AssessRules,
) -> String {
    format!(
        "{last_seq} | link {link_version} | {} {} | {}",
        detection.0,
        detection.1,
        rules.fingerprint()
    )
}

/// The stored concerns, when nothing they depend on has changed since they
/// were written: reading them is then instant, at any scale.
fn stored_if_current(ledger: &SqliteLedger, rules: &RuleArgs) -> Result<Option<Vec<ConcernRow>>> {
    let Some((seq, link_version)) = crate::link::current_version(ledger)? else {
        return Ok(None);
    };
    let assess_rules = load_rules(rules.assess_rules.as_deref())?;
    // The rule file's name and fingerprint are all the check needs: reading
    // it is enough, compiling the detector is not.
    let detection = crate::detect::load(rules.detect_rules.as_deref())?;
    let wanted = format!(
        "{} | route {}",
        projection_version(
            seq,
            &link_version,
            (&detection.name, &detection.fingerprint()),
            &assess_rules
        ),
        crate::route::last_seq(ledger)?
    );
    match ledger.projection_state(PROJECTION)? {
        Some((_, version)) if version == wanted => Ok(Some(ledger.concerns()?)),
        _ => Ok(None),
    }
}

/// Links, detects and assesses every current report (as of `as_of`).
pub fn build(
    ledger: &mut SqliteLedger,
    as_of: Option<Timestamp>,
    rules: &RuleArgs,
    profile_last: usize,
) -> Result<Assessed> {
    let started = std::time::Instant::now();
    let mut timings = Vec::new();
    let assess_rules = load_rules(rules.assess_rules.as_deref())?;
    let (file, detector) = crate::detect::detector(rules.detect_rules.as_deref())?;
    let titles: BTreeMap<String, String> = file
        .indicators
        .iter()
        .map(|i| (i.id.clone(), i.title.clone()))
        .collect();
    // The hits of the current reports are the detection projection's
    // (brought up to date first, incrementally). A look back (`--as-of`)
    // may read earlier versions of a report, which are detected here.
    let mut stored: HashMap<(String, String, String), (u64, Vec<HitIn>)> = HashMap::new();
    if as_of.is_none() {
        crate::detect_store::update(ledger, &detector, false)?;
        ledger.for_each_hit(&mut |agency, system, record_id, seq, row| {
            let entry = stored
                .entry((
                    agency.to_string(),
                    system.to_string(),
                    record_id.to_string(),
                ))
                .or_insert_with(|| (seq, Vec::new()));
            entry.1.extend(hit_in(row));
        })?;
    }
    let use_stored = as_of.is_none();
    // Reports the projection does not cover are detected in parallel, a
    // chunk at a time, as linking reads them.
    const CHUNK: usize = 2048;
    let mut pending: Vec<Pending> = Vec::new();
    let mut buffer: Vec<(Report, Option<Vec<HitIn>>)> = Vec::with_capacity(CHUNK);
    let flush = |buffer: &mut Vec<(Report, Option<Vec<HitIn>>)>, pending: &mut Vec<Pending>| {
        pending.par_extend(
            buffer
                .par_drain(..)
                .map(|(r, hits)| pending_of(&detector, &r, hits)),
        );
    };
    let linked =
        crate::link::update_visiting(ledger, as_of, false, &mut |stored_report, report| {
            let k = &stored_report.key;
            let hits = if use_stored {
                // Every current version is in the projection; one with no hits
                // has no rows. Rows of another version are not this report's.
                match stored.remove(&(
                    k.agency.as_str().to_string(),
                    k.system.clone(),
                    k.record_id.clone(),
                )) {
                    Some((seq, hits)) if seq == stored_report.seq => Some(hits),
                    Some(_) => None,
                    None => Some(Vec::new()),
                }
            } else {
                None
            };
            buffer.push((report.clone(), hits));
            if buffer.len() == CHUNK {
                flush(&mut buffer, &mut pending);
            }
        })?;
    flush(&mut buffer, &mut pending);
    timings.push(("read, link and detect", started.elapsed()));
    let started = std::time::Instant::now();

    // Mentions to persons, object mentions to entities.
    let entity_of: HashMap<&str, &str> = linked
        .objects
        .iter()
        .map(|l| (l.mention.as_str(), l.entity.as_str()))
        .collect();
    let linker = &linked.linker;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut birth_years: HashMap<String, BTreeMap<i32, u32>> = HashMap::new();
    // Postcodes for homes written without one, from other records of the
    // same house.
    // (Each report's list is let go as it is read: only the gazetteer
    // keeps what it needs.)
    let mut gazetteer = sightline_route::Gazetteer::new();
    for p in &mut pending {
        for (text, postcode) in std::mem::take(&mut p.posted) {
            gazetteer.add(&text, &postcode);
        }
    }
    // Every recorded home, placement and school of each person, with when.
    let mut sightings: HashMap<String, PlaceHistory> = HashMap::new();
    let mut adult_sightings: Vec<(String, Timestamp, i32, [Option<String>; 4])> = Vec::new();
    for p in &mut pending {
        let at = p.event.recorded_at;
        for (((person, year), place), unposted) in p
            .event
            .people
            .iter_mut()
            .zip(&p.birth_years)
            .zip(&p.places)
            .zip(&p.unposted)
        {
            let looked_up = |text: &Option<String>| {
                text.as_deref()
                    .and_then(|t| gazetteer.postcode_of(t))
                    .map(str::to_string)
            };
            let home = place
                .home_postcode
                .clone()
                .or_else(|| looked_up(&unposted[0]));
            let placement = place
                .placement_postcode
                .clone()
                .or_else(|| looked_up(&unposted[1]));
            let Some(record) = linker.find(&person.person) else {
                continue;
            };
            let id = linked.person_id_of(record).to_string();
            if let Some(y) = year {
                *birth_years
                    .entry(id.clone())
                    .or_default()
                    .entry(*y)
                    .or_default() += 1;
            }
            if !person.label.is_empty() {
                names
                    .entry(id.clone())
                    .or_insert_with(|| person.label.clone());
            }
            let values = [
                home,
                placement,
                place.school.clone(),
                place.seen_postcode.clone(),
            ];
            // A mention of an adult is set aside until the person's own
            // birth year is known (below).
            match person.age {
                Some(age) if age >= 18 => adult_sightings.push((id.clone(), at, age, values)),
                _ => sightings.entry(id.clone()).or_default().push(at, values),
            }
            person.person = id;
        }
        for o in &mut p.event.objects {
            if let Some(e) = entity_of.get(o.entity.as_str()) {
                o.entity = e.to_string();
            }
        }
    }
    // A mention with no age of its own takes the person's most recorded
    // birth year.
    let born: HashMap<&str, i32> = birth_years
        .iter()
        .filter_map(|(id, years)| {
            years
                .iter()
                .max_by_key(|(y, n)| (**n, -**y))
                .map(|(y, _)| (id.as_str(), *y))
        })
        .collect();
    // Where a child lives is what records of them say, into adulthood:
    // concerns follow a child who turns 18 with open concerns. But a
    // mention of an adult whose age does not fit the person's own birth
    // year (a parent linked in by mistake) says where that adult lives,
    // not the child.
    for (id, at, age, values) in adult_sightings {
        let own_age = born.get(id.as_str()).map(|b| uk_year(at) - b);
        if own_age.is_some_and(|own| (own - age).abs() <= ADULT_AGE_TOLERANCE) {
            sightings.entry(id).or_default().push(at, values);
        }
    }
    let mut events: Vec<ReportEvent> = pending
        .into_iter()
        .map(|mut p| {
            let year = uk_year(p.event.event_at);
            for person in &mut p.event.people {
                if person.age.is_none()
                    && let Some(b) = born.get(person.person.as_str())
                {
                    person.age = Some(year - b);
                }
            }
            p.event
        })
        .collect();
    Assessor::sort(&mut events);
    timings.push(("resolve and sort events", started.elapsed()));
    let started = std::time::Instant::now();
    let mut assessor = Assessor::new(assess_rules);
    let timed_from = events.len().saturating_sub(profile_last);
    let mut per_report = Vec::with_capacity(profile_last);
    for (i, e) in events.iter().enumerate() {
        if i >= timed_from {
            let t = std::time::Instant::now();
            assessor.add(e)?;
            per_report.push(t.elapsed());
        } else {
            assessor.add(e)?;
        }
    }
    timings.push(("assess every report in order", started.elapsed()));
    let version = projection_version(
        linked.last_seq,
        &linked.version,
        (&detector.name, &detector.fingerprint),
        assessor.rules(),
    );
    Ok(Assessed {
        assessor,
        linked,
        titles,
        names,
        places: sightings
            .into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, v)
            })
            .collect(),
        workflows: BTreeMap::new(),
        version,
        timings,
        per_report,
    })
}

#[derive(Serialize)]
struct ReportRefOut<'a> {
    agency: &'a str,
    system: &'a str,
    record_id: &'a str,
}

#[derive(Serialize)]
struct HistoryOut {
    tier: Band,
    at: String,
}

#[derive(Serialize)]
struct NetworkOut {
    via: String,
    via_kind: &'static str,
    report: String,
    children_at_risk: usize,
}

/// One concern as the export line of the report format, with Sightline's
/// extensions (band now, how it was raised, the explanation).
#[derive(Serialize)]
struct ConcernOut<'a> {
    concern_id: &'a str,
    person_id: &'a str,
    #[serde(rename = "type")]
    concern_type: &'a str,
    tier: Band,
    status: &'static str,
    team: Option<String>,
    /// When the team (or the unrouted queue) received it: the routing is
    /// by what the records said then.
    #[serde(skip_serializing_if = "Option::is_none")]
    routed_at: Option<String>,
    raised_at: String,
    reports: Vec<ReportRefOut<'a>>,
    indicators: Vec<&'a str>,
    history: Vec<HistoryOut>,
    band: Band,
    raised_by: sightline_assess::RaisedBy,
    network: Option<NetworkOut>,
    /// The assessment that raised it, in plain words.
    raised_because: Vec<String>,
    /// The assessment now, in plain words.
    explanation: Vec<String>,
}

pub fn concern_json(a: &Assessed, c: &Concern) -> serde_json::Value {
    let (status, team) = crate::route::status_of(a.workflows.get(&c.concern_id));
    let assessor = &a.assessor;
    let at = |report: u32| {
        sightline_model::format_instant(assessor.reports[report as usize].recorded_at)
    };
    let out = ConcernOut {
        concern_id: &c.concern_id,
        person_id: &c.person_id,
        concern_type: &c.concern_type,
        tier: c.tier,
        status,
        team,
        routed_at: a
            .workflows
            .get(&c.concern_id)
            .and_then(|w| w.received_at)
            .map(sightline_model::format_instant),
        raised_at: at(c.raised_report),
        reports: c
            .reports
            .iter()
            .map(|&r| {
                let k = &assessor.reports[r as usize].key;
                ReportRefOut {
                    agency: &k.agency,
                    system: &k.system,
                    record_id: &k.record_id,
                }
            })
            .collect(),
        indicators: c.indicators.iter().map(String::as_str).collect(),
        history: c
            .history
            .iter()
            .map(|h| HistoryOut {
                tier: h.band,
                at: at(h.report),
            })
            .collect(),
        band: c.band,
        raised_by: c.raised_by,
        network: c.network.as_ref().map(|l| {
            let hub = &assessor.graph.nodes[l.hub as usize];
            let k = &assessor.reports[l.report as usize].key;
            NetworkOut {
                via: hub.id.clone(),
                via_kind: hub.kind.as_str(),
                report: format!("{}/{}/{}", k.agency, k.system, k.record_id),
                children_at_risk: l.children.len(),
            }
        }),
        raised_because: explain_assessment(assessor, &c.raised_with, &a.titles),
        explanation: explain_concern(assessor, c, &a.titles),
    };
    serde_json::to_value(out).unwrap_or_default()
}

/// Brings the assessment projection up to date and returns the assessed
/// state. With `--as-of` nothing is written: that is a look back.
pub fn update(globals: &Globals, rules: &RuleArgs) -> Result<(SqliteLedger, Assessed)> {
    let mut ledger = globals.open_existing_store()?;
    let assessed = update_store(&mut ledger, globals.as_of, rules, 0)?;
    Ok((ledger, assessed))
}

/// [`update`] on an open store.
pub fn update_store(
    ledger: &mut SqliteLedger,
    as_of: Option<Timestamp>,
    rules: &RuleArgs,
    profile_last: usize,
) -> Result<Assessed> {
    let mut assessed = build(ledger, as_of, rules, profile_last)?;
    assessed
        .version
        .push_str(&format!(" | route {}", crate::route::last_seq(ledger)?));
    let cfg = crate::route::config(ledger, as_of)?;
    assessed.workflows = crate::route::workflows(ledger, &assessed, &cfg, as_of)?;
    if as_of.is_none() {
        let state = ledger.projection_state(PROJECTION)?;
        let changed = state.as_ref().is_none_or(|(_, v)| *v != assessed.version);
        if changed {
            let rows: Vec<ConcernRow> = assessed
                .assessor
                .concerns()
                .into_iter()
                .map(|c| ConcernRow {
                    concern_id: c.concern_id.clone(),
                    person_id: c.person_id.clone(),
                    concern_type: c.concern_type.clone(),
                    raised_at: assessed.assessor.reports[c.raised_report as usize].recorded_at,
                    body: concern_json(&assessed, c).to_string(),
                })
                .collect();
            ledger.replace_concerns(&rows)?;
            ledger.set_projection_state(PROJECTION, assessed.linked.last_seq, &assessed.version)?;
        }
    }
    Ok(assessed)
}

fn name_of(a: &Assessed, person_id: &str) -> String {
    a.names.get(person_id).cloned().unwrap_or_default()
}

pub fn run(globals: &Globals, args: AssessArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut ledger = globals.open_existing_store()?;
    let assessed = update_store(
        &mut ledger,
        globals.as_of,
        &args.rules,
        args.profile_last.unwrap_or(0),
    )?;
    if args.profile_last.is_some() {
        for (phase, took) in &assessed.timings {
            eprintln!("phase {phase}: {:.2} s", took.as_secs_f64());
        }
        eprintln!(
            "total with the store write: {:.2} s",
            started.elapsed().as_secs_f64()
        );
        let mut times: Vec<f64> = assessed
            .per_report
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        times.sort_by(f64::total_cmp);
        if !times.is_empty() {
            let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
            eprintln!(
                "last {} reports, each assessed with {} before it: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
                times.len(),
                assessed.assessor.reports.len() - times.len(),
                at(0.5),
                at(0.99),
                times[times.len() - 1]
            );
        }
    }
    let mut out = crate::output::open(None)?;
    let concerns = assessed.assessor.concerns();
    if args.json {
        for c in &concerns {
            serde_json::to_writer(&mut out, &concern_json(&assessed, c))?;
            writeln!(out)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    print_summary(&mut out, &assessed, 10)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The concerns raised, by band, and the first `show` of them.
pub fn print_summary(out: &mut dyn Write, assessed: &Assessed, show: usize) -> Result<()> {
    let a = &assessed.assessor;
    let concerns = a.concerns();
    let mut by_tier: BTreeMap<Band, usize> = BTreeMap::new();
    for c in &concerns {
        *by_tier.entry(c.tier).or_default() += 1;
    }
    let hidden = concerns
        .iter()
        .filter(|c| c.raised_by == sightline_assess::RaisedBy::Network)
        .count();
    writeln!(
        out,
        "{} reports assessed as of {} ({}); {} concerns ({}), {} of them through the network",
        a.reports.len(),
        a.now()
            .map(sightline_model::format_instant)
            .unwrap_or_else(|| "-".into()),
        a.rules().fingerprint(),
        concerns.len(),
        by_tier
            .iter()
            .rev()
            .map(|(t, n)| format!("{n} {t}"))
            .collect::<Vec<_>>()
            .join(", "),
        hidden
    )?;
    let mut shown: Vec<&&Concern> = concerns.iter().collect();
    shown.sort_by(|x, y| {
        y.band
            .cmp(&x.band)
            .then(x.raised_report.cmp(&y.raised_report))
    });
    for c in shown.into_iter().take(show) {
        let raised = &a.reports[c.raised_report as usize];
        writeln!(
            out,
            "  {}  {:<11} {} {:<24} raised {} ({}), indicators {}",
            c.concern_id,
            c.band.as_str(),
            c.person_id,
            name_of(assessed, &c.person_id),
            day(raised.recorded_at.as_second()),
            match c.raised_by {
                sightline_assess::RaisedBy::Assessment => "assessment",
                sightline_assess::RaisedBy::Override => "override",
                sightline_assess::RaisedBy::Network => "network",
            },
            c.indicators.iter().cloned().collect::<Vec<_>>().join(" ")
        )?;
    }
    if concerns.len() > show {
        writeln!(
            out,
            "  ... and {} more (`sightline export concerns` writes them all)",
            concerns.len() - show
        )?;
    }
    Ok(())
}

/// `sightline export concerns`.
pub fn export(globals: &Globals, rules: &RuleArgs, out: Option<&Path>) -> Result<ExitCode> {
    let mut w = crate::output::open(out)?;
    if globals.as_of.is_none() {
        let ledger = globals.open_existing_store()?;
        let rows = match stored_if_current(&ledger, rules)? {
            Some(rows) => rows,
            None => {
                drop(ledger);
                update(globals, rules)?.0.concerns()?
            }
        };
        for row in rows {
            writeln!(w, "{}", row.body)?;
        }
    } else {
        let (_, assessed) = update(globals, rules)?;
        for c in assessed.assessor.concerns() {
            serde_json::to_writer(&mut w, &concern_json(&assessed, c))?;
            writeln!(w)?;
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `sightline explain assessment PERSON`: a child's assessment in plain
/// words, with their concern when they have one.
pub fn explain(globals: &Globals, id: &str, rules: &RuleArgs) -> Result<ExitCode> {
    let (_, assessed) = update(globals, rules)?;
    let mut out = crate::output::open(None)?;
    explain_person(&mut out, &assessed, id)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain_person(out: &mut dyn Write, assessed: &Assessed, id: &str) -> Result<()> {
    let person = assessed
        .linked
        .resolve(id)
        .with_context(|| format!("no person or person mention `{id}` in the store"))?;
    let person_id = assessed
        .linked
        .person_ids
        .get(&person)
        .cloned()
        .unwrap_or_default();
    let a = &assessed.assessor;
    let Some(node) = a.graph.find(NodeKind::Person, &person_id) else {
        bail!("{person_id} is in no report that is assessed");
    };
    writeln!(out, "{} {}", person_id, name_of(assessed, &person_id))?;
    if let Some(c) = a.concern_of(node) {
        for line in explain_concern(a, c, &assessed.titles) {
            writeln!(out, "{line}")?;
        }
    } else if let Some(assessment) = a.assessment_of(node) {
        writeln!(out, "No concern.")?;
        for line in explain_assessment(a, assessment, &assessed.titles) {
            writeln!(out, "{line}")?;
        }
    } else {
        writeln!(
            out,
            "No indicators of exploitation found about this person as a child."
        )?;
    }
    Ok(())
}

/// A node as `ID name` (people by their recorded name, objects by plate,
/// number or place name).
pub fn node_label(assessed: &Assessed, n: u32) -> String {
    let node = &assessed.assessor.graph.nodes[n as usize];
    let name = if node.kind == NodeKind::Person {
        name_of(assessed, &node.id)
    } else {
        node.label.clone()
    };
    format!("{} {name}", node.id)
}

/// One line about a group.
pub fn describe_group(g: &sightline_assess::signals::Group) -> String {
    format!(
        "group {}: {} adults, {} vehicles/phones/places, {} children ({} found only through the network)",
        g.id,
        g.adults.len(),
        g.objects.len(),
        g.children.len(),
        g.hidden.len()
    )
}

/// `sightline network`.
pub fn network(globals: &Globals, args: NetworkArgs) -> Result<ExitCode> {
    let (_, assessed) = update(globals, &args.rules)?;
    let a = &assessed.assessor;
    let summary = a.network_summary();
    let g = &a.graph;
    let label = |n: u32| node_label(&assessed, n);
    let mut out = crate::output::open(None)?;
    writeln!(
        out,
        "Groups ({} found): adults of concern, vehicles, phones and places and the children at risk around them",
        summary.groups.len()
    )?;
    for grp in summary.groups.iter().take(args.top) {
        writeln!(out, "  {}", describe_group(grp))?;
        let names = |ns: &[u32]| ns.iter().map(|&n| label(n)).collect::<Vec<_>>().join("; ");
        writeln!(out, "    adults: {}", names(&grp.adults))?;
        if !grp.objects.is_empty() {
            writeln!(out, "    objects: {}", names(&grp.objects))?;
        }
        writeln!(out, "    children: {}", names(&grp.children))?;
    }
    writeln!(out, "Adults linked to children at risk (ranked):")?;
    for r in summary.adults.iter().take(args.top) {
        writeln!(
            out,
            "  {:>5.1}  {:<40} {} children at risk directly, {} through a vehicle or phone{}",
            r.score,
            label(r.node),
            r.children.len(),
            r.via_objects.len(),
            if r.adult_of_concern {
                " (adult of concern)"
            } else {
                ""
            }
        )?;
    }
    writeln!(out, "Hotspots (vehicles, phones and places):")?;
    for h in summary.hotspots.iter().take(args.top) {
        let node = &g.nodes[h.node as usize];
        writeln!(
            out,
            "  {:<8} {:<40} {} children at risk{}",
            node.kind.as_str(),
            label(h.node),
            h.children.len(),
            node.category
                .as_ref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        )?;
    }
    out.flush()?;

    if args.graphml.is_some() || args.json_out.is_some() {
        // The part of the graph an analyst needs: groups, ranked adults and
        // hotspots, and the children around them.
        let mut attrs: BTreeMap<u32, NodeAttributes> = BTreeMap::new();
        for grp in &summary.groups {
            for &n in grp.adults.iter().chain(&grp.objects).chain(&grp.children) {
                attrs.entry(n).or_default().group = Some(grp.id);
            }
        }
        for r in &summary.adults {
            let e = attrs.entry(r.node).or_default();
            e.adult_of_concern = r.adult_of_concern;
            e.children_at_risk = r.children.len() as u32;
            for &c in &r.children {
                attrs.entry(c).or_default();
            }
        }
        for h in &summary.hotspots {
            let e = attrs.entry(h.node).or_default();
            e.hotspot = true;
            e.children_at_risk = h.children.len() as u32;
            for &c in &h.children {
                attrs.entry(c).or_default();
            }
        }
        let keep: Vec<u32> = attrs.keys().copied().collect();
        for &n in &keep {
            let concern = a.concern_of(n);
            let e = attrs.entry(n).or_default();
            e.concern = concern.is_some();
            e.band = concern
                .map(|c| c.band.as_str().to_string())
                .or_else(|| a.assessment_of(n).map(|x| x.band.as_str().to_string()));
        }
        if let Some(path) = &args.graphml {
            let mut w = crate::output::open(Some(path))?;
            write_graphml(&mut w, g, &keep, &attrs)?;
            w.flush()?;
        }
        if let Some(path) = &args.json_out {
            let kept: std::collections::HashSet<u32> = keep.iter().copied().collect();
            let nodes: Vec<serde_json::Value> = keep
                .iter()
                .map(|&n| {
                    let node = &g.nodes[n as usize];
                    serde_json::json!({
                        "id": node.id, "kind": node.kind, "label": if node.kind == NodeKind::Person { name_of(&assessed, &node.id) } else { node.label.clone() },
                        "category": node.category, "reports": node.reports, "attributes": attrs.get(&n),
                    })
                })
                .collect();
            let edges: Vec<serde_json::Value> = g
                .edges
                .iter()
                .filter(|e| kept.contains(&e.a) && kept.contains(&e.b))
                .map(|e| {
                    serde_json::json!({
                        "source": g.nodes[e.a as usize].id, "target": g.nodes[e.b as usize].id,
                        "types": e.kinds, "weight": e.weight(),
                    })
                })
                .collect();
            let id = |n: &u32| g.nodes[*n as usize].id.clone();
            let doc = serde_json::json!({
                "as_of": a.now().map(sightline_model::format_instant),
                "rules": a.rules().fingerprint(),
                "groups": summary.groups.iter().map(|grp| serde_json::json!({
                    "id": grp.id,
                    "adults": grp.adults.iter().map(id).collect::<Vec<_>>(),
                    "objects": grp.objects.iter().map(id).collect::<Vec<_>>(),
                    "children": grp.children.iter().map(id).collect::<Vec<_>>(),
                    "hidden": grp.hidden.iter().map(id).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "adults": summary.adults.iter().map(|r| serde_json::json!({
                    "person_id": id(&r.node), "score": r.score, "adult_of_concern": r.adult_of_concern,
                    "children": r.children.iter().map(id).collect::<Vec<_>>(),
                    "via_objects": r.via_objects.iter().map(id).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "hotspots": summary.hotspots.iter().map(|h| serde_json::json!({
                    "id": id(&h.node), "kind": g.nodes[h.node as usize].kind,
                    "children": h.children.iter().map(id).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "nodes": nodes,
                "edges": edges,
            });
            let mut w = crate::output::open(Some(path))?;
            serde_json::to_writer_pretty(&mut w, &doc)?;
            writeln!(w)?;
            w.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct AgencyRecord {
    agency: String,
    reports: usize,
    kinds: BTreeMap<String, usize>,
    indicators: Vec<String>,
    actions: BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct ReplayLine {
    concern_id: String,
    person_id: String,
    name: String,
    tier: Band,
    raised_at: String,
    raised_by: sightline_assess::RaisedBy,
    /// Reports about the child up to and including the one that raised it.
    reports_before: usize,
    first_report_at: Option<String>,
    /// Reports with a sign of risk before the concern.
    reports_with_signs: usize,
    agencies: Vec<AgencyRecord>,
    /// Actions recorded on those reports, all agencies.
    actions: BTreeMap<String, usize>,
}

/// `sightline replay`: the missed-opportunities report.
pub fn replay(globals: &Globals, args: ReplayArgs) -> Result<ExitCode> {
    let (_, assessed) = update(globals, &args.rules)?;
    let a = &assessed.assessor;
    let end_of = |t: Timestamp| {
        t.checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap_or(t)
    };
    let mut lines = Vec::new();
    for c in a.concerns() {
        let raised = &a.reports[c.raised_report as usize];
        if args.from.is_some_and(|f| raised.recorded_at < f)
            || args.to.is_some_and(|t| raised.recorded_at >= end_of(t))
        {
            continue;
        }
        let before: Vec<u32> = a
            .appearances(c.node)
            .iter()
            .copied()
            .filter(|&r| r <= c.raised_report)
            .collect();
        let mut agencies: BTreeMap<String, AgencyRecord> = BTreeMap::new();
        let mut actions: BTreeMap<String, usize> = BTreeMap::new();
        let mut with_signs = 0;
        for &r in &before {
            let info = &a.reports[r as usize];
            let rec = agencies
                .entry(info.agency.as_str().to_string())
                .or_insert_with(|| AgencyRecord {
                    agency: info.agency.as_str().to_string(),
                    reports: 0,
                    kinds: BTreeMap::new(),
                    indicators: Vec::new(),
                    actions: BTreeMap::new(),
                });
            rec.reports += 1;
            *rec.kinds.entry(info.kind.as_str().to_string()).or_default() += 1;
            for i in &info.indicators {
                if !rec.indicators.contains(i) {
                    rec.indicators.push(i.clone());
                }
            }
            if info
                .indicators
                .iter()
                .any(|i| i.starts_with(['C', 'H', 'M']) && i != "CSE")
            {
                with_signs += 1;
            }
            let action = info
                .action
                .map_or("none recorded", |x| x.as_str())
                .to_string();
            *rec.actions.entry(action.clone()).or_default() += 1;
            *actions.entry(action).or_default() += 1;
        }
        lines.push(ReplayLine {
            concern_id: c.concern_id.clone(),
            person_id: c.person_id.clone(),
            name: name_of(&assessed, &c.person_id),
            tier: c.tier,
            raised_at: sightline_model::format_instant(raised.recorded_at),
            raised_by: c.raised_by,
            reports_before: before.len(),
            first_report_at: before
                .first()
                .map(|&r| sightline_model::format_instant(a.reports[r as usize].recorded_at)),
            reports_with_signs: with_signs,
            agencies: agencies.into_values().collect(),
            actions,
        });
    }
    let mut out = crate::output::open(args.out.as_deref())?;
    if args.json {
        for l in &lines {
            serde_json::to_writer(&mut out, l)?;
            writeln!(out)?;
        }
    } else {
        writeln!(
            out,
            "Missed opportunities: {} children Sightline would have raised a concern about",
            lines.len()
        )?;
        for l in &lines {
            writeln!(
                out,
                "\n{} {} ({}): concern {} would have been raised on {}, after {} reports since {} ({} with signs of risk).",
                l.person_id,
                l.name,
                l.concern_id,
                l.tier,
                &l.raised_at[..10.min(l.raised_at.len())],
                l.reports_before,
                l.first_report_at
                    .as_deref()
                    .map_or("-", |t| &t[..10.min(t.len())]),
                l.reports_with_signs
            )?;
            for ag in &l.agencies {
                writeln!(
                    out,
                    "  {:<13} {:>3} reports ({}); indicators: {}; actions: {}",
                    ag.agency,
                    ag.reports,
                    ag.kinds
                        .iter()
                        .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if ag.indicators.is_empty() {
                        "none".to_string()
                    } else {
                        ag.indicators.join(" ")
                    },
                    ag.actions
                        .iter()
                        .map(|(k, n)| format!("{n} {}", k.replace('_', " ")))
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

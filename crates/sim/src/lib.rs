//! The town simulator: a multi-agency world written as `sightline.report/1`
//! JSON Lines, sorted by `recorded_at`, with the ground truth every later
//! stage is measured against.
//!
//! The world (see `docs/simulator.md`): three local authorities with their
//! postcode districts, households of children and adults named in the
//! traditions of an English town, schools and friendships, legitimate adults
//! with cars; exploitation networks of adults around venues, cars and phones
//! recruiting children through their friends, with signs that escalate; and
//! the ordinary life of every other child, which a system must not drown in.
//! Each agency records what it sees with its own habits and errors.
//!
//! Deterministic: the same configuration and seed give the same bytes.

mod events;
pub mod names;
mod render;
pub mod world;

use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use jiff::civil::{Date, DateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::render::Rendered;

/// Noise levels: the base rate of each recording error per mention. Each
/// agency applies them through its own habits (police and voluntary-sector
/// workers err more than health records, schools use nicknames more).
#[derive(Debug, Clone, Serialize)]
pub struct Noise {
    /// A typing error in the given or family name.
    pub misspelling: f64,
    /// A nickname or short form instead of the given name.
    pub nickname: f64,
    /// Another spelling or transliteration (Mohammed/Muhammad, Smith/Smyth).
    pub variant: f64,
    /// Day and month swapped in the birth date.
    pub dob_swap: f64,
    /// A wrong digit, day, month or year in the birth date.
    pub dob_typo: f64,
    /// An out-of-date address after a move.
    pub old_address: f64,
    /// A partial vehicle registration.
    pub partial_plate: f64,
    /// Given and family names recorded the wrong way round.
    pub name_swap: f64,
}

impl Default for Noise {
    fn default() -> Self {
        Noise {
            misspelling: 0.08,
            nickname: 0.2,
            variant: 0.08,
            dob_swap: 0.03,
            dob_typo: 0.04,
            old_address: 0.35,
            partial_plate: 0.3,
            name_swap: 0.03,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub children: usize,
    pub years: u32,
    pub start_year: i16,
    /// Networks; by default one per 1,500 children (at least one).
    pub networks: Option<usize>,
    pub noise: Noise,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            children: 5000,
            years: 5,
            start_year: 2008,
            networks: None,
            noise: Noise::default(),
        }
    }
}

/// Counts of what the simulation wrote, and the realised noise.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub reports: u64,
    pub mentions: u64,
    pub child_mentions: u64,
    pub misspelt: u64,
    pub nickname: u64,
    pub variant: u64,
    pub dob_wrong: u64,
    pub dob_missing: u64,
    pub old_address: u64,
    pub changed_name: u64,
    pub middle_name: u64,
    pub swapped: u64,
    pub partial_family: u64,
    pub partial_name: u64,
    pub street_only: u64,
    pub partial_plate: u64,
    pub children: u64,
    pub adults: u64,
    pub networks: u64,
    pub victims: u64,
    pub hidden_victims: u64,
    pub perpetrators: u64,
}

impl Tally {
    /// The realised rates, as lines for a person to read.
    pub fn describe(&self) -> Vec<String> {
        let m = self.mentions.max(1) as f64;
        let pct = |n: u64| format!("{:.1}%", 100.0 * n as f64 / m);
        vec![
            format!("reports: {}", self.reports),
            format!(
                "person mentions: {} ({} of children)",
                self.mentions, self.child_mentions
            ),
            format!(
                "people: {} children, {} adults; networks: {}, victims: {} ({} hidden until late), perpetrators: {}",
                self.children,
                self.adults,
                self.networks,
                self.victims,
                self.hidden_victims,
                self.perpetrators
            ),
            format!("mentions with a misspelt name: {}", pct(self.misspelt)),
            format!("mentions with a nickname: {}", pct(self.nickname)),
            format!("mentions with a spelling variant: {}", pct(self.variant)),
            format!("mentions with a wrong birth date: {}", pct(self.dob_wrong)),
            format!(
                "mentions with no birth date (age or nothing): {}",
                pct(self.dob_missing)
            ),
            format!("mentions with an old address: {}", pct(self.old_address)),
            format!(
                "mentions after a change of family name: {}",
                pct(self.changed_name)
            ),
            format!(
                "mentions with given and family names swapped: {}",
                pct(self.swapped)
            ),
            format!(
                "mentions with a middle name in the given name: {}",
                pct(self.middle_name)
            ),
            format!(
                "mentions with one part of a double-barrelled name: {}",
                pct(self.partial_family)
            ),
            format!(
                "mentions by partial name or street name: {}",
                pct(self.partial_name)
            ),
            format!(
                "mentions of adults with only a street for an address: {}",
                pct(self.street_only)
            ),
            format!(
                "vehicle mentions with a partial plate: {}",
                self.partial_plate
            ),
        ]
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Csv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error("{0}")]
    Config(String),
}

struct Outputs {
    reports: BufWriter<File>,
    mentions: csv::Writer<File>,
    objects: csv::Writer<File>,
    /// The files' paths, for error messages.
    reports_path: std::path::PathBuf,
    mentions_path: std::path::PathBuf,
    objects_path: std::path::PathBuf,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SimError + '_ {
    move |source| SimError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> SimError + '_ {
    move |source| SimError::Csv {
        path: path.display().to_string(),
        source,
    }
}

/// A report waiting in the reorder buffer, earliest `recorded_at` first.
struct Pending(DateTime, u64, Rendered);

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.0, self.1) == (o.0, o.1)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.0, o.1).cmp(&(self.0, self.1))
    }
}

/// Simulates a world into `out`: `reports.jsonl` and `truth/`.
pub fn simulate(cfg: &SimConfig, out: &Path) -> Result<Tally, SimError> {
    if cfg.children == 0 || cfg.years == 0 {
        return Err(SimError::Config(
            "--children and --years must be at least 1".into(),
        ));
    }
    let truth = out.join("truth");
    std::fs::create_dir_all(&truth).map_err(io(&truth))?;
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let start = Date::new(cfg.start_year, 1, 1).map_err(|e| SimError::Config(e.to_string()))?;
    let end = Date::new(cfg.start_year + cfg.years as i16, 1, 1)
        .map_err(|e| SimError::Config(e.to_string()))?;
    let networks = cfg.networks.unwrap_or((cfg.children / 1500).max(1));
    let world = world::build(
        &world::Params {
            children: cfg.children,
            start,
            end,
            networks,
            victims_per_network: (4, 10),
            hidden_share: 0.2,
        },
        &mut rng,
    );
    let mut tally = Tally::default();
    write_truth(&world, &truth, &mut tally)?;

    let path = out.join("reports.jsonl");
    let mentions_path = truth.join("mentions.csv");
    let objects_path = truth.join("objects.csv");
    let mut o = Outputs {
        reports: BufWriter::with_capacity(1 << 20, File::create(&path).map_err(io(&path))?),
        mentions: csv::Writer::from_path(&mentions_path).map_err(csv_err(&mentions_path))?,
        objects: csv::Writer::from_path(&objects_path).map_err(csv_err(&objects_path))?,
        reports_path: path.clone(),
        mentions_path: mentions_path.clone(),
        objects_path: objects_path.clone(),
    };
    o.mentions
        .write_record(["agency", "system", "record_id", "ref", "person_id"])
        .map_err(csv_err(&mentions_path))?;
    o.objects
        .write_record(["agency", "system", "record_id", "ref", "kind", "entity_id"])
        .map_err(csv_err(&objects_path))?;

    let children: Vec<usize> = (0..world.people.len())
        .filter(|&i| world.people[i].child)
        .collect();
    let months = i64::from(cfg.years) * 12;
    let mut heap: BinaryHeap<Pending> = BinaryHeap::new();
    let mut counters: BTreeMap<String, u64> = BTreeMap::new();
    let mut seq = 0u64;
    // Sum of the annual rates of ordinary events is about 0.6 per child.
    const ORDINARY_PER_YEAR: f64 = 0.62;
    for m in 0..months {
        let first = events::month_start(start, m);
        let next = events::month_start(start, m + 1);
        let days = next.since(first).map(|s| s.get_days()).unwrap_or(30).max(1);
        let day = |rng: &mut ChaCha8Rng| {
            first
                .checked_add(jiff::Span::new().days(rng.random_range(0..days)))
                .unwrap_or(first)
        };
        let mut ctx = events::Ctx {
            world: &world,
            noise: &cfg.noise,
            tally: &mut tally,
            out: Vec::new(),
        };
        for &c in &children {
            let p = &world.people[c];
            if p.dob > first || p.age_on(first) >= 18 {
                continue;
            }
            if rng.random_bool(ORDINARY_PER_YEAR / 12.0) {
                let d = day(&mut rng);
                ctx.ordinary(c, d, &mut rng);
            }
        }
        for (h, hh) in world.households.iter().enumerate() {
            let rate = if hh.domestic_abuse { 0.8 } else { 0.005 };
            if !hh.children.is_empty() && rng.random_bool(rate / 12.0) {
                let d = day(&mut rng);
                ctx.domestic_abuse(h, d, &mut rng);
            }
        }
        for (n, net) in world.networks.iter().enumerate() {
            let mut any_active = false;
            for (v, victim) in net.victims.iter().enumerate() {
                if victim.start >= next {
                    continue;
                }
                any_active = true;
                let since = events::months_between(victim.start, first);
                // Signs escalate: about one report a month at first, three
                // or four a month after half a year.
                let rate = (0.9 + since as f64 * 0.4).min(3.5);
                let count = poisson(&mut rng, rate);
                for _ in 0..count {
                    let d = day(&mut rng).max(victim.start);
                    ctx.exploitation(n, v, since, d, &mut rng);
                }
            }
            if any_active && rng.random_bool(0.35) {
                let d = day(&mut rng);
                ctx.intelligence(n, d, &mut rng);
            }
            for &a in &net.adults {
                if rng.random_bool(0.15 / 12.0 * 12.0 / 12.0) {
                    let d = day(&mut rng);
                    ctx.adult_offence(a, d, &mut rng);
                }
            }
        }
        for (builder, author) in std::mem::take(&mut ctx.out) {
            let la = &world.las[builder.la];
            let system = builder.agency.system(la.tag);
            let counter = counters.entry(system).or_insert(0);
            *counter += 1;
            let record_id = match builder.agency {
                render::Agency::Police => {
                    format!("{}/{}/{:06}", la.tag, builder.recorded.year(), counter)
                }
                render::Agency::SocialCare => format!("CON-{:07}", counter),
                render::Agency::Health => format!("ATT-{:07}", counter),
                render::Agency::Education => format!("CP{:06}", counter),
                render::Agency::Voluntary => format!("RHI-{:05}", counter),
                render::Agency::YouthJustice => format!("YJ-{:05}", counter),
                render::Agency::Housing => format!("HSG-{:05}", counter),
                render::Agency::Business => format!("BR-{:05}", counter),
            };
            let rendered = builder.finish(&world, record_id, author);
            seq += 1;
            heap.push(Pending(rendered.recorded, seq, rendered));
        }
        // Nothing simulated later can be recorded before the next month
        // begins, so everything recorded before then can be written.
        let horizon = next.to_datetime(jiff::civil::Time::midnight());
        while heap.peek().is_some_and(|p| p.0 < horizon) {
            if let Some(Pending(_, _, r)) = heap.pop() {
                write_report(&mut o, r, &mut tally)?;
            }
        }
    }
    while let Some(Pending(_, _, r)) = heap.pop() {
        write_report(&mut o, r, &mut tally)?;
    }
    o.reports.flush().map_err(io(&path))?;
    o.mentions.flush().map_err(io(&mentions_path))?;
    o.objects.flush().map_err(io(&objects_path))?;
    let noise_path = truth.join("noise.json");
    let summary = serde_json::json!({"config": {"seed": cfg.seed, "children": cfg.children, "years": cfg.years, "start_year": cfg.start_year, "networks": networks, "noise": cfg.noise}, "realised": tally});
    std::fs::write(
        &noise_path,
        serde_json::to_vec_pretty(&summary).unwrap_or_default(),
    )
    .map_err(io(&noise_path))?;
    Ok(tally)
}

fn poisson(rng: &mut impl Rng, mean: f64) -> u32 {
    // Knuth's method: fine for the small means used here.
    let l = (-mean).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.random::<f64>();
        if p <= l || k > 50 {
            return k;
        }
        k += 1;
    }
}

fn write_report(o: &mut Outputs, r: Rendered, tally: &mut Tally) -> Result<(), SimError> {
    let path = o.reports_path.as_path();
    serde_json::to_writer(&mut o.reports, &r.json).map_err(|e| SimError::Io {
        path: path.display().to_string(),
        source: e.into(),
    })?;
    o.reports.write_all(b"\n").map_err(io(path))?;
    for (reference, person) in &r.people {
        o.mentions
            .write_record([r.agency, &r.system, &r.record_id, reference, person])
            .map_err(csv_err(&o.mentions_path))?;
    }
    for (reference, kind, entity) in &r.objects {
        o.objects
            .write_record([r.agency, &r.system, &r.record_id, reference, kind, entity])
            .map_err(csv_err(&o.objects_path))?;
    }
    tally.reports += 1;
    Ok(())
}

fn write_truth(w: &world::World, dir: &Path, tally: &mut Tally) -> Result<(), SimError> {
    let path = dir.join("people.csv");
    let mut people = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
    people
        .write_record([
            "person_id",
            "kind",
            "given",
            "family",
            "sex",
            "birth_date",
            "household",
            "local_authority",
            "team",
            "ethnicity",
            "alias",
            "family_from",
            "family_after",
        ])
        .map_err(csv_err(&path))?;
    let mut victim_of: BTreeMap<usize, (&str, String, Option<String>)> = BTreeMap::new();
    let mut perp_of: BTreeMap<usize, &str> = BTreeMap::new();
    for n in &w.networks {
        for v in &n.victims {
            victim_of.insert(
                v.person,
                (
                    &n.id,
                    v.start.to_string(),
                    v.hidden_until.map(|d| d.to_string()),
                ),
            );
        }
        for &a in &n.adults {
            perp_of.insert(a, &n.id);
        }
    }
    for p in &w.people {
        let hh = p.household.map(|h| &w.households[h]);
        // The responsible authority and team: where the child lives at the
        // end of the period.
        let (la, team) = match hh {
            Some(h) => {
                let a = &w.addresses[h.addresses.last().map_or(0, |x| x.1)];
                let l = &w.las[a.la];
                (
                    l.code.to_string(),
                    if p.child {
                        l.team_for(a.district())
                    } else {
                        String::new()
                    },
                )
            }
            None => (String::new(), String::new()),
        };
        let (from, after) = p
            .name_change
            .as_ref()
            .map_or((String::new(), String::new()), |(d, n)| {
                (d.to_string(), n.clone())
            });
        people
            .write_record([
                p.id.as_str(),
                if p.child { "child" } else { "adult" },
                p.given,
                &p.family,
                if p.female { "female" } else { "male" },
                &p.dob.to_string(),
                &p.household.map(|h| format!("H{h:06}")).unwrap_or_default(),
                &la,
                &team,
                p.tradition.ethnicity(),
                p.alias.unwrap_or(""),
                &from,
                &after,
            ])
            .map_err(csv_err(&path))?;
        if p.child {
            tally.children += 1;
        } else {
            tally.adults += 1;
        }
    }
    people.flush().map_err(io(&path))?;

    // Every household's homes over time, so that scorers can ask who was
    // responsible for a child on a given date (the people file only says
    // where the household lived at the end).
    let path = dir.join("homes.csv");
    let mut homes = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
    homes
        .write_record([
            "household",
            "moved_in",
            "postcode",
            "local_authority",
            "children_team",
        ])
        .map_err(csv_err(&path))?;
    for (h, household) in w.households.iter().enumerate() {
        for (moved_in, address) in &household.addresses {
            let a = &w.addresses[*address];
            let l = &w.las[a.la];
            homes
                .write_record([
                    format!("H{h:06}").as_str(),
                    &moved_in.to_string(),
                    &a.postcode,
                    l.code,
                    &l.team_for(a.district()),
                ])
                .map_err(csv_err(&path))?;
        }
    }
    homes.flush().map_err(io(&path))?;

    let path = dir.join("victims.csv");
    let mut victims = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
    victims
        .write_record([
            "person_id",
            "network_id",
            "exploitation_start",
            "hidden_until",
        ])
        .map_err(csv_err(&path))?;
    for (person, (net, start, hidden)) in &victim_of {
        victims
            .write_record([
                w.people[*person].id.as_str(),
                net,
                start,
                hidden.as_deref().unwrap_or(""),
            ])
            .map_err(csv_err(&path))?;
        tally.victims += 1;
        if hidden.is_some() {
            tally.hidden_victims += 1;
        }
    }
    victims.flush().map_err(io(&path))?;

    let path = dir.join("perpetrators.csv");
    let mut perps = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
    perps
        .write_record(["person_id", "network_id"])
        .map_err(csv_err(&path))?;
    for (person, net) in &perp_of {
        perps
            .write_record([w.people[*person].id.as_str(), net])
            .map_err(csv_err(&path))?;
        tally.perpetrators += 1;
    }
    perps.flush().map_err(io(&path))?;

    let path = dir.join("networks.csv");
    let mut nets = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
    nets.write_record([
        "network_id",
        "local_authority",
        "adults",
        "victims",
        "vehicles",
        "phones",
        "places",
    ])
    .map_err(csv_err(&path))?;
    for n in &w.networks {
        let ids = |v: &[usize], f: &dyn Fn(usize) -> String| {
            v.iter().map(|&i| f(i)).collect::<Vec<_>>().join(";")
        };
        nets.write_record([
            n.id.as_str(),
            w.las[n.la].code,
            &ids(&n.adults, &|i| w.people[i].id.clone()),
            &n.victims
                .iter()
                .map(|v| w.people[v.person].id.clone())
                .collect::<Vec<_>>()
                .join(";"),
            &ids(&n.cars, &|i| w.cars[i].id.clone()),
            &n.phones
                .iter()
                .map(|p| p.replace(' ', ""))
                .collect::<Vec<_>>()
                .join(";"),
            &ids(&n.venues, &|i| w.places[i].id.clone()),
        ])
        .map_err(csv_err(&path))?;
        tally.networks += 1;
    }
    nets.flush().map_err(io(&path))?;
    Ok(())
}

//! The simulator's contract: deterministic, valid reports in data-time
//! order, and ground truth for every mention.

use std::collections::{HashMap, HashSet};

use sightline_sim::{SimConfig, simulate};

fn small(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        children: 400,
        years: 2,
        ..SimConfig::default()
    }
}

fn read(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn same_seed_same_world_and_another_seed_another() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    simulate(&small(7), a.path()).unwrap();
    simulate(&small(7), b.path()).unwrap();
    simulate(&small(8), c.path()).unwrap();
    for f in [
        "reports.jsonl",
        "truth/mentions.csv",
        "truth/people.csv",
        "truth/victims.csv",
    ] {
        assert_eq!(read(a.path(), f), read(b.path(), f), "{f}");
    }
    assert_ne!(
        read(a.path(), "reports.jsonl"),
        read(c.path(), "reports.jsonl")
    );
}

#[test]
fn reports_are_valid_sorted_and_fully_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let tally = simulate(&small(3), dir.path()).unwrap();
    let now = jiff::Timestamp::now();
    let mut last = None;
    let mut mentions = HashSet::new();
    let mut ids = HashSet::new();
    let mut warned = 0;
    for line in read(dir.path(), "reports.jsonl").lines() {
        let accepted = sightline_model::receive_bytes(line.as_bytes(), now)
            .unwrap_or_else(|r| panic!("simulated report rejected: {:?}\n{line}", r.reasons));
        if !accepted.warnings.is_empty() {
            warned += 1;
        }
        let r = &accepted.report;
        let t = r.recorded_at.instant;
        assert!(last.is_none_or(|l| l <= t), "not sorted by recorded_at");
        last = Some(t);
        assert!(ids.insert(r.key()), "record ids are unique");
        for p in &r.people {
            mentions.insert((
                r.source.agency.as_str().to_string(),
                r.source.system.clone(),
                r.source.record_id.clone(),
                p.ref_.clone(),
            ));
        }
    }
    assert_eq!(ids.len() as u64, tally.reports);
    assert!(
        warned * 100 < tally.reports,
        "{warned} of {} reports have warnings",
        tally.reports
    );
    let truth = read(dir.path(), "truth/mentions.csv");
    let mut labelled = HashSet::new();
    for row in truth.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        labelled.insert((
            f[0].to_string(),
            f[1].to_string(),
            f[2].to_string(),
            f[3].to_string(),
        ));
    }
    assert_eq!(
        labelled, mentions,
        "every person mention has exactly one true identity"
    );
}

#[test]
fn victims_escalate_and_some_are_hidden_at_scale() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = SimConfig {
        seed: 1,
        children: 3000,
        years: 4,
        ..SimConfig::default()
    };
    let tally = simulate(&cfg, dir.path()).unwrap();
    assert!(tally.victims >= 4, "{tally:?}");
    assert!(tally.perpetrators >= 3);
    // Victims are the subject of more reports than other children.
    let victims: HashSet<String> = read(dir.path(), "truth/victims.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let mut per_person: HashMap<String, usize> = HashMap::new();
    for row in read(dir.path(), "truth/mentions.csv").lines().skip(1) {
        *per_person
            .entry(row.rsplit(',').next().unwrap().to_string())
            .or_default() += 1;
    }
    let mean = |set: &mut dyn Iterator<Item = usize>| {
        let v: Vec<usize> = set.collect();
        v.iter().sum::<usize>() as f64 / v.len().max(1) as f64
    };
    let v = mean(
        &mut victims
            .iter()
            .map(|p| per_person.get(p).copied().unwrap_or(0)),
    );
    let others = mean(
        &mut per_person
            .iter()
            .filter(|(p, _)| !victims.contains(*p))
            .map(|(_, n)| *n),
    );
    assert!(
        v > 5.0 * others,
        "victims {v:.1} mentions each, others {others:.1}"
    );
}

//! Links the person mentions of a JSON Lines report file without a store
//! and writes the person-links CSV: the fast loop for working on the linker.
//!
//!     cargo run --release -p sightline-link --example link_jsonl REPORTS.jsonl OUT.csv

use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

use sightline_link::{LinkConfig, Linker, NameTable, fit, records_of};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (input, output) = (&args[1], &args[2]);
    let start = Instant::now();
    let mut mentions = Vec::new();
    let received = jiff::Timestamp::now();
    for line in std::io::BufReader::new(std::fs::File::open(input)?).lines() {
        let line = line?;
        if let Ok(accepted) = sightline_model::receive_bytes(line.as_bytes(), received) {
            mentions.extend(records_of(&accepted.report));
        }
    }
    let read = start.elapsed();
    let names = NameTable::default_table();
    let mut cfg = LinkConfig::default();
    if std::env::var("NO_MERGE").is_ok() {
        cfg.merge = false;
    }
    if let Ok(c) = std::env::var("BLOCK_CAP") {
        cfg.block_cap = c.parse()?;
    }
    if let Ok(c) = std::env::var("U_PAIRS") {
        cfg.u_pairs = c.parse()?;
    }
    if let Ok(c) = std::env::var("LAMBDA_SAMPLE") {
        cfg.lambda_sample = c.parse()?;
    }
    if let Ok(c) = std::env::var("PER_PERSON") {
        cfg.per_person = c.parse()?;
    }
    if let Ok(t) = std::env::var("THRESHOLD") {
        cfg.threshold = t.parse()?;
    }
    let records: Vec<_> = mentions.iter().map(|(_, r)| r.clone()).collect();
    let (model, report) = fit(&records, &names, &cfg);
    let fitted = start.elapsed();
    eprintln!("{}", serde_json::to_string_pretty(&report)?);
    for (f, p) in sightline_link::Field::ALL.iter().zip(&model.fields) {
        let w: Vec<String> = (0..p.m.len())
            .map(|l| format!("{:+.1}", p.weight(l)))
            .collect();
        eprintln!(
            "{:<12} m={:?}\n{:<12} w={}",
            f.id(),
            p.m.iter()
                .map(|x| (x * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>(),
            "",
            w.join(" ")
        );
    }
    for n in &model.notes {
        eprintln!("note: {n}");
    }
    let mut linker = Linker::new(model, names, cfg);
    let mut compared = 0usize;
    // HOLDOUT=N: the last N mentions are linked one at a time after all the
    // others, each timed: the latency of linking one new mention.
    let holdout: usize = std::env::var("HOLDOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
        .min(mentions.len());
    let split = mentions.len() - holdout;
    let mut latencies = Vec::with_capacity(holdout);
    let later = mentions.split_off(split);
    for a in linker.add_all(mentions) {
        compared += a.candidates;
    }
    for (id, r) in later {
        let t = Instant::now();
        compared += linker.add(id, r).candidates;
        latencies.push(t.elapsed());
    }
    let linked = start.elapsed();
    if !latencies.is_empty() {
        latencies.sort();
        let at =
            |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        eprintln!(
            "one new mention against {split}: p50 {:.2?}, p99 {:.2?}, max {:.2?} ({} mentions)",
            at(0.5),
            at(0.99),
            latencies[latencies.len() - 1],
            latencies.len()
        );
    }
    if let Ok(truth_path) = std::env::var("TRUTH") {
        diagnose(&linker, &truth_path)?;
    }
    let mut out = BufWriter::new(std::fs::File::create(output)?);
    writeln!(out, "agency,system,record_id,ref,person_id")?;
    for i in 0..linker.len() as u32 {
        let parts = sightline_link::parse_mention_id(linker.id(i)).ok_or("bad id")?;
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(
            parts
                .iter()
                .map(String::as_str)
                .chain([format!("L{}", linker.person_of(i)).as_str()]),
        )?;
        out.write_all(&w.into_inner()?)?;
    }
    eprintln!(
        "{} mentions -> {} persons; read {:.2?}, fit {:.2?}, link {:.2?} ({} comparisons)",
        linker.len(),
        linker.persons().count(),
        read,
        fitted - read,
        linked - fitted,
        compared
    );
    Ok(())
}

/// Prints samples of missed and wrong links against a truth mentions.csv.
fn diagnose(linker: &Linker, truth_path: &str) -> Result<(), Box<dyn std::error::Error>> {
    use std::collections::HashMap;
    let mut truth: HashMap<String, String> = HashMap::new();
    for row in csv::Reader::from_path(truth_path)?.records() {
        let row = row?;
        truth.insert(
            sightline_link::mention_id(&row[0], &row[1], &row[2], &row[3]),
            row[4].to_string(),
        );
    }
    let show = |i: u32| {
        let r = linker.record(i);
        format!(
            "{} | {} | {:?} age {:?} | {:?} {:?} | ph {:?} | id {:?} | {:?}",
            r.given
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            r.family_text(),
            r.birth.map(|b| (b.year, b.month, b.day)),
            r.age.map(|a| a.0),
            r.postcodes,
            r.addresses,
            r.phones,
            r.identifiers.len(),
            r.sex
        )
    };
    let mut by_true: HashMap<&str, Vec<u32>> = HashMap::new();
    for i in 0..linker.len() as u32 {
        if let Some(t) = truth.get(linker.id(i)) {
            by_true.entry(t).or_default().push(i);
        }
    }
    // Candidates brought by each blocking rule, over a sample of records.
    let mut by_rule: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for i in (0..linker.len() as u32).step_by((linker.len() / 5000).max(1)) {
        for (rule, n) in linker.brought_by_rule(linker.record(i)) {
            let e = by_rule.entry(format!("{rule:?}")).or_default();
            e.0 += 1;
            e.1 += n;
        }
    }
    for (rule, (keys, brought)) in &by_rule {
        println!("rule {rule:<16} keys {keys:>6} brought {brought:>8}");
    }
    // Pair recall of blocking: the share of true pairs that share a key.
    let (mut found, mut total) = (0u64, 0u64);
    for members in by_true.values() {
        for (x, &i) in members.iter().enumerate() {
            let candidates = linker.candidates(linker.record(i));
            for &j in &members[x + 1..] {
                total += 1;
                if candidates.binary_search(&j).is_ok() {
                    found += 1;
                }
            }
        }
    }
    println!(
        "blocking pair recall: {found} of {total} true pairs ({:.4})",
        found as f64 / total.max(1) as f64
    );
    let limit: usize = std::env::var("SHOW")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let mut keys: Vec<&&str> = by_true.keys().collect();
    keys.sort();
    let mut shown = 0;
    println!("== missed links (same true person, different resolved persons)");
    for t in keys {
        let members = &by_true[*t];
        let first = members[0];
        for &m in &members[1..] {
            if linker.person_of(m) != linker.person_of(first) && shown < limit {
                let (c, _) = linker.field_weights(linker.record(m), linker.record(first));
                println!(
                    "{t}: w={:+.1} gamma={:?} cands={}\n  A {}\n  B {}",
                    linker.weight(linker.record(m), linker.record(first)),
                    c.gamma,
                    linker.candidates(linker.record(m)).contains(&first),
                    show(m),
                    show(first)
                );
                let (am, af) = (linker.assignment(m), linker.assignment(first));
                println!(
                    "  A rec {m} joined {:?} w {:?} new {}; B rec {first} joined {:?} w {:?}; persons {} / {}",
                    am.best_match,
                    am.weight,
                    am.new_person,
                    af.best_match,
                    af.weight,
                    linker.person_of(m),
                    linker.person_of(first)
                );
                let later = m.max(first);
                let other = if later == m { first } else { m };
                for &x in linker.members(linker.person_of(other)) {
                    if x < later {
                        let (cx, _) = linker.field_weights(linker.record(later), linker.record(x));
                        if let Some(why) = sightline_link::hard_conflict(&cx) {
                            println!("    conflict of {later} with {x}: {why}: {}", show(x));
                        }
                    }
                }
                shown += 1;
                break;
            }
        }
    }
    println!("== wrong links (different true persons, same resolved person)");
    shown = 0;
    for p in linker.persons() {
        let members = linker.members(p);
        let first = members[0];
        for &m in &members[1..] {
            if truth.get(linker.id(m)) != truth.get(linker.id(first)) && shown < limit {
                let (c, _) = linker.field_weights(linker.record(m), linker.record(first));
                println!(
                    "w={:+.1} gamma={:?}\n  A {} {:?}\n  B {} {:?}",
                    linker.weight(linker.record(m), linker.record(first)),
                    c.gamma,
                    show(m),
                    truth.get(linker.id(m)),
                    show(first),
                    truth.get(linker.id(first))
                );
                shown += 1;
                break;
            }
        }
    }
    Ok(())
}

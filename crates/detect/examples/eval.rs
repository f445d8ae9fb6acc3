//! Evaluates the default rules on an annotated corpus, and measures
//! throughput (see bench/detect/run.sh and docs/benchmarks.md).
//!
//!   cargo run --release -p sightline-detect --example eval -- CORPUS.jsonl [...]
//!
//! Each corpus line: {"id","style","text","labels":[{"indicator","experiencer",...}],
//! "negated":[{"indicator","experiencer"}]}. Gold: the set of (indicator,
//! experiencer) pairs present and not negated; predicted: the same from the
//! detector's non-negated hits. Micro-averaged precision and recall, per
//! indicator, and negation and experiencer errors counted apart.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde_json::Value;

// The allocator the `sightline` binary ships with, so that throughput is
// measured as it runs there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use sightline_detect::{Detector, Experiencer, load_rules};

type Pair = (String, String);

/// Whether the corpus annotates an indicator: the catalogue's ids (C1-C4,
/// H1-H13, M1-M14, V1-V10) and the response signals NA and VB. Other ids a
/// rule set may report (the recorded professional concern `CSE`, RR) are
/// not annotated, so they are left out of the scores rather than counted
/// as false positives.
fn annotated(id: &str) -> bool {
    if id == "NA" || id == "VB" {
        return true;
    }
    let (tier, n) = id.split_at(1.min(id.len()));
    let max = match tier {
        "C" => 4,
        "H" => 13,
        "M" => 14,
        "V" => 10,
        _ => return false,
    };
    n.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n))
}

fn pairs(v: &Value) -> BTreeSet<Pair> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| {
                    Some((
                        l["indicator"].as_str()?.to_string(),
                        l["experiencer"].as_str().unwrap_or("subject").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Default)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Counts {
    fn p(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn r(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    fn f(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: eval CORPUS.jsonl [...]");
        std::process::exit(2);
    }
    let rules = load_rules(None).expect("default rules");
    let detector = Detector::compile(&rules).expect("compile");
    let verbose = std::env::var("EVAL_VERBOSE").is_ok();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read corpus");
        let mut total = Counts::default();
        let mut per: BTreeMap<String, Counts> = BTreeMap::new();
        let (mut negation_errors, mut experiencer_errors, mut n) = (0u64, 0u64, 0u64);
        // Flags on true positives: [hedged, historical] × (gold, predicted).
        let mut flags = [[0u64; 4]; 2];
        let mut texts = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let item: Value = serde_json::from_str(line).expect("corpus line");
            let narrative = item["text"].as_str().unwrap_or("").to_string();
            let gold = pairs(&item["labels"]);
            let gold_negated = pairs(&item["negated"]);
            let hits = detector.detect(&narrative, None);
            let who = |e: Experiencer| {
                if e == Experiencer::Subject {
                    "subject"
                } else {
                    "other"
                }
                .to_string()
            };
            let predicted: BTreeSet<Pair> = hits
                .iter()
                .filter(|h| !h.negated && annotated(&h.indicator))
                .map(|h| (h.indicator.clone(), who(h.experiencer)))
                .collect();
            let predicted_negated: BTreeSet<Pair> = hits
                .iter()
                .filter(|h| h.negated && annotated(&h.indicator))
                .map(|h| (h.indicator.clone(), who(h.experiencer)))
                .collect();
            for p in &predicted {
                let c = per.entry(p.0.clone()).or_default();
                if gold.contains(p) {
                    total.tp += 1;
                    c.tp += 1;
                    // A pair is hedged (historical) when every mention is.
                    let label = item["labels"].as_array().and_then(|a| {
                        a.iter().find(|l| {
                            l["indicator"].as_str() == Some(p.0.as_str())
                                && l["experiencer"].as_str().unwrap_or("subject") == p.1
                        })
                    });
                    let mine: Vec<_> = hits
                        .iter()
                        .filter(|h| !h.negated && h.indicator == p.0 && who(h.experiencer) == p.1)
                        .collect();
                    for (k, (gold_flag, predicted_flag)) in [
                        (
                            label.and_then(|l| l["hedged"].as_bool()).unwrap_or(false),
                            mine.iter().all(|h| h.hedged),
                        ),
                        (
                            label
                                .and_then(|l| l["historical"].as_bool())
                                .unwrap_or(false),
                            mine.iter().all(|h| h.historical),
                        ),
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        flags[k][usize::from(gold_flag) * 2 + usize::from(predicted_flag)] += 1;
                    }
                } else {
                    total.fp += 1;
                    c.fp += 1;
                    if gold_negated.contains(p) {
                        negation_errors += 1;
                    }
                    let flipped = (
                        p.0.clone(),
                        if p.1 == "subject" {
                            "other".into()
                        } else {
                            "subject".into()
                        },
                    );
                    if gold.contains(&flipped) {
                        experiencer_errors += 1;
                    }
                    if verbose {
                        eprintln!("FP {} {:?}: {}", item["id"], p, narrative);
                        for h in hits.iter().filter(|h| {
                            !h.negated && h.indicator == p.0 && who(h.experiencer) == p.1
                        }) {
                            let span = match (h.start, h.end) {
                                (Some(s), Some(e)) => &narrative[s..e],
                                _ => "",
                            };
                            eprintln!("   by {} [{span}] in: {}", h.rule, h.sentence);
                        }
                    }
                }
            }
            for g in &gold {
                if !predicted.contains(g) {
                    total.fn_ += 1;
                    per.entry(g.0.clone()).or_default().fn_ += 1;
                    if predicted_negated.contains(g) {
                        negation_errors += 1;
                    }
                    if verbose {
                        eprintln!("FN {} {:?}: {}", item["id"], g, narrative);
                        // Found but negated, or found for the other person.
                        for h in hits.iter().filter(|h| h.indicator == g.0) {
                            let span = match (h.start, h.end) {
                                (Some(s), Some(e)) => &narrative[s..e],
                                _ => "",
                            };
                            eprintln!(
                                "   had {} {} negated={} [{span}] in: {}",
                                h.rule,
                                who(h.experiencer),
                                h.negated,
                                h.sentence
                            );
                        }
                    }
                }
            }
            n += 1;
            texts.push(narrative);
        }
        println!(
            "{file}: {n} narratives, {} gold pairs",
            total.tp + total.fn_
        );
        println!(
            "  micro precision {:.3}  recall {:.3}  F1 {:.3}",
            total.p(),
            total.r(),
            total.f()
        );
        println!("  negation errors {negation_errors}, experiencer errors {experiencer_errors}");
        for (name, f) in ["hedged", "historical"].iter().zip(flags) {
            // f: [gold no/pred no, gold no/pred yes, gold yes/pred no, gold yes/pred yes]
            let agree = f[0] + f[3];
            let all = f.iter().sum::<u64>();
            println!(
                "  {name} flag on true positives: agrees {agree}/{all} ({:.3}); gold {} (found {}), predicted {} (right {})",
                agree as f64 / all.max(1) as f64,
                f[2] + f[3],
                f[3],
                f[1] + f[3],
                f[3]
            );
        }
        println!("  indicator  tp  fp  fn  precision recall");
        for (id, c) in &per {
            println!(
                "  {id:<9} {:>3} {:>3} {:>3}  {:>8.2} {:>6.2}",
                c.tp,
                c.fp,
                c.fn_,
                c.p(),
                c.r()
            );
        }
        // Throughput: the corpus repeated to at least 20 MB (or EVAL_MB),
        // one core.
        let target_mb: usize = std::env::var("EVAL_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        let bytes: usize = texts.iter().map(String::len).sum();
        if let Some(rounds) = (target_mb * 1_000_000).checked_div(bytes) {
            let rounds = rounds.max(1);
            let start = Instant::now();
            let mut found = 0usize;
            for _ in 0..rounds {
                for t in &texts {
                    found += detector.detect(t, None).len();
                }
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "  throughput: {:.1} MB/s on one core ({} MB in {:.2} s, {found} hits)",
                (bytes * rounds) as f64 / secs / 1e6,
                bytes * rounds / 1_000_000,
                secs
            );
        }
    }
}

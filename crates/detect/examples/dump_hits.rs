//! Prints every hit of the default rules for every narrative of a corpus,
//! one JSON line per hit, so that two builds' outputs can be compared with
//! `diff` (a speed change must leave them identical):
//!
//!   cargo run --release -p sightline-detect --example dump_hits -- CORPUS.jsonl [...]

use serde_json::Value;
use sightline_detect::{Detector, load_rules};

fn main() {
    let rules = load_rules(None).expect("default rules");
    let detector = Detector::compile(&rules).expect("compile");
    for file in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&file).expect("read corpus");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let item: Value = serde_json::from_str(line).expect("corpus line");
            let narrative = item["text"].as_str().unwrap_or("");
            for hit in detector.detect(narrative, None) {
                println!(
                    "{} {}",
                    item["id"],
                    serde_json::to_string(&hit).expect("hit as JSON")
                );
            }
        }
    }
}

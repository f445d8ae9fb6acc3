//! Prints the default rules' hits for a text (debugging aid):
//!   cargo run --release -p sightline-detect --example hits -- "TEXT"
use sightline_detect::{Detector, load_rules};

fn main() {
    let d = Detector::compile(&load_rules(None).expect("rules")).expect("compile");
    for text in std::env::args().skip(1) {
        for h in d.detect(&text, None) {
            let span = match (h.start, h.end) {
                (Some(s), Some(e)) => &text[s..e],
                _ => "",
            };
            println!(
                "{:<4} {:?} neg={} hedge={} hist={} rule={} [{span}]",
                h.indicator, h.experiencer, h.negated, h.hedged, h.historical, h.rule
            );
        }
    }
}

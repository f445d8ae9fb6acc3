//! Indicator detection: what the frontline worker would have spotted.
//!
//! Rules (`rules/default.toml`, format in `docs/rules.md`) name each
//! indicator of the catalogue with its tier and source, and trigger on coded
//! factors, report kinds, structured facts and narrative phrases. Phrases of
//! every rule are compiled into one word-level automaton (an Aho–Corasick
//! goto trie whose alphabet is word ids); each written word is read once,
//! through a lexicon of every inflection of every pattern word computed when
//! the rules are compiled, so that detection stems nothing but rare long
//! words. A ConText-style pass marks each hit negated, hedged, historical,
//! and whether it is about the subject child or someone else.
//!
//! Architecture invariant: no I/O. The caller passes text or a report.

pub mod engine;
pub mod rules;
pub mod text;

pub use engine::{Detector, Evidence, Experiencer, Hit, ReportFacts};
pub use rules::{RuleError, RuleFile, Tier};

use sightline_model::{Action, Report, Role};

/// The default rule set, shipped in the binary.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.toml");

/// Loads the default rules, with an organisation's overrides if given.
pub fn load_rules(overrides: Option<(&str, &str)>) -> Result<RuleFile, Vec<RuleError>> {
    let base = rules::load(DEFAULT_RULES, "default rules")?;
    match overrides {
        None => Ok(base),
        Some((text, file)) => Ok(rules::merge(base, rules::load_overrides(text, file)?)),
    }
}

/// The structured context of a report for structured triggers.
pub fn report_facts(report: &Report) -> ReportFacts {
    let on = report.event_time().uk_date;
    let subject = report
        .people
        .iter()
        .find(|p| p.role == Role::Subject)
        .or_else(|| report.people.iter().find(|p| p.role == Role::Victim));
    let age_of = |p: &sightline_model::PersonMention| -> Option<i32> {
        p.birth_date
            .and_then(|b| b.age_on(on))
            .or(p.age.map(i32::from))
    };
    let subject_age = subject.and_then(age_of);
    let mut facts = Vec::new();
    if let (Some(s), Some(age)) = (subject, subject_age)
        && age < 18
    {
        let older = report.people.iter().any(|p| {
            matches!(p.role, Role::Associate | Role::Suspect | Role::Other)
                && age_of(p).is_some_and(|a| a >= 18 && a >= age + 5)
        });
        if older {
            facts.push(rules::Fact::OlderAdultPresent);
        }
        // The subject a passenger in a vehicle an adult drives.
        let rides: Vec<&str> = report
            .relations
            .iter()
            .filter(|r| r.from == s.ref_ && r.kind.as_str() == "passenger")
            .map(|r| r.to.as_str())
            .collect();
        let adult_driver = report.relations.iter().any(|r| {
            r.kind.as_str() == "driving"
                && rides.contains(&r.to.as_str())
                && report.people.iter().any(|p| {
                    p.ref_ == r.from
                        && p.role != Role::ParentCarer
                        && age_of(p).is_none_or(|a| a >= 18)
                })
        });
        if adult_driver {
            facts.push(rules::Fact::PassengerOfAdultDriver);
        }
        for place in &report.places {
            let seen = report.relations.iter().any(|r| {
                r.from == s.ref_
                    && Some(&r.to) == place.ref_.as_ref()
                    && r.kind.as_str() == "seen_at"
            });
            if seen && let Some(category) = &place.category {
                for c in [
                    rules::PlaceCategory::Hotel,
                    rules::PlaceCategory::Takeaway,
                    rules::PlaceCategory::Flat,
                    rules::PlaceCategory::TaxiRank,
                    rules::PlaceCategory::CarPark,
                    rules::PlaceCategory::Park,
                ] {
                    if c.matches(category) {
                        facts.push(rules::Fact::PlaceCategory(c));
                    }
                }
            }
        }
    }
    match report.outcome.as_ref().and_then(|o| o.action) {
        Some(Action::NoFurtherAction) | None => facts.push(rules::Fact::NoFurtherAction),
        _ => {}
    }
    ReportFacts {
        codes: report
            .codes
            .iter()
            .map(|c| format!("{}:{}", c.scheme, c.code))
            .collect(),
        kind: Some(report.kind.as_str().to_string()),
        subject_age,
        facts,
        year: Some(on.year()),
    }
}

/// Every hit in a report: its narrative and its structured fields.
pub fn detect_report(detector: &Detector, report: &Report) -> Vec<Hit> {
    let facts = report_facts(report);
    detector.detect(report.narrative.as_deref().unwrap_or(""), Some(&facts))
}

/// The result of running a rule file's examples.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    pub rule: String,
    pub text: String,
    pub problem: String,
}

/// Runs every example of every rule; returns the failures.
pub fn run_examples(file: &RuleFile, detector: &Detector) -> (usize, Vec<ExampleFailure>) {
    let mut failures = Vec::new();
    let mut count = 0;
    for rule in &file.rules {
        for ex in &rule.examples {
            count += 1;
            let hits = detector.detect(&ex.text, None);
            let present = |id: &str| {
                let (ind, who) = id.split_once(':').unwrap_or((id, "subject"));
                let who = if who == "other" {
                    Experiencer::Other
                } else {
                    Experiencer::Subject
                };
                hits.iter()
                    .any(|h| h.indicator == ind && h.experiencer == who && h.present())
            };
            for id in &ex.expect {
                if !present(id) {
                    failures.push(ExampleFailure {
                        rule: rule.id.clone(),
                        text: ex.text.clone(),
                        problem: format!("expected {id}, not found"),
                    });
                }
            }
            for id in &ex.expect_not {
                if present(id) {
                    failures.push(ExampleFailure {
                        rule: rule.id.clone(),
                        text: ex.text.clone(),
                        problem: format!("found {id}, which should not be"),
                    });
                }
            }
        }
    }
    (count, failures)
}

//! One child's assessment at one time: the distinct indicators of the
//! rolling window and their weights, the band, the overrides and the
//! patterns, each with the reports behind it. Pure: the engine keeps the
//! history, this reads it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sightline_model::{Agency, Kind};

use crate::Band;
use crate::config::{AssessRules, PatternRule};

pub const DAY: i64 = 86_400;

/// One indicator hit about a child, as the engine keeps it.
#[derive(Debug, Clone)]
pub struct ChildHit {
    pub indicator: Box<str>,
    pub tier: char,
    /// Unix seconds: the event, or the year the text dates it to.
    pub at: i64,
    /// The engine's report index.
    pub report: u32,
    pub agency: Agency,
    pub hedged: bool,
    /// Told as past ("had gone missing before"): dated by the text or not.
    pub historical: bool,
    pub sentence: Box<str>,
}

/// One report a child is the subject of.
#[derive(Debug, Clone)]
pub struct ChildReport {
    pub report: u32,
    /// Unix seconds of the event.
    pub at: i64,
    pub agency: Agency,
    pub kind: Kind,
    /// A present C, H or M indicator about the child.
    pub signs: bool,
    /// Closed with no further action.
    pub no_further_action: bool,
    /// Signals about the response (tier R) found in it.
    pub signals: Vec<Box<str>>,
}

/// Everything the assessment of one child reads.
#[derive(Debug, Clone, Default)]
pub struct ChildHistory {
    pub hits: Vec<ChildHit>,
    pub reports: Vec<ChildReport>,
    /// When an indicator of `overrides.vulnerable_indicators` was first
    /// found (learning disability): the young-child override applies.
    pub vulnerable_since: Option<i64>,
}

/// What one indicator adds to the score.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    pub indicator: String,
    pub tier: String,
    pub weight: f64,
    /// Episodes counted (1 unless repeats count).
    pub episodes: u32,
    /// Unix seconds of the latest hit.
    pub latest: i64,
    /// Every hit was a concern or a possibility, none recorded evidence.
    pub concern_only: bool,
    /// Context only: counted only when a high or medium indicator is present.
    pub counted: bool,
    pub reports: Vec<u32>,
    pub agencies: Vec<Agency>,
    /// The words of the latest hit that was found from text, if any.
    pub example: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PatternFired {
    pub id: String,
    pub title: String,
    pub step: u8,
    /// What was seen, in plain words.
    pub reason: String,
    pub reports: Vec<u32>,
}

/// A child's assessment at a time.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// Unix seconds: the assessment time (data time).
    pub at: i64,
    pub score: f64,
    /// The band of the score alone.
    pub score_band: Band,
    /// After overrides and patterns.
    pub band: Band,
    pub contributions: Vec<Contribution>,
    /// Overrides that applied, in plain words.
    pub overrides: Vec<String>,
    pub patterns: Vec<PatternFired>,
}

impl Assessment {
    /// Indicator ids that count in this assessment.
    pub fn indicators(&self) -> impl Iterator<Item = &str> {
        self.contributions
            .iter()
            .filter(|c| c.counted)
            .map(|c| c.indicator.as_str())
    }

    /// Reports behind the indicators and patterns.
    pub fn reports(&self) -> BTreeSet<u32> {
        self.contributions
            .iter()
            .filter(|c| c.counted)
            .flat_map(|c| c.reports.iter().copied())
            .chain(self.patterns.iter().flat_map(|p| p.reports.iter().copied()))
            .collect()
    }
}

/// Groups times (sorted) into episodes: times at most `gap` apart are one.
fn episodes(times: &[i64], gap: i64) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for &t in times {
        match out.last_mut() {
            Some(last) if t - *last <= gap => *last = t,
            _ => out.push(t),
        }
    }
    out
}

const SIGN_TIERS: [char; 3] = ['C', 'H', 'M'];

/// Assesses a child at time `now` (unix seconds).
pub fn assess(rules: &AssessRules, child: &ChildHistory, age: Option<i32>, now: i64) -> Assessment {
    let s = &rules.scoring;
    let window_start = now - i64::from(s.window_days) * DAY;
    let recent_start = now - i64::from(s.recent_days) * DAY;
    let in_window = |at: i64| at > window_start && at <= now;

    let mut by_indicator: BTreeMap<&str, Vec<&ChildHit>> = BTreeMap::new();
    for h in &child.hits {
        if in_window(h.at) && h.tier != 'R' {
            by_indicator.entry(&h.indicator).or_default().push(h);
        }
    }
    let mut contributions = Vec::new();
    let mut signs_present = false;
    let mut critical = Vec::new();
    let mut high = false;
    for (indicator, mut hits) in by_indicator {
        hits.sort_by_key(|h| (h.at, h.report));
        let tier = hits[0].tier;
        let tier_name = tier.to_string();
        let concern_only = hits.iter().all(|h| h.hedged);
        let factor = if concern_only { s.hedged_factor } else { 1.0 };
        let times: Vec<i64> = hits.iter().map(|h| h.at).collect();
        let counted_times = match s.repeats.get(indicator) {
            Some(r) => {
                let eps = episodes(&times, i64::from(r.episode_days) * DAY);
                let keep = eps.len().saturating_sub(r.max as usize);
                eps[keep..].to_vec()
            }
            None => vec![*times.last().unwrap_or(&now)],
        };
        let weight: f64 = counted_times
            .iter()
            .map(|&t| rules.weight(indicator, &tier_name, t > recent_start) * factor)
            .sum();
        signs_present |= SIGN_TIERS.contains(&tier);
        if rules.overrides.critical_tiers.contains(&tier_name) {
            critical.push(indicator.to_string());
        }
        // A young child is referred on a high-tier sign recorded as
        // evidence; a rumour about them counts in the score, not here.
        // Only current signs refer: a hit of the last `recent_days`.
        high |= tier == 'H'
            && hits
                .iter()
                .any(|h| !h.hedged && h.at > recent_start && !h.historical);
        let mut reports: Vec<u32> = hits.iter().map(|h| h.report).collect();
        reports.dedup();
        let agencies: BTreeSet<Agency> = hits.iter().map(|h| h.agency).collect();
        let example = hits
            .iter()
            .rev()
            .find(|h| !h.sentence.trim().is_empty())
            .map(|h| shorten(&h.sentence, 160));
        contributions.push(Contribution {
            indicator: indicator.to_string(),
            tier: tier_name,
            weight,
            episodes: counted_times.len() as u32,
            latest: *times.last().unwrap_or(&now),
            concern_only,
            counted: true,
            reports,
            agencies: agencies.into_iter().collect(),
            example,
        });
    }
    // Low-tier signs and vulnerabilities never raise a child alone.
    let anchor = contributions.iter().any(|c| c.tier == "H" || c.tier == "M");
    let mut score = 0.0;
    for c in &mut contributions {
        if matches!(c.tier.as_str(), "L" | "V") && !anchor {
            c.counted = false;
        }
        if c.counted && c.tier != "C" {
            score += c.weight;
        }
    }
    let score_band = rules.band_of(score);
    let mut band = score_band;
    let mut overrides = Vec::new();
    if !critical.is_empty() {
        band = Band::Critical;
        overrides.push(format!(
            "critical indicator {} found: refer now, whatever the score",
            critical.join(", ")
        ));
    }
    let o = &rules.overrides;
    let young = age.is_some_and(|a| a < o.young_age);
    let vulnerable = child.vulnerable_since.is_some_and(|t| t <= now);
    if (young || vulnerable) && band < Band::Critical {
        let who = if young {
            format!("a child under {}", o.young_age)
        } else {
            "a child with a learning disability or special needs".to_string()
        };
        if high && band < o.young_referral_band {
            band = o.young_referral_band;
            overrides.push(format!(
                "{who} with a high-tier indicator is referred: at least {}",
                o.young_referral_band
            ));
        } else if signs_present && band < Band::Mild {
            band = Band::Mild;
            overrides.push(format!(
                "{who} with signs of risk is never rated below mild"
            ));
        }
    }
    // Patterns are signals for supervisors too: found even when the band
    // is already critical, where they cannot raise it.
    let patterns = fire_patterns(rules, child, now, band);
    let steps: u32 = patterns.iter().map(|p| u32::from(p.step)).sum();
    if band < Band::Critical {
        band = band.raised(steps);
    }
    Assessment {
        at: now,
        score,
        score_band,
        band,
        contributions,
        overrides,
        patterns,
    }
}

/// At most `max` characters, cut at a word, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fire_patterns(
    rules: &AssessRules,
    child: &ChildHistory,
    now: i64,
    band: Band,
) -> Vec<PatternFired> {
    let window_start = now - i64::from(rules.scoring.window_days) * DAY;
    let mut fired = Vec::new();
    for p in &rules.patterns {
        if band < p.from_band {
            continue;
        }
        let days = i64::from(p.days.unwrap_or(rules.scoring.window_days));
        let since = now - days * DAY;
        let recent_reports = || {
            child
                .reports
                .iter()
                .filter(move |r| r.at > since && r.at <= now)
        };
        let found: Option<(String, Vec<u32>)> = match p.rule {
            PatternRule::NoActionRepeats => {
                let ind = p.indicator();
                let reports: Vec<u32> = recent_reports()
                    .filter(|r| r.signs && r.signals.iter().any(|s| &**s == ind))
                    .map(|r| r.report)
                    .collect();
                (reports.len() as u32 >= p.min_reports.unwrap_or(u32::MAX)).then(|| {
                    (
                        format!(
                            "{} with signs of exploitation in {days} days were closed with no action, or none recorded",
                            plural(reports.len(), "report", "reports")
                        ),
                        reports,
                    )
                })
            }
            PatternRule::MissingRepeats => {
                let ind = p.indicator();
                let mut hits: Vec<&ChildHit> = child
                    .hits
                    .iter()
                    .filter(|h| &*h.indicator == ind && h.at > since && h.at <= now)
                    .collect();
                hits.sort_by_key(|h| h.at);
                let gap = rules
                    .scoring
                    .repeats
                    .get(ind)
                    .map_or(DAY, |r| i64::from(r.episode_days) * DAY);
                let times: Vec<i64> = hits.iter().map(|h| h.at).collect();
                let n = episodes(&times, gap).len();
                (n as u32 >= p.min_episodes.unwrap_or(u32::MAX)).then(|| {
                    let mut reports: Vec<u32> = hits.iter().map(|h| h.report).collect();
                    reports.sort_unstable();
                    reports.dedup();
                    (
                        format!("{} missing in {days} days", plural(n, "time", "times")),
                        reports,
                    )
                })
            }
            PatternRule::MultiAgency => {
                let mut agencies: BTreeMap<Agency, Vec<u32>> = BTreeMap::new();
                let mut high = false;
                for h in child
                    .hits
                    .iter()
                    .filter(|h| h.at > window_start && h.at <= now)
                {
                    // Signs recorded as found, not worries: two agencies
                    // each holding a piece of evidence.
                    if SIGN_TIERS.contains(&h.tier) && !h.hedged {
                        agencies.entry(h.agency).or_default().push(h.report);
                        high |= h.tier != 'M';
                    }
                }
                (high && agencies.len() as u32 >= p.min_agencies.unwrap_or(u32::MAX)).then(|| {
                    let names: Vec<&str> = agencies.keys().map(|a| a.as_str()).collect();
                    let mut reports: Vec<u32> = agencies.values().flatten().copied().collect();
                    reports.sort_unstable();
                    reports.dedup();
                    (
                        format!(
                            "signs recorded by {} agencies: {}",
                            names.len(),
                            names.join(", ")
                        ),
                        reports,
                    )
                })
            }
            PatternRule::Escalating => {
                let before_start = since - days * DAY;
                let recent: Vec<u32> = recent_reports()
                    .filter(|r| r.signs)
                    .map(|r| r.report)
                    .collect();
                let before = child
                    .reports
                    .iter()
                    .filter(|r| r.signs && r.at > before_start && r.at <= since)
                    .count();
                let factor = p.factor.unwrap_or(2.0);
                (recent.len() as u32 >= p.min_recent.unwrap_or(u32::MAX)
                    && recent.len() as f64 >= factor * before as f64)
                    .then(|| {
                        (
                            format!(
                                "{} with signs in the last {days} days, against {before} in the {days} days before",
                                plural(recent.len(), "report", "reports")
                            ),
                            recent,
                        )
                    })
            }
            PatternRule::ClosedWhileActive => {
                let closed = child.reports.iter().find(|r| {
                    r.no_further_action
                        && is_case_step(r.kind)
                        && r.at > window_start
                        && r.at <= now
                        && child.hits.iter().any(|h| {
                            (h.tier == 'H' || h.tier == 'C')
                                && h.at <= r.at
                                && h.at > r.at - days * DAY
                        })
                });
                closed.map(|r| {
                    (
                        format!(
                            "a {} was closed with no further action while high-tier signs of the {days} days before stood",
                            r.kind.as_str().replace('_', " ")
                        ),
                        vec![r.report],
                    )
                })
            }
            PatternRule::VictimBlaming => {
                let ind = p.indicator();
                let reports: Vec<u32> = child
                    .reports
                    .iter()
                    .filter(|r| {
                        r.at > window_start && r.at <= now && r.signals.iter().any(|s| &**s == ind)
                    })
                    .map(|r| r.report)
                    .collect();
                (!reports.is_empty()).then(|| {
                    (
                        format!(
                            "{} about this child used language that blames the child",
                            plural(reports.len(), "report", "reports")
                        ),
                        reports,
                    )
                })
            }
        };
        if let Some((reason, reports)) = found {
            fired.push(PatternFired {
                id: p.id.clone(),
                title: p.title.clone(),
                step: p.step,
                reason,
                reports,
            });
        }
    }
    fired
}

/// Kinds of report that decide on a case: closing one with no further
/// action closes the case.
pub fn is_case_step(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Contact
            | Kind::Referral
            | Kind::Assessment
            | Kind::StrategyDiscussion
            | Kind::S47Enquiry
            | Kind::CpPlan
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_300_000_000;

    fn h(indicator: &str, days_ago: i64) -> ChildHit {
        ChildHit {
            indicator: indicator.into(),
            tier: indicator.chars().next().unwrap(),
            at: NOW - days_ago * DAY,
            report: days_ago as u32,
            agency: Agency::Police,
            hedged: false,
            historical: false,
            sentence: "".into(),
        }
    }

    fn history(hits: Vec<ChildHit>) -> ChildHistory {
        ChildHistory {
            hits,
            ..ChildHistory::default()
        }
    }

    fn score_of(hits: Vec<ChildHit>) -> f64 {
        assess(&AssessRules::default_rules(), &history(hits), Some(15), NOW).score
    }

    #[test]
    fn high_signs_weigh_five_when_recent_one_when_older_none_outside_the_window() {
        assert_eq!(score_of(vec![h("H2", 10)]), 5.0);
        assert_eq!(score_of(vec![h("H2", 200)]), 1.0);
        assert_eq!(score_of(vec![h("H2", 400)]), 0.0);
    }

    #[test]
    fn an_indicator_counts_once_unless_its_repeats_count() {
        assert_eq!(score_of(vec![h("H2", 10), h("H2", 40), h("H2", 90)]), 5.0);
        // Missing episodes count each, up to three; a missing report and the
        // return interview the next day are one episode.
        assert_eq!(score_of(vec![h("H1", 10), h("H1", 11)]), 5.0);
        assert_eq!(score_of(vec![h("H1", 10), h("H1", 40)]), 10.0);
        assert_eq!(
            score_of(vec![h("H1", 10), h("H1", 40), h("H1", 70), h("H1", 100)]),
            15.0
        );
    }

    #[test]
    fn medium_signs_anchor_vulnerabilities() {
        assert_eq!(score_of(vec![h("V1", 10), h("V2", 10)]), 0.0);
        assert_eq!(score_of(vec![h("V1", 10), h("V2", 10), h("M3", 10)]), 3.0);
    }

    #[test]
    fn the_explanation_names_the_reports_behind_each_indicator() {
        let a = assess(
            &AssessRules::default_rules(),
            &history(vec![h("H2", 10), h("H2", 20), h("M3", 5)]),
            Some(15),
            NOW,
        );
        let h2 = a
            .contributions
            .iter()
            .find(|c| c.indicator == "H2")
            .unwrap();
        assert_eq!(h2.reports, vec![20, 10]);
        assert_eq!(a.reports().into_iter().collect::<Vec<_>>(), vec![5, 10, 20]);
    }

    proptest! {
        // A new present sign never lowers a child's score or band.
        #[test]
        fn more_signs_never_lower_the_band(
            seed in proptest::collection::vec((0usize..6, 0i64..500), 0..20),
            extra in (0usize..6, 0i64..500),
        ) {
            let ids = ["H1", "H2", "M3", "M8", "V1", "L1"];
            let hits: Vec<ChildHit> = seed.iter().map(|&(i, d)| h(ids[i], d)).collect();
            let rules = AssessRules::default_rules();
            let before = assess(&rules, &history(hits.clone()), Some(15), NOW);
            let mut more = hits;
            more.push(h(ids[extra.0], extra.1));
            let after = assess(&rules, &history(more), Some(15), NOW);
            prop_assert!(after.score >= before.score);
            prop_assert!(after.band >= before.band);
        }
    }
}

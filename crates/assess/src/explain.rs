//! Assessments and concerns in plain words: which reports, indicators,
//! agencies and rules, for a practitioner who has no time for a score.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::engine::{Assessor, Concern, RaisedBy};
use crate::score::Assessment;

/// The date of unix seconds, as `YYYY-MM-DD` in UK time.
pub fn day(seconds: i64) -> String {
    Timestamp::from_second(seconds)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC))
                .date()
                .to_string()
        })
        .unwrap_or_default()
}

fn report_label(assessor: &Assessor, report: u32) -> String {
    let r = &assessor.reports[report as usize];
    format!(
        "{} report {}/{} ({}, {})",
        r.agency.as_str().replace('_', " "),
        r.key.system,
        r.key.record_id,
        r.kind.as_str().replace('_', " "),
        day(r.event_at.as_second()),
    )
}

/// An assessment in plain words, one line a point. `titles` names
/// indicators (`H1` → "Missing from home, care or school").
pub fn explain_assessment(
    assessor: &Assessor,
    a: &Assessment,
    titles: &BTreeMap<String, String>,
) -> Vec<String> {
    let rules = assessor.rules();
    let title = |id: &str| titles.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut lines = Vec::new();
    lines.push(format!(
        "Band {} on {}: score {} from the signs of the {} days before ({}; bands: mild from {}, moderate from {}, significant from {}).",
        a.band,
        day(a.at),
        fmt_num(a.score),
        rules.scoring.window_days,
        a.score_band,
        fmt_num(rules.bands.mild),
        fmt_num(rules.bands.moderate),
        fmt_num(rules.bands.significant),
    ));
    let mut contributions: Vec<_> = a.contributions.iter().collect();
    contributions.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.indicator.cmp(&y.indicator))
    });
    for c in contributions {
        let agencies: Vec<String> = c
            .agencies
            .iter()
            .map(|g| g.as_str().replace('_', " "))
            .collect();
        let episodes = if c.episodes > 1 {
            format!("{} episodes, ", c.episodes)
        } else {
            String::new()
        };
        let kind = if c.concern_only {
            "a concern raised, not recorded evidence; "
        } else {
            ""
        };
        let weight = if c.tier == "C" {
            "critical".to_string()
        } else if c.counted {
            format!("+{}", fmt_num(c.weight))
        } else {
            "context only (no high or medium sign alongside)".to_string()
        };
        lines.push(format!(
            "  {} {} [{}]: {weight} ({kind}{episodes}latest {}, from {}; {} {}){}",
            c.indicator,
            title(&c.indicator),
            c.tier,
            day(c.latest),
            agencies.join(", "),
            c.reports.len(),
            if c.reports.len() == 1 {
                "report"
            } else {
                "reports"
            },
            match &c.example {
                Some(words) => format!(": \"{words}\""),
                None => ".".to_string(),
            }
        ));
    }
    for o in &a.overrides {
        lines.push(format!("Override: {o}."));
    }
    for p in &a.patterns {
        lines.push(format!(
            "Pattern {} \u{2014} {}: {}; {}.",
            p.id,
            p.title,
            p.reason,
            if a.band == crate::Band::Critical {
                "the band is already critical".to_string()
            } else {
                format!(
                    "raises the band {} {}",
                    p.step,
                    if p.step == 1 { "step" } else { "steps" }
                )
            }
        ));
    }
    lines
}

/// A concern in plain words: why it was raised, how its band moved, and
/// the assessment behind it now.
pub fn explain_concern(
    assessor: &Assessor,
    c: &Concern,
    titles: &BTreeMap<String, String>,
) -> Vec<String> {
    let raised = &assessor.reports[c.raised_report as usize];
    let mut lines = vec![format!(
        "Concern {} ({}) raised on {} by {}, {}.",
        c.concern_id,
        c.concern_type.replace('_', " "),
        day(raised.recorded_at.as_second()),
        report_label(assessor, c.raised_report),
        match c.raised_by {
            RaisedBy::Assessment => "when the child's own assessment reached the band",
            RaisedBy::Override => "by an override",
            RaisedBy::Network => "through the network (a possible hidden victim)",
        }
    )];
    if let Some(link) = &c.network {
        let hub = &assessor.graph.nodes[link.hub as usize];
        let name = if hub.label.is_empty() {
            hub.id.as_str()
        } else {
            hub.label.as_str()
        };
        lines.push(format!(
            "Linked to {} {} ({}), which is linked to {} children at risk, by {}.",
            match hub.kind {
                crate::network::NodeKind::Person => "adult of concern",
                crate::network::NodeKind::Vehicle => "vehicle",
                crate::network::NodeKind::Phone => "phone",
                crate::network::NodeKind::Place => "place",
            },
            name,
            hub.id,
            link.children.len(),
            report_label(assessor, link.report)
        ));
    }
    let moves: Vec<String> = c
        .history
        .iter()
        .map(|h| {
            format!(
                "{} on {}",
                h.band,
                day(assessor.reports[h.report as usize].recorded_at.as_second())
            )
        })
        .collect();
    lines.push(format!("Band history: {}.", moves.join(", then ")));
    if c.network.is_some() {
        lines.push(format!(
            "The network link holds the band at {} at least; the child's own records alone give:",
            assessor.rules().network.hidden_victim_band
        ));
    }
    lines.extend(explain_assessment(assessor, &c.latest, titles));
    lines
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

//! The assessment rule file (`rules/default.toml`, format in
//! `docs/assessment.md`): tier weights, the rolling window, bands,
//! overrides, patterns and network signals. Every number is configurable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Band;

/// The format version this build reads.
pub const FORMAT: u32 = 1;

/// The default rules, shipped in the binary.
pub const DEFAULT_RULES: &str = include_str!("../rules/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessRules {
    pub format: u32,
    pub name: String,
    /// The rule set's own version, recorded with every assessment.
    pub version: String,
    pub concern_type: String,
    pub scoring: Scoring,
    pub bands: Bands,
    pub concerns: Concerns,
    pub overrides: Overrides,
    #[serde(default)]
    pub patterns: Vec<Pattern>,
    pub network: Network,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub window_days: u32,
    pub recent_days: u32,
    pub hedged_factor: f64,
    #[serde(default)]
    pub score_undated_history: bool,
    /// Weights by tier letter (`H`, `M`, `L`, `V`).
    pub tiers: BTreeMap<String, TierWeight>,
    /// Per-indicator weights that replace the tier's.
    #[serde(default)]
    pub indicators: BTreeMap<String, TierWeight>,
    /// Indicators whose every episode counts.
    #[serde(default)]
    pub repeats: BTreeMap<String, Repeats>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierWeight {
    pub recent: f64,
    pub older: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeats {
    pub max: u32,
    /// Hits this many days apart or closer are one episode (a missing
    /// report and the return interview after it).
    pub episode_days: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    pub mild: f64,
    pub moderate: f64,
    pub significant: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concerns {
    pub open_at: Band,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    pub critical_tiers: Vec<String>,
    pub young_age: i32,
    pub vulnerable_indicators: Vec<String>,
    pub young_referral_band: Band,
}

/// The kinds of pattern this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternRule {
    /// At least `min_reports` reports in `days` carrying a sign of risk
    /// that were closed with no action, or none recorded.
    NoActionRepeats,
    /// At least `min_episodes` missing episodes in `days`.
    MissingRepeats,
    /// Signs of risk recorded as evidence (not only as a worry) by at least
    /// `min_agencies` agencies in the window, one of them high or critical.
    MultiAgency,
    /// At least `min_recent` reports with signs in the last `days`, and
    /// `factor` times as many as in the `days` before.
    Escalating,
    /// A referral, assessment or enquiry closed with no further action
    /// while high or critical signs of the last `days` stood.
    ClosedWhileActive,
    /// Language that blames the child, on a child at risk.
    VictimBlaming,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    pub id: String,
    pub rule: PatternRule,
    pub title: String,
    pub step: u8,
    #[serde(default = "default_from_band")]
    pub from_band: Band,
    #[serde(default)]
    pub days: Option<u32>,
    #[serde(default)]
    pub min_reports: Option<u32>,
    #[serde(default)]
    pub min_episodes: Option<u32>,
    #[serde(default)]
    pub min_agencies: Option<u32>,
    #[serde(default)]
    pub min_recent: Option<u32>,
    #[serde(default)]
    pub factor: Option<f64>,
    /// The indicator the pattern counts: `NA` (no action) for
    /// no_action_repeats, `H1` (missing) for missing_repeats, `VB` for
    /// victim_blaming by default.
    #[serde(default)]
    pub indicator: Option<String>,
}

impl Pattern {
    /// The indicator this pattern counts, where it counts one.
    pub fn indicator(&self) -> &str {
        if let Some(i) = &self.indicator {
            return i;
        }
        match self.rule {
            PatternRule::NoActionRepeats => "NA",
            PatternRule::MissingRepeats => "H1",
            PatternRule::VictimBlaming => "VB",
            _ => "",
        }
    }
}

fn default_from_band() -> Band {
    Band::Mild
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub at_risk_band: Band,
    pub adult_min_children: u32,
    pub object_min_children: u32,
    pub place_categories: Vec<String>,
    /// `none` turns hidden-victim concerns off.
    pub hidden_victim_band: Band,
}

impl AssessRules {
    /// The default rules.
    pub fn default_rules() -> AssessRules {
        // The shipped file is checked by a test; a failure here is a build
        // defect, not an input error.
        Self::parse(DEFAULT_RULES, "default assessment rules")
            .expect("the shipped assessment rules are valid")
    }

    /// Reads and checks a rule file.
    pub fn parse(text: &str, file: &str) -> Result<AssessRules, ConfigError> {
        let rules: AssessRules = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        rules.check(file)?;
        Ok(rules)
    }

    fn check(&self, file: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            file: file.to_string(),
            message,
        };
        if self.format != FORMAT {
            return Err(invalid(format!(
                "format {} is not one this build reads (it reads {FORMAT})",
                self.format
            )));
        }
        let s = &self.scoring;
        if s.window_days == 0 || s.recent_days > s.window_days {
            return Err(invalid(
                "scoring: window_days must be positive and recent_days at most window_days".into(),
            ));
        }
        if !(0.0..=1.0).contains(&s.hedged_factor) {
            return Err(invalid(
                "scoring.hedged_factor must be between 0 and 1".into(),
            ));
        }
        for (tier, w) in s.tiers.iter().chain(s.indicators.iter()) {
            if !(w.recent >= 0.0 && w.older >= 0.0 && w.recent.is_finite() && w.older.is_finite()) {
                return Err(invalid(format!("weight of {tier} must be a number ≥ 0")));
            }
        }
        for tier in s.tiers.keys() {
            if !matches!(tier.as_str(), "C" | "H" | "M" | "L" | "V") {
                return Err(invalid(format!(
                    "scoring.tiers.{tier}: tiers are C, H, M, L and V"
                )));
            }
        }
        let b = &self.bands;
        if !(b.mild > 0.0 && b.mild <= b.moderate && b.moderate <= b.significant) {
            return Err(invalid(
                "bands: need 0 < mild ≤ moderate ≤ significant".into(),
            ));
        }
        if self.concerns.open_at == Band::None {
            return Err(invalid("concerns.open_at cannot be none".into()));
        }
        let mut ids = std::collections::BTreeSet::new();
        for p in &self.patterns {
            if !ids.insert(p.id.as_str()) {
                return Err(invalid(format!("pattern id {} is used twice", p.id)));
            }
            let need = |v: Option<u32>, name: &str| match v {
                Some(n) if n > 0 => Ok(()),
                _ => Err(invalid(format!(
                    "pattern {} ({:?}) needs {name} > 0",
                    p.id, p.rule
                ))),
            };
            match p.rule {
                PatternRule::NoActionRepeats => {
                    need(p.days, "days")?;
                    need(p.min_reports, "min_reports")?;
                }
                PatternRule::MissingRepeats => {
                    need(p.days, "days")?;
                    need(p.min_episodes, "min_episodes")?;
                }
                PatternRule::MultiAgency => need(p.min_agencies, "min_agencies")?,
                PatternRule::Escalating => {
                    need(p.days, "days")?;
                    need(p.min_recent, "min_recent")?;
                    if p.factor.is_none_or(|f| !(f.is_finite() && f >= 1.0)) {
                        return Err(invalid(format!("pattern {} needs factor ≥ 1", p.id)));
                    }
                }
                PatternRule::ClosedWhileActive => need(p.days, "days")?,
                PatternRule::VictimBlaming => {}
            }
        }
        if self.network.adult_min_children < 2 || self.network.object_min_children < 2 {
            return Err(invalid(
                "network: a hub links at least 2 children (adult_min_children, object_min_children)".into(),
            ));
        }
        Ok(())
    }

    /// The weight of one indicator of a tier, recent or older.
    pub fn weight(&self, indicator: &str, tier: &str, recent: bool) -> f64 {
        let w = self
            .scoring
            .indicators
            .get(indicator)
            .or_else(|| self.scoring.tiers.get(tier));
        match w {
            Some(w) if recent => w.recent,
            Some(w) => w.older,
            None => 0.0,
        }
    }

    /// The band of a score.
    pub fn band_of(&self, score: f64) -> Band {
        let b = &self.bands;
        if score >= b.significant {
            Band::Significant
        } else if score >= b.moderate {
            Band::Moderate
        } else if score >= b.mild {
            Band::Mild
        } else {
            Band::None
        }
    }

    /// A short fingerprint of the rules: a change recomputes every
    /// assessment.
    pub fn fingerprint(&self) -> String {
        format!("{} {}", self.name, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_load() {
        let r = AssessRules::default_rules();
        assert_eq!(r.band_of(5.0), Band::None);
        assert_eq!(r.band_of(6.0), Band::Mild);
        assert_eq!(r.band_of(11.0), Band::Moderate);
        assert_eq!(r.band_of(16.0), Band::Significant);
        assert_eq!(r.weight("H2", "H", true), 5.0);
        assert_eq!(r.weight("H2", "H", false), 1.0);
        assert_eq!(r.patterns.len(), 6);
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let text = DEFAULT_RULES.replace("moderate = 11", "moderate = 3");
        let err = AssessRules::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(
            err.contains("x.toml") && err.contains("mild ≤ moderate"),
            "{err}"
        );
        let text = DEFAULT_RULES.replace("min_agencies = 2", "min_agencies = 0");
        let err = AssessRules::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.contains("PA3") && err.contains("min_agencies"), "{err}");
        let err = AssessRules::parse("format = 1", "y.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("y.toml"), "{err}");
    }
}

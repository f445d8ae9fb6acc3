//! Assessment: each child's whole multi-agency picture, scored by
//! transparent, versioned rules; concerns that open, rise and fall with it;
//! and the networks of adults, vehicles, phones and places around children.
//!
//! The [`Assessor`] takes [`ReportEvent`]s (a report with its people already
//! resolved to persons, its objects to entities, and its indicator hits) in
//! data-time order, `(recorded_at, agency, system, record_id)`, and keeps
//! everything up to date incrementally: one report costs work in proportion
//! to the people in it and their links, not to the store. Every band change
//! is stamped with the `recorded_at` of the report that caused it, so
//! loading ten years at once and replaying report by report give the same
//! concerns.
//!
//! Architecture invariant: no I/O, no clock. Time is the reports' time.

pub mod community;
pub mod config;
pub mod engine;
pub mod event;
pub mod explain;
pub mod network;
pub mod score;
pub mod signals;

pub use config::{AssessRules, ConfigError};
pub use engine::{Assessor, Concern, HistoryEntry, RaisedBy};
pub use event::{HitIn, ObjectIn, ObjectKind, PersonIn, RelationIn, ReportEvent, ReportRef};
pub use score::{Assessment, Contribution, PatternFired};

use serde::{Deserialize, Serialize};

/// How much a child is at risk, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// Not at risk (a score below the mild band).
    None,
    Mild,
    Moderate,
    Significant,
    /// An override: refer now, whatever the score.
    Critical,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::None => "none",
            Band::Mild => "mild",
            Band::Moderate => "moderate",
            Band::Significant => "significant",
            Band::Critical => "critical",
        }
    }

    /// This band raised by `steps`, never past significant (critical is
    /// for overrides only).
    pub fn raised(self, steps: u32) -> Band {
        if self >= Band::Significant {
            return self;
        }
        let order = [Band::None, Band::Mild, Band::Moderate, Band::Significant];
        let at = order.iter().position(|b| *b == self).unwrap_or(0);
        order[(at + steps as usize).min(order.len() - 1)]
    }
}

impl std::fmt::Display for Band {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_a_band_stops_at_significant() {
        assert_eq!(Band::None.raised(1), Band::Mild);
        assert_eq!(Band::Mild.raised(2), Band::Significant);
        assert_eq!(Band::Moderate.raised(5), Band::Significant);
        assert_eq!(Band::Critical.raised(1), Band::Critical);
        assert_eq!(Band::Mild.raised(0), Band::Mild);
    }
}

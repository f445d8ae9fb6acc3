//! The typed, evidence-ready view of a `sightline.report/1` report.
//!
//! These types are built only by [`crate::validate`] from the JSON as
//! received. A value that failed its check is `None` (or dropped) here and
//! flagged as a warning: the raw JSON, kept in the ledger, still has it.

use std::fmt;

use serde::Serialize;

use crate::time::{ParsedTime, PartialDate};

/// Declares a closed vocabulary: the enum, its wire names and parsing.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order the format lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the exact wire name.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// The kind of agency that sent a report.
    Agency {
        Police => "police",
        SocialCare => "social_care",
        Health => "health",
        Education => "education",
        YouthJustice => "youth_justice",
        Housing => "housing",
        Voluntary => "voluntary",
        Other => "other",
    }
);

vocabulary!(
    /// What kind of event a report records.
    Kind {
        Incident => "incident",
        Crime => "crime",
        Intelligence => "intelligence",
        MissingEpisode => "missing_episode",
        ReturnInterview => "return_interview",
        Contact => "contact",
        Referral => "referral",
        Assessment => "assessment",
        StrategyDiscussion => "strategy_discussion",
        S47Enquiry => "s47_enquiry",
        CpPlan => "cp_plan",
        LookedAfter => "looked_after",
        HealthAttendance => "health_attendance",
        SchoolAttendance => "school_attendance",
        Exclusion => "exclusion",
        SchoolConcern => "school_concern",
        YouthOffending => "youth_offending",
        Housing => "housing",
        Disruption => "disruption",
        Other => "other",
    }
);

vocabulary!(
    /// A person's part in a report.
    Role {
        Subject => "subject",
        Victim => "victim",
        Suspect => "suspect",
        Associate => "associate",
        ParentCarer => "parent_carer",
        Sibling => "sibling",
        Witness => "witness",
        Reporter => "reporter",
        Professional => "professional",
        Other => "other",
    }
);

vocabulary!(
    Sex {
        Female => "female",
        Male => "male",
        Other => "other",
        Unknown => "unknown",
    }
);

vocabulary!(
    AddressKind {
        Home => "home",
        Placement => "placement",
        School => "school",
        Previous => "previous",
        Other => "other",
    }
);

vocabulary!(
    /// What the agency did.
    Action {
        NoFurtherAction => "no_further_action",
        AdviceGiven => "advice_given",
        Referred => "referred",
        EarlyHelp => "early_help",
        StrategyDiscussion => "strategy_discussion",
        S47Enquiry => "s47_enquiry",
        CpPlan => "cp_plan",
        Arrest => "arrest",
        Charged => "charged",
        Ongoing => "ongoing",
        Unknown => "unknown",
    }
);

vocabulary!(
    /// The relation types the format names as common. Others are kept as
    /// [`RelationType::Unrecognised`] with a warning.
    KnownRelation {
        With => "with",
        Driving => "driving",
        Passenger => "passenger",
        Owns => "owns",
        UsesPhone => "uses_phone",
        SeenAt => "seen_at",
        LivesAt => "lives_at",
        WorksAt => "works_at",
        Contacted => "contacted",
        GaveGift => "gave_gift",
        ParentOf => "parent_of",
    }
);

vocabulary!(
    /// 3x5x2 source evaluation.
    SourceGrade {
        Reliable => "1",
        Untested => "2",
        NotReliable => "3",
    }
);

vocabulary!(
    /// 3x5x2 intelligence assessment.
    IntelligenceGrade {
        KnownDirectly => "A",
        KnownIndirectlyCorroborated => "B",
        KnownIndirectly => "C",
        NotKnown => "D",
        SuspectedFalse => "E",
    }
);

vocabulary!(
    /// The kinds of object mention: vehicles, phones and places (the O and
    /// L of POLE).
    ObjectKind {
        Vehicle => "vehicle",
        Phone => "phone",
        Place => "place",
    }
);

vocabulary!(
    /// 3x5x2 handling code.
    HandlingCode {
        Permitted => "P",
        WithConditions => "C",
    }
);

/// The identity of a report: who sent it, from which system, under which id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ReportKey {
    pub agency: Agency,
    pub system: String,
    pub record_id: String,
}

impl fmt::Display for ReportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.agency, self.system, self.record_id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub agency: Agency,
    pub system: String,
    pub record_id: String,
    pub version: u32,
}

impl Source {
    pub fn key(&self) -> ReportKey {
        ReportKey {
            agency: self.agency,
            system: self.system.clone(),
            record_id: self.record_id.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Area {
    pub police_force: Option<String>,
    pub local_authority: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Author {
    pub name: Option<String>,
    pub role: Option<String>,
    pub team: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Name {
    pub given: Option<String>,
    pub family: Option<String>,
    pub full: Option<String>,
}

impl Name {
    pub fn is_empty(&self) -> bool {
        self.given.is_none() && self.family.is_none() && self.full.is_none()
    }

    /// The name as one line, for display.
    pub fn display(&self) -> String {
        match (&self.given, &self.family, &self.full) {
            (Some(g), Some(f), _) => format!("{g} {f}"),
            (Some(g), None, _) => g.clone(),
            (None, Some(f), _) => f.clone(),
            (None, None, Some(full)) => full.clone(),
            (None, None, None) => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Address {
    pub text: Option<String>,
    /// The postcode as recorded.
    pub postcode_raw: Option<String>,
    /// The postcode normalised, when it passed its check.
    pub postcode: Option<sightline_normalise::Postcode>,
    pub kind: Option<AddressKind>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phone {
    pub raw: String,
    /// E.164, when the number could be read.
    pub e164: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identifier {
    pub scheme: String,
    pub raw: String,
    /// The normalised value; `None` when it failed its check rule (and so is
    /// not evidence). Schemes with no check rule are kept trimmed.
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonMention {
    pub ref_: String,
    pub role: Role,
    pub name: Name,
    pub aliases: Vec<String>,
    pub birth_date: Option<PartialDate>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    pub addresses: Vec<Address>,
    pub phones: Vec<Phone>,
    pub identifiers: Vec<Identifier>,
    pub description: Option<String>,
    pub ethnicity: Option<String>,
    pub nationality: Option<String>,
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VehicleMention {
    pub ref_: Option<String>,
    pub registration_raw: Option<String>,
    pub registration: Option<sightline_normalise::Registration>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub colour: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneMention {
    pub ref_: Option<String>,
    pub number: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceMention {
    pub ref_: Option<String>,
    pub name: Option<String>,
    pub category: Option<String>,
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum RelationType {
    Known(KnownRelation),
    Unrecognised(String),
}

impl RelationType {
    pub fn as_str(&self) -> &str {
        match self {
            RelationType::Known(k) => k.as_str(),
            RelationType::Unrecognised(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relation {
    pub from: String,
    pub to: String,
    pub kind: RelationType,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Code {
    pub scheme: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub action: Option<Action>,
    pub text: Option<String>,
    pub at: Option<ParsedTime>,
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grading {
    pub source: Option<SourceGrade>,
    pub intelligence: Option<IntelligenceGrade>,
    pub handling: Option<HandlingCode>,
    pub conditions: Option<String>,
}

/// One report as one agency recorded it, checked and normalised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub source: Source,
    pub kind: Kind,
    pub occurred_at: Option<ParsedTime>,
    pub ended_at: Option<ParsedTime>,
    pub recorded_at: ParsedTime,
    pub area: Area,
    pub author: Author,
    pub people: Vec<PersonMention>,
    pub vehicles: Vec<VehicleMention>,
    pub phones: Vec<PhoneMention>,
    pub places: Vec<PlaceMention>,
    pub relations: Vec<Relation>,
    pub narrative: Option<String>,
    pub codes: Vec<Code>,
    pub outcome: Option<Outcome>,
    pub grading: Option<Grading>,
}

impl Report {
    pub fn key(&self) -> ReportKey {
        self.source.key()
    }

    /// The time rolling windows count from: `occurred_at`, or `recorded_at`
    /// when the event time is unknown.
    pub fn event_time(&self) -> &ParsedTime {
        self.occurred_at.as_ref().unwrap_or(&self.recorded_at)
    }
}

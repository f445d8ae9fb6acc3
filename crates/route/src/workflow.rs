//! A concern's lifecycle: `open` → `routed` (or `unrouted`) →
//! `acknowledged` → `decided` → `closed`, each step by a named person at a
//! time with a reason; the clocks each step runs against; and the
//! escalations an overdue clock is owed.
//!
//! The workflow is a fold over events in ledger order: replaying the same
//! events always gives the same state, which is how the binary rebuilds it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::directory::Directory;
use crate::routing::{RouteBasis, RouteOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Unrouted,
    Routed,
    Acknowledged,
    Decided,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Unrouted => "unrouted",
            Status::Routed => "routed",
            Status::Acknowledged => "acknowledged",
            Status::Decided => "decided",
            Status::Closed => "closed",
        }
    }
}

/// What the team decided (Working Together's routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    StrategyDiscussion,
    S47Enquiry,
    EarlyHelp,
    Referral,
    NoFurtherAction,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::StrategyDiscussion,
        Outcome::S47Enquiry,
        Outcome::EarlyHelp,
        Outcome::Referral,
        Outcome::NoFurtherAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::StrategyDiscussion => "strategy_discussion",
            Outcome::S47Enquiry => "s47_enquiry",
            Outcome::EarlyHelp => "early_help",
            Outcome::Referral => "referral",
            Outcome::NoFurtherAction => "no_further_action",
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        let t = text.trim().to_lowercase().replace(['-', ' '], "_");
        Outcome::ALL.into_iter().find(|o| o.as_str() == t)
    }
}

/// A person's step on a concern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Action {
    Acknowledge { note: String },
    Decide { outcome: Outcome, reason: String },
    Close { reason: String },
    SignOff { note: String },
    Reassign { team: String, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Administrators route an unrouted concern.
    Route,
    Acknowledge,
    Decide,
    /// A return home interview after a missing episode.
    ReturnInterview,
    /// The strategy discussion a decision called for.
    StrategyDiscussion,
    /// The section 47 enquiry's assessment, from the referral.
    S47Assessment,
    /// The initial child protection conference, from the strategy
    /// discussion that started the section 47 enquiry.
    InitialConference,
}

impl ClockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Route => "route",
            ClockKind::Acknowledge => "acknowledge",
            ClockKind::Decide => "decide",
            ClockKind::ReturnInterview => "return_interview",
            ClockKind::StrategyDiscussion => "strategy_discussion",
            ClockKind::S47Assessment => "s47_assessment",
            ClockKind::InitialConference => "initial_conference",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevels {
    pub format: u32,
    pub version: String,
    pub acknowledge_working_days: u32,
    pub decide_working_days: u32,
    pub escalate_every_working_days: u32,
    pub return_interview_hours: u32,
    #[serde(default = "one")]
    pub strategy_discussion_working_days: u32,
    /// A section 47 enquiry's assessment is completed within this many
    /// working days of the referral.
    #[serde(default = "forty_five")]
    pub s47_assessment_working_days: u32,
    /// An initial child protection conference is held within this many
    /// working days of the strategy discussion that started the section 47
    /// enquiry.
    #[serde(default = "fifteen")]
    pub initial_conference_working_days: u32,
}

fn one() -> u32 {
    1
}

fn forty_five() -> u32 {
    45
}

fn fifteen() -> u32 {
    15
}

pub const DEFAULT_SERVICE_LEVELS: &str = include_str!("../rules/service-levels.toml");

impl ServiceLevels {
    pub fn default_levels() -> ServiceLevels {
        Self::parse(DEFAULT_SERVICE_LEVELS, "service-levels.toml")
            .expect("the shipped service levels are valid (a test checks them)")
    }

    pub fn parse(text: &str, file: &str) -> Result<ServiceLevels, WorkflowError> {
        let s: ServiceLevels =
            toml::from_str(text).map_err(|e| WorkflowError::Invalid(format!("{file}: {e}")))?;
        if s.acknowledge_working_days == 0
            || s.decide_working_days == 0
            || s.escalate_every_working_days == 0
        {
            return Err(WorkflowError::Invalid(format!(
                "{file}: working-day limits must be at least 1"
            )));
        }
        Ok(s)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WorkflowError {
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub who: String,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Clock {
    pub kind: ClockKind,
    /// When it started (receipt, or a missing child's return).
    pub since: Timestamp,
    pub due: Timestamp,
    /// When the step was done.
    pub met: Option<Timestamp>,
}

/// An escalation an overdue clock is owed: level 1 is the team's manager,
/// each next level the next person up the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    pub clock: ClockKind,
    pub level: u32,
    pub to: String,
    /// When it fell due.
    pub at: Timestamp,
    /// The clock's start: a re-routed concern's clocks start again, and its
    /// escalations are new ones.
    pub since: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    pub status: Status,
    pub team: Option<String>,
    pub notify: Vec<String>,
    /// Whether closing needs a second person's sign-off (band significant
    /// or critical at the close).
    pub band_needs_sign_off: bool,
    /// When the responsible team received it: its clocks start here.
    pub received_at: Option<Timestamp>,
    pub raised_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub decision: Option<(Outcome, Timestamp)>,
    /// A close asked for, awaiting a second person: who and why.
    pub close_requested: Option<(String, String)>,
    pub closed_at: Option<Timestamp>,
    pub escalations: Vec<Escalation>,
    /// Missing episodes of the child since the concern was raised: when
    /// the child returned, and when a return home interview was recorded.
    pub return_interviews: Vec<(Timestamp, Option<Timestamp>)>,
    /// Strategy discussions recorded about the child (their times).
    pub strategy_discussions: Vec<Timestamp>,
    /// Section 47 enquiries and assessments recorded about the child.
    pub s47_records: Vec<Timestamp>,
    /// Child protection plans recorded about the child (made at a
    /// conference).
    pub cp_plans: Vec<Timestamp>,
    pub timeline: Vec<TimelineEntry>,
    /// What the current team rests on (see [`Workflow::moved`]).
    pub basis: RouteBasis,
    /// A person gave the concern to its team: the records no longer move
    /// it.
    pub reassigned_by_hand: bool,
    /// Teams told that the child now lives in their area while the concern
    /// stayed with the team that decided it, and when.
    pub told_of_move: Vec<(String, Timestamp)>,
}

const SIGHTLINE: &str = "sightline";

impl Workflow {
    /// A concern raised and routed (or not, when no route matched).
    pub fn raised(at: Timestamp, route: Option<&RouteOutcome>) -> Workflow {
        let mut w = Workflow {
            status: Status::Open,
            team: None,
            notify: Vec::new(),
            band_needs_sign_off: false,
            received_at: None,
            raised_at: at,
            acknowledged_at: None,
            decision: None,
            close_requested: None,
            closed_at: None,
            escalations: Vec::new(),
            return_interviews: Vec::new(),
            strategy_discussions: Vec::new(),
            s47_records: Vec::new(),
            cp_plans: Vec::new(),
            timeline: vec![TimelineEntry {
                at,
                who: SIGHTLINE.into(),
                what: "concern raised".into(),
            }],
            basis: route.map(|r| r.basis).unwrap_or_default(),
            reassigned_by_hand: false,
            told_of_move: Vec::new(),
        };
        match route {
            None => {}
            Some(RouteOutcome {
                team: Some(team),
                notify,
                reason,
                ..
            }) => {
                w.status = Status::Routed;
                w.team = Some(team.clone());
                w.notify = notify.clone();
                w.received_at = Some(at);
                w.note(at, SIGHTLINE, format!("routed to {team}: {reason}"));
            }
            Some(RouteOutcome { reason, .. }) => {
                w.status = Status::Unrouted;
                w.received_at = Some(at);
                w.note(
                    at,
                    SIGHTLINE,
                    format!("unrouted ({reason}): raised to the administrators"),
                );
            }
        }
        w
    }

    fn note(&mut self, at: Timestamp, who: &str, what: String) {
        self.timeline.push(TimelineEntry {
            at,
            who: who.to_string(),
            what,
        });
    }

    /// The records put the child somewhere new (`route` is routing on what
    /// they say at `at`). A concern follows the child to a new home, or
    /// from where they were seen to their home, school or placement: the
    /// new team receives it and its clocks start again. It does not follow
    /// weaker information, nor chase a child from one place seen to the
    /// next. A decided concern stays with the team that decided it and the
    /// new area's team is told; a closed one waits for new information to
    /// reopen it; one a person reassigned stays where they put it.
    pub fn moved(&mut self, at: Timestamp, route: &RouteOutcome) {
        if self.reassigned_by_hand || self.status == Status::Closed || route.basis < self.basis {
            return;
        }
        if route.team == self.team {
            self.basis = route.basis;
            return;
        }
        if route.basis == RouteBasis::Seen && self.basis == RouteBasis::Seen {
            return;
        }
        let from = self
            .team
            .clone()
            .unwrap_or_else(|| "the unrouted queue".into());
        if self.status == Status::Decided {
            if let Some(team) = &route.team
                && !self.told_of_move.iter().any(|(t, _)| t == team)
            {
                self.told_of_move.push((team.clone(), at));
                self.note(
                    at,
                    SIGHTLINE,
                    format!(
                        "the child is now in the area of {team} ({}): {team} is told; the decision stays with {from}",
                        route.reason
                    ),
                );
            }
            return;
        }
        self.basis = route.basis;
        self.team = route.team.clone();
        self.notify = route.notify.clone();
        self.received_at = Some(at);
        self.acknowledged_at = None;
        match &route.team {
            Some(team) => {
                self.status = Status::Routed;
                self.note(
                    at,
                    SIGHTLINE,
                    format!("routed again from {from} to {team}: {}", route.reason),
                );
            }
            None => {
                self.status = Status::Unrouted;
                self.note(
                    at,
                    SIGHTLINE,
                    format!(
                        "unrouted ({}): was with {from}; raised to the administrators",
                        route.reason
                    ),
                );
            }
        }
    }

    /// The band moved: closing at significant or above needs a sign-off.
    pub fn band(&mut self, significant_or_above: bool) {
        self.band_needs_sign_off = significant_or_above;
    }

    /// New information about a child whose concern was closed reopens it,
    /// listing what is new since the decision.
    pub fn new_information(&mut self, at: Timestamp, reports: &[String]) {
        if self.status != Status::Closed || reports.is_empty() {
            return;
        }
        self.status = if self.team.is_some() {
            Status::Routed
        } else {
            Status::Unrouted
        };
        self.received_at = Some(at);
        self.acknowledged_at = None;
        self.decision = None;
        self.close_requested = None;
        self.closed_at = None;
        self.note(
            at,
            SIGHTLINE,
            format!("reopened: new since the decision: {}", reports.join(", ")),
        );
    }

    /// A person's step. Checks who may take it and that it fits where the
    /// concern is.
    pub fn apply(
        &mut self,
        directory: Option<&Directory>,
        actor: &str,
        at: Timestamp,
        action: &Action,
    ) -> Result<(), WorkflowError> {
        let allowed = |team: Option<&str>| match directory {
            Some(d) => d.may_act(team, actor),
            None => true,
        };
        let not_allowed = |what: &str| {
            WorkflowError::NotAllowed(format!(
                "{actor} is not a member, manager or administrator of {} and cannot {what}",
                self.team.as_deref().unwrap_or("the unrouted queue")
            ))
        };
        let reason_needed = |reason: &str, what: &str| {
            if reason.trim().is_empty() {
                Err(WorkflowError::Invalid(format!(
                    "{what} needs a written reason"
                )))
            } else {
                Ok(())
            }
        };
        match action {
            Action::Acknowledge { note } => {
                if !allowed(self.team.as_deref()) {
                    return Err(not_allowed("acknowledge it"));
                }
                if self.status != Status::Routed {
                    return Err(WorkflowError::Invalid(format!(
                        "only a routed concern can be acknowledged; this one is {}",
                        self.status.as_str()
                    )));
                }
                self.status = Status::Acknowledged;
                self.acknowledged_at = Some(at);
                self.note(at, actor, format!("acknowledged{}", with(note)));
            }
            Action::Decide { outcome, reason } => {
                if !allowed(self.team.as_deref()) {
                    return Err(not_allowed("decide on it"));
                }
                if self.status != Status::Acknowledged {
                    return Err(WorkflowError::Invalid(format!(
                        "acknowledge the concern before deciding; it is {}",
                        self.status.as_str()
                    )));
                }
                reason_needed(reason, "a decision")?;
                self.status = Status::Decided;
                self.decision = Some((*outcome, at));
                self.note(
                    at,
                    actor,
                    format!("decided: {}: {reason}", outcome.as_str().replace('_', " ")),
                );
            }
            Action::Close { reason } => {
                if !allowed(self.team.as_deref()) {
                    return Err(not_allowed("close it"));
                }
                let Some((outcome, _)) = self.decision else {
                    return Err(WorkflowError::Invalid(format!(
                        "decide before closing; the concern is {}",
                        self.status.as_str()
                    )));
                };
                if self.status != Status::Decided || self.close_requested.is_some() {
                    return Err(WorkflowError::Invalid(
                        "the concern is not open to closing (already closed, or awaiting sign-off)"
                            .into(),
                    ));
                }
                if outcome == Outcome::NoFurtherAction {
                    reason_needed(reason, "closing with no further action")?;
                }
                if self.band_needs_sign_off {
                    self.close_requested = Some((actor.to_string(), reason.clone()));
                    self.note(
                        at,
                        actor,
                        format!(
                            "asked to close{}: awaiting sign-off by a second person (band significant or critical)",
                            with(reason)
                        ),
                    );
                } else {
                    self.status = Status::Closed;
                    self.closed_at = Some(at);
                    self.note(at, actor, format!("closed{}", with(reason)));
                }
            }
            Action::SignOff { note } => {
                let Some((by, reason)) = self.close_requested.clone() else {
                    return Err(WorkflowError::Invalid(
                        "nothing awaits sign-off on this concern".into(),
                    ));
                };
                if by == actor {
                    return Err(WorkflowError::NotAllowed(format!(
                        "{actor} asked to close it; a second, different person must sign it off"
                    )));
                }
                if !allowed(self.team.as_deref()) {
                    return Err(not_allowed("sign off its closing"));
                }
                self.status = Status::Closed;
                self.closed_at = Some(at);
                self.close_requested = None;
                self.note(
                    at,
                    actor,
                    format!(
                        "signed off the closing asked by {by} ({reason}){}",
                        with(note)
                    ),
                );
            }
            Action::Reassign { team, reason } => {
                if self.status == Status::Closed {
                    return Err(WorkflowError::Invalid(
                        "a closed concern is not reassigned; new information reopens it".into(),
                    ));
                }
                reason_needed(reason, "a reassignment")?;
                if let Some(d) = directory {
                    if d.team(team).is_none() {
                        return Err(WorkflowError::Invalid(format!(
                            "no team `{team}` in the directory"
                        )));
                    }
                    if !(d.may_act(self.team.as_deref(), actor) || d.may_act(Some(team), actor)) {
                        return Err(not_allowed("reassign it"));
                    }
                }
                if self.team.as_deref() == Some(team) {
                    return Err(WorkflowError::Invalid(format!("it is already with {team}")));
                }
                let from = self
                    .team
                    .clone()
                    .unwrap_or_else(|| "the unrouted queue".into());
                self.team = Some(team.clone());
                self.status = Status::Routed;
                self.received_at = Some(at);
                self.acknowledged_at = None;
                self.decision = None;
                self.reassigned_by_hand = true;
                self.note(
                    at,
                    actor,
                    format!("reassigned from {from} to {team}: {reason}"),
                );
            }
        }
        Ok(())
    }

    /// The clocks of the current step, and of return home interviews while
    /// the concern is with a team.
    pub fn clocks(&self, levels: &ServiceLevels, calendar: &Calendar) -> Vec<Clock> {
        let Some(start) = self.received_at else {
            return Vec::new();
        };
        let due = |days| calendar.add_working_days(start, days);
        let mut clocks = match self.status {
            Status::Unrouted => vec![Clock {
                kind: ClockKind::Route,
                since: start,
                due: due(levels.acknowledge_working_days),
                met: None,
            }],
            Status::Routed | Status::Acknowledged | Status::Decided => vec![
                Clock {
                    kind: ClockKind::Acknowledge,
                    since: start,
                    due: due(levels.acknowledge_working_days),
                    met: self.acknowledged_at,
                },
                Clock {
                    kind: ClockKind::Decide,
                    since: start,
                    due: due(levels.decide_working_days),
                    met: self.decision.map(|(_, at)| at),
                },
            ],
            Status::Open | Status::Closed => Vec::new(),
        };
        if let Some((Outcome::StrategyDiscussion, decided)) = self.decision
            && self.status == Status::Decided
        {
            clocks.push(Clock {
                kind: ClockKind::StrategyDiscussion,
                since: decided,
                due: calendar.add_working_days(decided, levels.strategy_discussion_working_days),
                met: self
                    .strategy_discussions
                    .iter()
                    .copied()
                    .filter(|&t| t >= decided)
                    .min(),
            });
        }
        if self.status == Status::Decided {
            clocks.extend(self.child_protection_clocks(start, levels, calendar));
        }
        if !matches!(self.status, Status::Open | Status::Closed) {
            for &(returned, done) in &self.return_interviews {
                clocks.push(Clock {
                    kind: ClockKind::ReturnInterview,
                    since: returned,
                    due: returned
                        .checked_add(jiff::SignedDuration::from_hours(i64::from(
                            levels.return_interview_hours,
                        )))
                        .unwrap_or(returned),
                    met: done,
                });
            }
        }
        clocks
    }

    /// Working Together's timings once a section 47 enquiry is under way:
    /// its assessment within 45 working days of the referral, and an
    /// initial child protection conference within 15 working days of the
    /// strategy discussion that started it (or of the decision, when no
    /// discussion is recorded before it). A section 47 enquiry is under
    /// way when the team decided one, or when one is recorded after a
    /// strategy discussion the team decided on. Closing the concern (with
    /// its rationale, e.g. no conference needed) stops the clocks.
    fn child_protection_clocks(
        &self,
        received: Timestamp,
        levels: &ServiceLevels,
        calendar: &Calendar,
    ) -> Vec<Clock> {
        let Some((outcome, decided)) = self.decision else {
            return Vec::new();
        };
        // Only what happened since this concern reached the team counts: a
        // discussion or a plan of years ago is another episode's.
        let first_after =
            |list: &[Timestamp], from: Timestamp| list.iter().copied().filter(|&t| t >= from).min();
        let (started, discussion) = match outcome {
            Outcome::S47Enquiry => (
                decided,
                self.strategy_discussions
                    .iter()
                    .copied()
                    .filter(|&t| t >= received && t <= decided)
                    .max(),
            ),
            Outcome::StrategyDiscussion => {
                let Some(held) = first_after(&self.strategy_discussions, decided) else {
                    return Vec::new();
                };
                if first_after(&self.s47_records, held).is_none() {
                    return Vec::new();
                }
                (held, Some(held))
            }
            _ => return Vec::new(),
        };
        let mut clocks = Vec::new();
        if outcome == Outcome::S47Enquiry {
            clocks.push(Clock {
                kind: ClockKind::S47Assessment,
                since: received,
                due: calendar.add_working_days(received, levels.s47_assessment_working_days),
                met: first_after(&self.s47_records, decided),
            });
        }
        let conference_from = discussion.unwrap_or(started);
        clocks.push(Clock {
            kind: ClockKind::InitialConference,
            since: conference_from,
            due: calendar.add_working_days(conference_from, levels.initial_conference_working_days),
            met: first_after(&self.cp_plans, conference_from),
        });
        clocks
    }

    /// Clocks run out and not met by `now`.
    pub fn overdue(
        &self,
        levels: &ServiceLevels,
        calendar: &Calendar,
        now: Timestamp,
    ) -> Vec<Clock> {
        self.clocks(levels, calendar)
            .into_iter()
            .filter(|c| c.met.is_none() && c.due <= now)
            .collect()
    }

    /// Escalations owed by `now` and not yet recorded: for each overdue
    /// clock, the manager when it ran out, then one person further up the
    /// chain every `escalate_every_working_days`. Unrouted concerns go to
    /// the administrators, then the partnership lead.
    pub fn escalations_due(
        &self,
        directory: &Directory,
        levels: &ServiceLevels,
        calendar: &Calendar,
        now: Timestamp,
    ) -> Vec<Escalation> {
        let chain: Vec<String> = match self.team.as_deref().and_then(|t| directory.team(t)) {
            Some(team) => directory.chain(team),
            None => {
                let mut c = directory.administrators.clone();
                c.push(directory.partnership_lead.clone());
                c
            }
        };
        let mut out = Vec::new();
        for clock in self.overdue(levels, calendar, now) {
            for (i, person) in chain.iter().enumerate() {
                let at = calendar
                    .add_working_days(clock.due, i as u32 * levels.escalate_every_working_days);
                if at > now {
                    break;
                }
                let e = Escalation {
                    clock: clock.kind,
                    level: i as u32 + 1,
                    to: person.clone(),
                    at,
                    since: clock.since,
                };
                if !self.escalations.contains(&e) {
                    out.push(e);
                }
            }
        }
        out
    }

    /// Records an escalation (replayed from the ledger, or just made).
    pub fn escalated(&mut self, e: Escalation) {
        if self.escalations.contains(&e) {
            return;
        }
        self.note(
            e.at,
            SIGHTLINE,
            format!(
                "{} overdue: escalated to {} (level {})",
                e.clock.as_str(),
                e.to,
                e.level
            ),
        );
        self.escalations.push(e);
    }
}

fn with(text: &str) -> String {
    if text.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", text.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAMS: &str = r#"
format = 1
version = "1"
partnership_lead = "lead"
administrators = ["admin"]
[[teams]]
id = "north"
name = "North"
agency = "social_care"
manager = "mgr"
members = ["sw1", "sw2"]
escalation = ["head"]
[[teams]]
id = "south"
name = "South"
agency = "social_care"
manager = "mgr2"
members = ["sw3"]
"#;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// sw1 acknowledges the concern and decides, both at `at`.
    fn ack_and_decide(d: &Directory, w: &mut Workflow, at: Timestamp, outcome: Outcome) {
        let ack = Action::Acknowledge { note: "".into() };
        w.apply(Some(d), "sw1", at, &ack).unwrap();
        let reason = "assessed".into();
        w.apply(Some(d), "sw1", at, &Action::Decide { outcome, reason })
            .unwrap();
    }

    fn setup() -> (Directory, ServiceLevels, Calendar, Workflow) {
        let d = Directory::parse(TEAMS, "teams.toml").unwrap();
        let route = RouteOutcome {
            team: Some("north".into()),
            notify: vec![],
            reason: "postcode district RV1".into(),
            basis: RouteBasis::Residence,
        };
        // Monday 10:00.
        let w = Workflow::raised(t("2024-01-15T10:00:00Z"), Some(&route));
        (
            d,
            ServiceLevels::default_levels(),
            Calendar::england_and_wales(),
            w,
        )
    }

    #[test]
    fn the_happy_path_and_its_clocks() {
        let (d, sl, cal, mut w) = setup();
        assert_eq!(w.status, Status::Routed);
        let clocks = w.clocks(&sl, &cal);
        assert_eq!(clocks[0].due, t("2024-01-16T10:00:00Z"));
        w.apply(
            Some(&d),
            "sw1",
            t("2024-01-15T11:00:00Z"),
            &Action::Acknowledge { note: "".into() },
        )
        .unwrap();
        w.apply(
            Some(&d),
            "sw1",
            t("2024-01-15T15:00:00Z"),
            &Action::Decide {
                outcome: Outcome::StrategyDiscussion,
                reason: "CSE risk".into(),
            },
        )
        .unwrap();
        // The strategy discussion the decision called for was held.
        w.strategy_discussions = vec![t("2024-01-16T09:00:00Z")];
        assert!(w.overdue(&sl, &cal, t("2024-02-01T00:00:00Z")).is_empty());
        w.apply(
            Some(&d),
            "sw2",
            t("2024-01-20T10:00:00Z"),
            &Action::Close {
                reason: "plan in place".into(),
            },
        )
        .unwrap();
        assert_eq!(w.status, Status::Closed);
    }

    #[test]
    fn strangers_cannot_act_and_steps_keep_their_order() {
        let (d, _, _, mut w) = setup();
        let at = t("2024-01-15T11:00:00Z");
        let err = w
            .apply(
                Some(&d),
                "sw3",
                at,
                &Action::Acknowledge { note: "".into() },
            )
            .unwrap_err();
        assert!(matches!(err, WorkflowError::NotAllowed(_)), "{err}");
        let err = w
            .apply(
                Some(&d),
                "sw1",
                at,
                &Action::Decide {
                    outcome: Outcome::EarlyHelp,
                    reason: "x".into(),
                },
            )
            .unwrap_err();
        assert!(err.to_string().contains("acknowledge"), "{err}");
    }

    #[test]
    fn no_further_action_needs_a_rationale_and_a_second_person_at_significant() {
        let (d, _, _, mut w) = setup();
        let at = t("2024-01-15T11:00:00Z");
        w.band(true);
        ack_and_decide(&d, &mut w, at, Outcome::NoFurtherAction);
        let err = w
            .apply(Some(&d), "sw1", at, &Action::Close { reason: " ".into() })
            .unwrap_err();
        assert!(err.to_string().contains("written reason"), "{err}");
        w.apply(
            Some(&d),
            "sw1",
            at,
            &Action::Close {
                reason: "no risk found".into(),
            },
        )
        .unwrap();
        assert_eq!(w.status, Status::Decided);
        let err = w
            .apply(Some(&d), "sw1", at, &Action::SignOff { note: "".into() })
            .unwrap_err();
        assert!(
            err.to_string().contains("second, different person"),
            "{err}"
        );
        w.apply(
            Some(&d),
            "mgr",
            at,
            &Action::SignOff {
                note: "agreed".into(),
            },
        )
        .unwrap();
        assert_eq!(w.status, Status::Closed);
        // New information reopens it, listing what is new.
        w.new_information(t("2024-02-01T10:00:00Z"), &["police/NICHE/INC-9".into()]);
        assert_eq!(w.status, Status::Routed);
        assert!(w.timeline.last().unwrap().what.contains("INC-9"));
    }

    #[test]
    fn overdue_clocks_escalate_up_the_chain_one_working_day_apart() {
        let (d, sl, cal, w) = setup();
        // Due Tuesday 10:00; manager then, head Wednesday, lead Thursday.
        let owed = w.escalations_due(&d, &sl, &cal, t("2024-01-17T12:00:00Z"));
        let who: Vec<(ClockKind, &str)> = owed.iter().map(|e| (e.clock, e.to.as_str())).collect();
        assert_eq!(
            who,
            [
                (ClockKind::Acknowledge, "mgr"),
                (ClockKind::Acknowledge, "head"),
                (ClockKind::Decide, "mgr"),
                (ClockKind::Decide, "head")
            ]
        );
        let mut w = w;
        for e in owed {
            w.escalated(e);
        }
        let later = w.escalations_due(&d, &sl, &cal, t("2024-01-18T12:00:00Z"));
        assert_eq!(later.len(), 2);
        assert!(later.iter().all(|e| e.to == "lead" && e.level == 3));
    }

    #[test]
    fn unrouted_concerns_go_to_the_administrators_and_can_be_reassigned() {
        let d = Directory::parse(TEAMS, "teams.toml").unwrap();
        let (sl, cal) = (
            ServiceLevels::default_levels(),
            Calendar::england_and_wales(),
        );
        let none = RouteOutcome {
            team: None,
            notify: vec![],
            reason: "no route for home ZZ1 1AA".into(),
            basis: RouteBasis::Nothing,
        };
        let mut w = Workflow::raised(t("2024-01-15T10:00:00Z"), Some(&none));
        assert_eq!(w.status, Status::Unrouted);
        let owed = w.escalations_due(&d, &sl, &cal, t("2024-01-16T10:00:00Z"));
        assert_eq!(owed[0].to, "admin");
        assert_eq!(owed[0].clock, ClockKind::Route);
        w.apply(
            Some(&d),
            "admin",
            t("2024-01-16T11:00:00Z"),
            &Action::Reassign {
                team: "south".into(),
                reason: "lives in Brookfield".into(),
            },
        )
        .unwrap();
        assert_eq!(w.status, Status::Routed);
        assert_eq!(w.team.as_deref(), Some("south"));
    }

    #[test]
    fn a_missing_childs_return_starts_a_72_hour_interview_clock() {
        let (d, sl, cal, mut w) = setup();
        w.return_interviews = vec![
            (t("2024-01-20T22:00:00Z"), Some(t("2024-01-22T10:00:00Z"))),
            (t("2024-02-01T08:00:00Z"), None),
        ];
        let rhi: Vec<Clock> = w
            .clocks(&sl, &cal)
            .into_iter()
            .filter(|c| c.kind == ClockKind::ReturnInterview)
            .collect();
        assert_eq!(rhi.len(), 2);
        assert_eq!(rhi[1].due, t("2024-02-04T08:00:00Z"));
        let overdue = w.overdue(&sl, &cal, t("2024-02-05T00:00:00Z"));
        assert!(overdue.iter().any(|c| c.kind == ClockKind::ReturnInterview));
        let owed = w.escalations_due(&d, &sl, &cal, t("2024-02-05T00:00:00Z"));
        assert!(
            owed.iter()
                .any(|e| e.clock == ClockKind::ReturnInterview && e.to == "mgr")
        );
    }

    #[test]
    fn a_decided_strategy_discussion_is_due_within_a_working_day() {
        let (d, sl, cal, mut w) = setup();
        let at = t("2024-01-15T11:00:00Z");
        ack_and_decide(&d, &mut w, at, Outcome::StrategyDiscussion);
        let sd = |w: &Workflow| {
            w.clocks(&sl, &cal)
                .into_iter()
                .find(|c| c.kind == ClockKind::StrategyDiscussion)
                .unwrap()
        };
        assert_eq!(sd(&w).due, t("2024-01-16T11:00:00Z"));
        assert!(
            w.overdue(&sl, &cal, t("2024-01-17T00:00:00Z"))
                .iter()
                .any(|c| c.kind == ClockKind::StrategyDiscussion)
        );
        w.strategy_discussions = vec![t("2024-01-16T09:00:00Z")];
        assert_eq!(sd(&w).met, Some(t("2024-01-16T09:00:00Z")));
    }

    #[test]
    fn a_section_47_enquiry_has_its_assessment_and_conference_clocks() {
        let (d, sl, cal, mut w) = setup();
        // A strategy discussion on Monday 15 January started the enquiry,
        // decided the same day.
        w.strategy_discussions = vec![t("2024-01-15T10:30:00Z")];
        ack_and_decide(&d, &mut w, t("2024-01-15T11:00:00Z"), Outcome::S47Enquiry);
        let clock = |w: &Workflow, kind| {
            w.clocks(&sl, &cal)
                .into_iter()
                .find(|c| c.kind == kind)
                .unwrap()
        };
        // Fifteen working days from the discussion: Monday 5 February.
        let icpc = clock(&w, ClockKind::InitialConference);
        assert_eq!(icpc.since, t("2024-01-15T10:30:00Z"));
        assert_eq!(icpc.due, t("2024-02-05T10:30:00Z"));
        // Forty-five working days from the referral (received 15 January).
        let s47 = clock(&w, ClockKind::S47Assessment);
        assert_eq!(s47.since, w.received_at.unwrap());
        assert!(s47.due > t("2024-03-14T00:00:00Z") && s47.due < t("2024-03-20T00:00:00Z"));
        let late = w.overdue(&sl, &cal, t("2024-02-06T00:00:00Z"));
        assert!(late.iter().any(|c| c.kind == ClockKind::InitialConference));
        assert!(!late.iter().any(|c| c.kind == ClockKind::S47Assessment));
        // The conference made a plan; the enquiry's assessment is recorded.
        w.cp_plans = vec![t("2024-02-01T14:00:00Z")];
        w.s47_records = vec![t("2024-01-30T09:00:00Z")];
        assert!(w.overdue(&sl, &cal, t("2024-04-01T00:00:00Z")).is_empty());
    }

    #[test]
    fn an_old_discussion_or_plan_is_another_episodes() {
        let (d, sl, cal, mut w) = setup();
        // A discussion and a plan two years before this concern.
        w.strategy_discussions = vec![t("2022-03-01T10:00:00Z")];
        w.cp_plans = vec![t("2022-03-20T10:00:00Z")];
        ack_and_decide(&d, &mut w, t("2024-01-15T11:00:00Z"), Outcome::S47Enquiry);
        let icpc = w
            .clocks(&sl, &cal)
            .into_iter()
            .find(|c| c.kind == ClockKind::InitialConference)
            .unwrap();
        assert_eq!(icpc.since, t("2024-01-15T11:00:00Z"));
        assert_eq!(icpc.met, None);
        assert!(w.overdue(&sl, &cal, t("2024-01-16T00:00:00Z")).is_empty());
    }

    #[test]
    fn a_strategy_discussion_that_starts_an_enquiry_starts_the_conference_clock() {
        let (d, sl, cal, mut w) = setup();
        ack_and_decide(
            &d,
            &mut w,
            t("2024-01-15T11:00:00Z"),
            Outcome::StrategyDiscussion,
        );
        let has = |w: &Workflow, kind| w.clocks(&sl, &cal).iter().any(|c| c.kind == kind);
        w.strategy_discussions = vec![t("2024-01-16T09:00:00Z")];
        // No enquiry recorded: no conference is due.
        assert!(!has(&w, ClockKind::InitialConference));
        w.s47_records = vec![t("2024-01-17T09:00:00Z")];
        let icpc = w
            .clocks(&sl, &cal)
            .into_iter()
            .find(|c| c.kind == ClockKind::InitialConference)
            .unwrap();
        assert_eq!(icpc.since, t("2024-01-16T09:00:00Z"));
        assert!(!has(&w, ClockKind::S47Assessment));
    }

    fn to(team: Option<&str>, basis: RouteBasis, reason: &str) -> RouteOutcome {
        RouteOutcome {
            team: team.map(String::from),
            notify: vec![],
            reason: reason.into(),
            basis,
        }
    }

    #[test]
    fn a_concern_follows_the_child_to_a_new_home_and_its_clocks_start_again() {
        let (d, sl, cal, mut w) = setup();
        let ack = Action::Acknowledge { note: "".into() };
        w.apply(Some(&d), "sw1", t("2024-01-15T11:00:00Z"), &ack)
            .unwrap();
        let moved_at = t("2024-03-01T09:00:00Z");
        w.moved(moved_at, &to(Some("south"), RouteBasis::Residence, "RV2"));
        assert_eq!(w.team.as_deref(), Some("south"));
        assert_eq!(w.status, Status::Routed);
        assert_eq!(w.received_at, Some(moved_at));
        assert_eq!(w.acknowledged_at, None);
        let ack_clock = w
            .clocks(&sl, &cal)
            .into_iter()
            .find(|c| c.kind == ClockKind::Acknowledge)
            .unwrap();
        assert_eq!(ack_clock.since, moved_at);
        assert!(
            w.timeline
                .last()
                .unwrap()
                .what
                .contains("routed again from north to south: RV2")
        );
        // The old team can no longer act on it; the new one can.
        assert!(w.apply(Some(&d), "sw1", moved_at, &ack).is_err());
        w.apply(Some(&d), "sw3", moved_at, &ack).unwrap();
    }

    #[test]
    fn a_concern_does_not_follow_weaker_information_or_chase_a_child_seen_about() {
        let at = t("2024-01-15T10:00:00Z");
        let seen = to(Some("north"), RouteBasis::Seen, "seen in RV1");
        let mut w = Workflow::raised(at, Some(&seen));
        // Seen somewhere else: stays.
        w.moved(at, &to(Some("south"), RouteBasis::Seen, "seen in RV2"));
        assert_eq!(w.team.as_deref(), Some("north"));
        // A home becomes known: it goes there.
        w.moved(at, &to(Some("south"), RouteBasis::Residence, "home RV2"));
        assert_eq!(w.team.as_deref(), Some("south"));
        // Only a sighting again: stays with the home's team.
        w.moved(at, &to(Some("north"), RouteBasis::Seen, "seen in RV1"));
        assert_eq!(w.team.as_deref(), Some("south"));
    }

    #[test]
    fn an_unrouted_concern_is_routed_when_a_home_becomes_known() {
        let at = t("2024-01-15T10:00:00Z");
        let mut w = Workflow::raised(at, Some(&to(None, RouteBasis::Nothing, "nothing known")));
        assert_eq!(w.status, Status::Unrouted);
        w.moved(at, &to(Some("north"), RouteBasis::School, "school"));
        assert_eq!(
            (w.status, w.team.as_deref()),
            (Status::Routed, Some("north"))
        );
        // Moving out of every route's area goes back to the administrators.
        w.moved(
            at,
            &to(None, RouteBasis::Residence, "no route for home ZZ1"),
        );
        assert_eq!((w.status, w.team.as_deref()), (Status::Unrouted, None));
    }

    #[test]
    fn a_decided_concern_stays_and_tells_the_new_area_a_closed_or_reassigned_one_stays() {
        let (d, _, _, mut w) = setup();
        let at = t("2024-01-16T10:00:00Z");
        ack_and_decide(&d, &mut w, at, Outcome::EarlyHelp);
        let south = to(Some("south"), RouteBasis::Residence, "home RV2");
        w.moved(at, &south);
        w.moved(at, &south);
        assert_eq!(w.team.as_deref(), Some("north"));
        assert_eq!(w.told_of_move, vec![("south".to_string(), at)]);

        let (d, _, _, mut w) = setup();
        let reason = "the child is known to the south team".to_string();
        let reassign = Action::Reassign {
            team: "south".into(),
            reason,
        };
        w.apply(Some(&d), "sw1", at, &reassign).unwrap();
        w.moved(at, &to(Some("north"), RouteBasis::Residence, "home RV1"));
        assert_eq!(w.team.as_deref(), Some("south"), "a person's choice stands");

        let (d, _, _, mut w) = setup();
        ack_and_decide(&d, &mut w, at, Outcome::Referral);
        let close = Action::Close {
            reason: "referred".into(),
        };
        w.apply(Some(&d), "sw1", at, &close).unwrap();
        w.moved(at, &south);
        assert_eq!(
            (w.status, w.team.as_deref()),
            (Status::Closed, Some("north"))
        );
        assert!(w.told_of_move.is_empty());
    }

    #[test]
    fn outcomes_parse_as_people_type_them() {
        assert_eq!(Outcome::parse("s47-enquiry"), Some(Outcome::S47Enquiry));
        assert_eq!(
            Outcome::parse("No further action"),
            Some(Outcome::NoFurtherAction)
        );
        assert_eq!(Outcome::parse("maybe"), None);
    }
}

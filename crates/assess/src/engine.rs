//! The assessor: reports in, in data-time order; children's assessments,
//! concerns and the network out, kept up to date one report at a time.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use sightline_model::{Action, Agency, Kind, Role};

use crate::Band;
use crate::config::AssessRules;
use crate::event::{ReportEvent, ReportRef};
use crate::network::{Graph, NodeKind, TOGETHER};
use crate::score::{self, Assessment, ChildHistory, ChildHit, ChildReport, DAY};

/// Reports are taken in data-time order; an earlier one means the caller
/// must replay from before it.
#[derive(Debug, thiserror::Error)]
#[error(
    "report {agency}/{system}/{record_id} (recorded {recorded_at}) is earlier than one already assessed (recorded {last}): assess again from the start"
)]
pub struct OutOfOrder {
    pub agency: String,
    pub system: String,
    pub record_id: String,
    pub recorded_at: Timestamp,
    pub last: Timestamp,
}

/// A report as the engine keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportInfo {
    pub key: ReportRef,
    pub agency: Agency,
    pub kind: Kind,
    pub recorded_at: Timestamp,
    pub event_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    pub action: Option<Action>,
    /// Indicators present about its subject.
    pub indicators: Vec<String>,
}

/// Why a concern was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RaisedBy {
    /// The child's own assessment reached the band.
    Assessment,
    /// A critical indicator or an override.
    Override,
    /// A link to an adult of concern or a hotspot (a hidden victim).
    Network,
}

/// The network link that raised a hidden victim's concern.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkLink {
    /// The hub (adult of concern or hotspot) node.
    pub hub: u32,
    /// The report that made the link, or made the hub one.
    pub report: u32,
    /// Children at risk linked to the hub at that time.
    pub children: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub band: Band,
    /// Engine report index: its `recorded_at` is the time.
    pub report: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Concern {
    pub concern_id: String,
    /// Node of the child.
    pub node: u32,
    pub person_id: String,
    pub concern_type: String,
    /// The highest band reached.
    pub tier: Band,
    /// The band now.
    pub band: Band,
    /// Engine report index of the report that raised it.
    pub raised_report: u32,
    pub raised_by: RaisedBy,
    pub reports: BTreeSet<u32>,
    pub indicators: BTreeSet<String>,
    pub history: Vec<HistoryEntry>,
    /// The assessment that raised it.
    pub raised_with: Assessment,
    pub latest: Assessment,
    pub network: Option<NetworkLink>,
}

#[derive(Debug, Default)]
pub(crate) struct ChildState {
    history: ChildHistory,
    /// Every report the child is in, any role.
    appearances: Vec<u32>,
    /// Own band (without the network floor) at the last assessment.
    own: Option<Band>,
    /// Has reached the network's at-risk band on their own assessment.
    pub(crate) at_risk: bool,
    pub(crate) floor: Option<NetworkLink>,
    latest: Option<Assessment>,
}

/// An adult of concern or hotspot.
#[derive(Debug, Clone, Serialize)]
pub struct Hub {
    pub node: u32,
    /// Engine report index at which it became one.
    pub since: u32,
}

/// Roles that put a person in the network (family, professionals and
/// reporters are in reports for other reasons).
fn in_network(role: Role) -> bool {
    matches!(
        role,
        Role::Subject | Role::Victim | Role::Suspect | Role::Associate | Role::Other
    )
}

/// Most people and objects of one report linked pairwise; bigger reports
/// (a list of a class, a log) link everyone to the subjects only.
const PAIRWISE_LIMIT: usize = 12;

pub struct Assessor {
    pub(crate) rules: AssessRules,
    pub reports: Vec<ReportInfo>,
    pub graph: Graph,
    pub(crate) children: FxHashMap<u32, ChildState>,
    /// Per hub candidate: children at risk linked to it.
    pub(crate) risk_links: FxHashMap<u32, BTreeSet<u32>>,
    pub(crate) hubs: BTreeMap<u32, Hub>,
    pub(crate) concerns: BTreeMap<u32, Concern>,
    place_categories: FxHashSet<String>,
    last: Option<(Timestamp, ReportRef)>,
}

fn year_of(t: Timestamp) -> i32 {
    i32::from(t.to_zoned(jiff::tz::TimeZone::UTC).year())
}

impl Assessor {
    pub fn new(rules: AssessRules) -> Assessor {
        let place_categories = rules
            .network
            .place_categories
            .iter()
            .map(|c| c.to_lowercase())
            .collect();
        Assessor {
            rules,
            reports: Vec::new(),
            graph: Graph::default(),
            children: FxHashMap::default(),
            risk_links: FxHashMap::default(),
            hubs: BTreeMap::new(),
            concerns: BTreeMap::new(),
            place_categories,
            last: None,
        }
    }

    pub fn rules(&self) -> &AssessRules {
        &self.rules
    }

    /// Sorts events into the order the assessor takes them.
    pub fn sort(events: &mut [ReportEvent]) {
        events.sort_by(|a, b| (a.recorded_at, &a.key).cmp(&(b.recorded_at, &b.key)));
    }

    /// Age of a person node at a time, when known.
    fn age_at(&self, node: u32, at: Timestamp) -> Option<i32> {
        self.graph.nodes[node as usize]
            .born_year
            .map(|y| year_of(at) - y)
    }

    /// A child at a time: known to be under 18, or of unknown age and the
    /// subject or victim of a report.
    pub(crate) fn is_child(&self, node: u32, at: Timestamp) -> bool {
        let n = &self.graph.nodes[node as usize];
        n.kind == NodeKind::Person
            && match self.age_at(node, at) {
                Some(age) => age < 18,
                None => n.ever_subject,
            }
    }

    /// A node that can be a hub: an adult (known to be 18 or over, or of
    /// unknown age and named as a suspect), a vehicle, a phone, or a place
    /// of a concerning kind.
    pub(crate) fn hub_candidate(&self, node: u32, at: Timestamp) -> bool {
        let n = &self.graph.nodes[node as usize];
        match n.kind {
            NodeKind::Person => match self.age_at(node, at) {
                Some(age) => age >= 18,
                None => n.suspect_reports > 0 && !n.ever_subject,
            },
            NodeKind::Vehicle | NodeKind::Phone => true,
            NodeKind::Place => n
                .category
                .as_ref()
                .is_some_and(|c| self.place_categories.contains(&c.to_lowercase())),
        }
    }

    fn hub_min(&self, node: u32) -> usize {
        match self.graph.nodes[node as usize].kind {
            NodeKind::Person => self.rules.network.adult_min_children as usize,
            _ => self.rules.network.object_min_children as usize,
        }
    }

    /// Takes one report. Reports must come in `(recorded_at, key)` order.
    pub fn add(&mut self, event: &ReportEvent) -> Result<(), OutOfOrder> {
        if let Some((t, key)) = &self.last
            && (event.recorded_at, &event.key) < (*t, key)
        {
            return Err(OutOfOrder {
                agency: event.key.agency.clone(),
                system: event.key.system.clone(),
                record_id: event.key.record_id.clone(),
                recorded_at: event.recorded_at,
                last: *t,
            });
        }
        self.last = Some((event.recorded_at, event.key.clone()));
        let idx = self.reports.len() as u32;
        let now = event.recorded_at;
        let event_year = year_of(event.event_at);

        // Nodes.
        let mut people = Vec::with_capacity(event.people.len());
        for p in &event.people {
            let n = self.graph.node(NodeKind::Person, &p.person, &p.label);
            let node = &mut self.graph.nodes[n as usize];
            node.reports += 1;
            if let Some(age) = p.age {
                node.born_year = Some(event_year - age);
            }
            if matches!(p.role, Role::Subject | Role::Victim) {
                node.ever_subject = true;
            }
            if p.role == Role::Suspect {
                node.suspect_reports += 1;
            }
            people.push(n);
        }
        let mut objects = Vec::with_capacity(event.objects.len());
        for o in &event.objects {
            let n = self.graph.node(o.kind.into(), &o.entity, &o.label);
            let node = &mut self.graph.nodes[n as usize];
            node.reports += 1;
            if node.category.is_none() {
                node.category = o.category.clone();
            }
            objects.push(n);
        }

        // Edges: everyone in the network part of the report together, and
        // each relation with its type.
        let mut members: Vec<u32> = Vec::new();
        for (p, &n) in event.people.iter().zip(&people) {
            if in_network(p.role) && !members.contains(&n) {
                members.push(n);
            }
        }
        for &n in &objects {
            if !members.contains(&n) {
                members.push(n);
            }
        }
        let subjects: Vec<u32> = {
            let of = |role: Role| -> Vec<u32> {
                event
                    .people
                    .iter()
                    .zip(&people)
                    .filter(|(p, _)| p.role == role)
                    .map(|(_, &n)| n)
                    .collect()
            };
            let s = of(Role::Subject);
            if s.is_empty() { of(Role::Victim) } else { s }
        };
        let mut new_edges = Vec::new();
        if members.len() <= PAIRWISE_LIMIT {
            for i in 0..members.len() {
                for j in i + 1..members.len() {
                    if self.graph.link(members[i], members[j], TOGETHER, idx) {
                        new_edges.push((members[i], members[j]));
                    }
                }
            }
        } else {
            for &s in &subjects {
                for &m in &members {
                    if self.graph.link(s, m, TOGETHER, idx) {
                        new_edges.push((s, m));
                    }
                }
            }
        }
        let node_of = |i: usize| -> Option<u32> {
            if i < people.len() {
                Some(people[i])
            } else {
                objects.get(i - people.len()).copied()
            }
        };
        for r in &event.relations {
            if let (Some(a), Some(b)) = (node_of(r.from), node_of(r.to))
                && members.contains(&a)
                && members.contains(&b)
                && self.graph.link(a, b, &r.kind, idx)
            {
                new_edges.push((a, b));
            }
        }

        // The subject children's histories.
        let subject_indicators: Vec<String> = event
            .hits
            .iter()
            .filter(|h| h.about_subject)
            .map(|h| h.indicator.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.reports.push(ReportInfo {
            key: event.key.clone(),
            agency: event.agency,
            kind: event.kind,
            recorded_at: event.recorded_at,
            event_at: event.event_at,
            ended_at: event.ended_at,
            action: event.action,
            indicators: subject_indicators,
        });
        let event_s = event.event_at.as_second().min(now.as_second());
        for &s in &subjects {
            if !self.is_child(s, event.event_at) {
                continue;
            }
            let vulnerable = &self.rules.overrides.vulnerable_indicators;
            let score_undated = self.rules.scoring.score_undated_history;
            let child = self.children.entry(s).or_default();
            let mut signs = false;
            let mut signals = Vec::new();
            for h in event.hits.iter().filter(|h| h.about_subject) {
                let tier = h.tier.chars().next().unwrap_or('L');
                if tier == 'R' {
                    signals.push(h.indicator.as_str().into());
                    continue;
                }
                let at = match (h.historical, h.dated_year) {
                    (_, Some(year)) => {
                        match jiff::civil::date(year, 7, 1).to_zoned(jiff::tz::TimeZone::UTC) {
                            Ok(z) => z.timestamp().as_second().min(event_s),
                            Err(_) => continue,
                        }
                    }
                    (true, None) if !score_undated => continue,
                    _ => event_s,
                };
                signs |= matches!(tier, 'C' | 'H' | 'M');
                if vulnerable.contains(&h.indicator) {
                    let since = child.history.vulnerable_since.get_or_insert(event_s);
                    *since = (*since).min(event_s);
                }
                child.history.hits.push(ChildHit {
                    indicator: h.indicator.as_str().into(),
                    tier,
                    at,
                    report: idx,
                    agency: event.agency,
                    hedged: h.hedged,
                    historical: h.historical,
                    sentence: h.sentence.as_str().into(),
                });
            }
            child.history.reports.push(ChildReport {
                report: idx,
                at: event_s,
                agency: event.agency,
                kind: event.kind,
                signs,
                no_further_action: event.action == Some(Action::NoFurtherAction),
                signals,
            });
        }

        // Every child in the report is assessed at its arrival.
        let mut newly_at_risk = Vec::new();
        let mut seen = FxHashSet::default();
        for &n in &people {
            if !seen.insert(n) || !self.is_child(n, now) {
                continue;
            }
            let child = self.children.entry(n).or_default();
            if child.appearances.last() != Some(&idx) {
                child.appearances.push(idx);
            }
            if self.reassess(n, idx) {
                newly_at_risk.push(n);
            }
        }

        // The network: children newly at risk and new links can make hubs;
        // a hub's children with no concern of their own are hidden victims.
        let mut touched: Vec<u32> = Vec::new();
        for &c in &newly_at_risk {
            for &h in self.graph.neighbours(c).to_vec().iter() {
                if self.hub_candidate(h, now) && self.risk_links.entry(h).or_default().insert(c) {
                    touched.push(h);
                }
            }
        }
        for &(a, b) in &new_edges {
            for (c, h) in [(a, b), (b, a)] {
                if self.children.get(&c).is_some_and(|s| s.at_risk)
                    && self.hub_candidate(h, now)
                    && self.risk_links.entry(h).or_default().insert(c)
                {
                    touched.push(h);
                }
            }
        }
        for h in touched {
            let linked = self.risk_links.get(&h).map_or(0, BTreeSet::len);
            if linked >= self.hub_min(h) && !self.hubs.contains_key(&h) {
                self.hubs.insert(
                    h,
                    Hub {
                        node: h,
                        since: idx,
                    },
                );
                for c in self.graph.neighbours(h).to_vec() {
                    self.flag_hidden(c, h, idx);
                }
            }
        }
        for &(a, b) in &new_edges {
            for (c, h) in [(a, b), (b, a)] {
                if self.hubs.contains_key(&h) {
                    self.flag_hidden(c, h, idx);
                }
            }
        }
        Ok(())
    }

    /// A child linked to a hub, with no concern of their own, gets the
    /// network's floor band.
    fn flag_hidden(&mut self, c: u32, hub: u32, idx: u32) {
        let band = self.rules.network.hidden_victim_band;
        let now = self.reports[idx as usize].recorded_at;
        if band == Band::None
            || !self.is_child(c, now)
            || self.concerns.contains_key(&c)
            || self
                .children
                .get(&c)
                .is_some_and(|s| s.at_risk || s.floor.is_some())
        {
            return;
        }
        let children = self
            .risk_links
            .get(&hub)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let child = self.children.entry(c).or_default();
        child.floor = Some(NetworkLink {
            hub,
            report: idx,
            children,
        });
        self.reassess(c, idx);
    }

    /// Assesses a child at report `idx` and moves their concern; true when
    /// the child has just reached the network's at-risk band.
    fn reassess(&mut self, node: u32, idx: u32) -> bool {
        let now = self.reports[idx as usize].recorded_at;
        let age = self.age_at(node, now);
        let Some(child) = self.children.get_mut(&node) else {
            return false;
        };
        if child.history.hits.is_empty() && child.floor.is_none() && child.own.is_none() {
            return false;
        }
        let assessment = score::assess(&self.rules, &child.history, age, now.as_second());
        let own = assessment.band;
        child.own = Some(own);
        let newly_at_risk = !child.at_risk && own >= self.rules.network.at_risk_band;
        child.at_risk |= newly_at_risk;
        let floor = child
            .floor
            .as_ref()
            .map(|_| self.rules.network.hidden_victim_band)
            .unwrap_or(Band::None);
        let band = own.max(floor);
        child.latest = Some(assessment.clone());
        let network = child.floor.clone();
        match self.concerns.get_mut(&node) {
            Some(concern) => {
                if concern.band != band {
                    concern.band = band;
                    concern.tier = concern.tier.max(band);
                    concern.history.push(HistoryEntry { band, report: idx });
                }
                concern.reports.extend(assessment.reports());
                concern
                    .indicators
                    .extend(assessment.indicators().map(str::to_string));
                concern.latest = assessment;
            }
            None if band >= self.rules.concerns.open_at => {
                let raised_by = if own < band {
                    RaisedBy::Network
                } else if !assessment.overrides.is_empty()
                    && assessment
                        .score_band
                        .raised(assessment.patterns.iter().map(|p| u32::from(p.step)).sum())
                        < self.rules.concerns.open_at
                {
                    RaisedBy::Override
                } else {
                    RaisedBy::Assessment
                };
                let person_id = self.graph.nodes[node as usize].id.clone();
                let mut reports = assessment.reports();
                if let Some(link) = &network {
                    reports.insert(link.report);
                }
                let concern = Concern {
                    concern_id: concern_id(&person_id, &self.rules.concern_type),
                    node,
                    person_id,
                    concern_type: self.rules.concern_type.clone(),
                    tier: band,
                    band,
                    raised_report: idx,
                    raised_by,
                    reports,
                    indicators: assessment.indicators().map(str::to_string).collect(),
                    history: vec![HistoryEntry { band, report: idx }],
                    raised_with: assessment.clone(),
                    latest: assessment,
                    network,
                };
                self.concerns.insert(node, concern);
            }
            None => {}
        }
        newly_at_risk
    }

    /// Every concern, in the order they were raised.
    pub fn concerns(&self) -> Vec<&Concern> {
        let mut all: Vec<&Concern> = self.concerns.values().collect();
        all.sort_by(|a, b| (a.raised_report, &a.person_id).cmp(&(b.raised_report, &b.person_id)));
        all
    }

    pub fn concern_of(&self, node: u32) -> Option<&Concern> {
        self.concerns.get(&node)
    }

    /// The latest assessment of a child (with no concern too).
    pub fn assessment_of(&self, node: u32) -> Option<&Assessment> {
        self.children.get(&node).and_then(|c| c.latest.as_ref())
    }

    /// Reports a child is in, in the order taken.
    pub fn appearances(&self, node: u32) -> &[u32] {
        self.children
            .get(&node)
            .map(|c| c.appearances.as_slice())
            .unwrap_or(&[])
    }

    pub fn hubs(&self) -> impl Iterator<Item = &Hub> {
        self.hubs.values()
    }

    /// Children at risk linked to a node.
    pub fn children_at_risk_of(&self, node: u32) -> Vec<u32> {
        self.risk_links
            .get(&node)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    pub fn is_at_risk(&self, node: u32) -> bool {
        self.children.get(&node).is_some_and(|c| c.at_risk)
    }

    /// Data time: the `recorded_at` of the last report taken.
    pub fn now(&self) -> Option<Timestamp> {
        self.last.as_ref().map(|(t, _)| *t)
    }

    pub fn window_days(&self) -> i64 {
        i64::from(self.rules.scoring.window_days) * DAY
    }
}

/// A concern's id: stable for the same person and type across reruns.
pub fn concern_id(person_id: &str, concern_type: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{person_id}\u{1f}{concern_type}").as_bytes());
    let hex: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
    format!("C-{hex}")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::{HitIn, ObjectIn, ObjectKind, PersonIn};

    pub fn at(day: &str) -> Timestamp {
        format!("{day}T12:00:00Z").parse().expect("test time")
    }

    pub fn person(id: &str, role: Role, age: i32) -> PersonIn {
        PersonIn {
            person: id.into(),
            role,
            age: Some(age),
            label: id.into(),
        }
    }

    pub fn hit(indicator: &str, tier: &str) -> HitIn {
        HitIn {
            indicator: indicator.into(),
            tier: tier.into(),
            about_subject: true,
            hedged: false,
            historical: false,
            dated_year: None,
            sentence: format!("{indicator} sentence"),
        }
    }

    pub fn report(id: &str, day: &str, people: Vec<PersonIn>, hits: Vec<HitIn>) -> ReportEvent {
        ReportEvent {
            key: ReportRef {
                agency: "police".into(),
                system: "NICHE".into(),
                record_id: id.into(),
            },
            agency: Agency::Police,
            kind: Kind::Incident,
            recorded_at: at(day),
            event_at: at(day),
            ended_at: None,
            action: None,
            people,
            objects: Vec::new(),
            relations: Vec::new(),
            hits,
        }
    }

    fn run(events: &[ReportEvent]) -> Assessor {
        let mut a = Assessor::new(AssessRules::default_rules());
        for e in events {
            a.add(e).expect("in order");
        }
        a
    }

    fn only_concern(a: &Assessor) -> &Concern {
        let all = a.concerns();
        assert_eq!(all.len(), 1, "{all:#?}");
        all[0]
    }

    #[test]
    fn repeated_missing_raises_a_concern_at_the_report_that_tips_it() {
        let kid = || vec![person("P-kid", Role::Subject, 14)];
        let a = run(&[
            report("r1", "2010-01-01", kid(), vec![hit("H1", "H")]),
            report("r2", "2010-01-20", kid(), vec![hit("H1", "H")]),
            report("r3", "2010-02-10", kid(), vec![hit("H1", "H")]),
        ]);
        let c = only_concern(&a);
        assert_eq!(a.reports[c.raised_report as usize].key.record_id, "r3");
        // Three episodes score 15 (moderate); three in 90 days (PA2) raise
        // it a step.
        assert_eq!(c.latest.score, 15.0);
        assert_eq!(c.tier, Band::Significant);
        assert!(c.latest.patterns.iter().any(|p| p.id == "PA2"));
        assert_eq!(c.history.len(), 1);
        assert_eq!(c.raised_by, RaisedBy::Assessment);
        assert_eq!(c.concern_id, concern_id("P-kid", "sexual_exploitation"));
    }

    #[test]
    fn a_band_falls_as_signs_age_out_and_history_records_it() {
        let kid = || vec![person("P-kid", Role::Subject, 14)];
        let a = run(&[
            report("r1", "2010-01-01", kid(), vec![hit("C2", "C")]),
            report("r2", "2011-06-01", kid(), vec![]),
        ]);
        let c = only_concern(&a);
        assert_eq!(c.raised_by, RaisedBy::Override);
        assert_eq!(c.tier, Band::Critical);
        assert_eq!(c.band, Band::None);
        let bands: Vec<Band> = c.history.iter().map(|h| h.band).collect();
        assert_eq!(bands, [Band::Critical, Band::None]);
    }

    #[test]
    fn a_young_child_is_referred_on_one_current_high_sign_but_not_a_rumour() {
        let a = run(&[report(
            "r1",
            "2010-01-01",
            vec![person("P-young", Role::Subject, 11)],
            vec![hit("H2", "H")],
        )]);
        assert_eq!(only_concern(&a).band, Band::Moderate);
        let mut rumour = hit("H2", "H");
        rumour.hedged = true;
        let a = run(&[report(
            "r1",
            "2010-01-01",
            vec![person("P-young", Role::Subject, 11)],
            vec![rumour],
        )]);
        assert!(a.concerns().is_empty());
        let node = a.graph.find(NodeKind::Person, "P-young").unwrap();
        // Never below mild once a sign is present.
        assert_eq!(a.assessment_of(node).unwrap().band, Band::Mild);
    }

    #[test]
    fn vulnerabilities_alone_never_raise_a_child() {
        let hits = ["V1", "V2", "V3", "V5", "V6", "V7", "V8"]
            .iter()
            .map(|v| hit(v, "V"))
            .collect();
        let a = run(&[report(
            "r1",
            "2010-01-01",
            vec![person("P-kid", Role::Subject, 14)],
            hits,
        )]);
        let node = a.graph.find(NodeKind::Person, "P-kid").unwrap();
        let assessment = a.assessment_of(node).unwrap();
        assert_eq!(assessment.score, 0.0);
        assert_eq!(assessment.band, Band::None);
        assert!(assessment.contributions.iter().all(|c| !c.counted));
    }

    #[test]
    fn hits_about_someone_else_are_not_the_childs() {
        let mut other = hit("H2", "H");
        other.about_subject = false;
        let a = run(&[report(
            "r1",
            "2010-01-01",
            vec![person("P-kid", Role::Subject, 11)],
            vec![other],
        )]);
        assert!(a.concerns().is_empty());
    }

    #[test]
    fn a_child_seen_with_an_adult_of_concern_is_a_hidden_victim() {
        let mut events = Vec::new();
        // Two children at risk, each repeatedly with the same adult.
        for (i, day) in ["2010-01-01", "2010-01-15", "2010-02-01"]
            .iter()
            .enumerate()
        {
            for kid in ["P-a", "P-b"] {
                events.push(report(
                    &format!("{kid}-{i}"),
                    day,
                    vec![
                        person(kid, Role::Subject, 14),
                        person("P-man", Role::Associate, 35),
                    ],
                    vec![hit("H1", "H"), hit("H8", "H")],
                ));
            }
        }
        // A third child, nothing recorded about her, in the man's car.
        let mut seen = report(
            "stop",
            "2010-03-01",
            vec![
                person("P-man", Role::Suspect, 35),
                person("P-c", Role::Associate, 13),
            ],
            vec![],
        );
        seen.objects.push(ObjectIn {
            entity: "V-AB12CDE".into(),
            kind: ObjectKind::Vehicle,
            category: None,
            label: "AB12CDE".into(),
        });
        events.push(seen);
        let a = run(&events);
        let c_node = a.graph.find(NodeKind::Person, "P-c").unwrap();
        let c = a.concern_of(c_node).expect("hidden victim concern");
        assert_eq!(c.raised_by, RaisedBy::Network);
        assert_eq!(c.band, Band::Moderate);
        assert_eq!(a.reports[c.raised_report as usize].key.record_id, "stop");
        let man = a.graph.find(NodeKind::Person, "P-man").unwrap();
        assert_eq!(c.network.as_ref().unwrap().hub, man);
        let summary = a.network_summary();
        assert_eq!(summary.adults[0].node, man);
        assert!(summary.adults[0].adult_of_concern);
        assert_eq!(summary.groups.len(), 1);
        assert_eq!(summary.groups[0].hidden, vec![c_node]);
    }

    #[test]
    fn parents_and_professionals_are_not_adults_of_concern() {
        let mut events = Vec::new();
        for (i, kid) in ["P-a", "P-b"].iter().enumerate() {
            for j in 0..3 {
                events.push(report(
                    &format!("{i}-{j}"),
                    &format!("2010-0{}-01", j + 1),
                    vec![
                        person(kid, Role::Subject, 14),
                        person("P-social-worker", Role::Professional, 40),
                        person("P-mum", Role::ParentCarer, 40),
                    ],
                    vec![hit("H1", "H")],
                ));
            }
        }
        events.sort_by(|x, y| (x.recorded_at, &x.key).cmp(&(y.recorded_at, &y.key)));
        let a = run(&events);
        assert!(a.hubs().next().is_none());
        assert!(a.network_summary().adults.is_empty());
    }

    #[test]
    fn reports_out_of_order_are_refused() {
        let mut a = Assessor::new(AssessRules::default_rules());
        a.add(&report("r2", "2010-02-01", vec![], vec![])).unwrap();
        let err = a
            .add(&report("r1", "2010-01-01", vec![], vec![]))
            .unwrap_err();
        assert!(err.to_string().contains("police/NICHE/r1"), "{err}");
    }
}

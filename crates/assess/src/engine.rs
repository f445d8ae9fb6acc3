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
                } else if assessment.score_band < self.rules.concerns.open_at
                    && !assessment.overrides.is_empty()
                    && assessment.patterns.is_empty()
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
        all.sort_by_key(|c| (c.raised_report, c.person_id.clone()));
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

//! Network signals read from the assessor's graph: adults of concern ranked,
//! hotspots, and groups of adults, children and objects (the connected
//! components of the hubs and the children at risk around them).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::engine::Assessor;
use crate::network::NodeKind;

#[derive(Debug, Clone, Serialize)]
pub struct RankedAdult {
    pub node: u32,
    /// Ranking score: children at risk linked directly (1 each, half for a
    /// child whose risk has not reached a concern), and half that again for
    /// children reached through a vehicle or phone the adult is linked to.
    pub score: f64,
    pub children: Vec<u32>,
    pub via_objects: Vec<u32>,
    pub adult_of_concern: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hotspot {
    pub node: u32,
    pub children: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub id: u32,
    pub adults: Vec<u32>,
    pub objects: Vec<u32>,
    pub children: Vec<u32>,
    /// Children in the group whose concern came from the network.
    pub hidden: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkSummary {
    pub adults: Vec<RankedAdult>,
    pub hotspots: Vec<Hotspot>,
    pub groups: Vec<Group>,
}

impl Assessor {
    fn child_weight(&self, c: u32) -> f64 {
        if self.concerns.contains_key(&c) {
            1.0
        } else {
            0.5
        }
    }

    /// The network's signals as of the last report taken.
    pub fn network_summary(&self) -> NetworkSummary {
        if self.now().is_none() {
            return NetworkSummary {
                adults: Vec::new(),
                hotspots: Vec::new(),
                groups: Vec::new(),
            };
        };
        let g = &self.graph;
        let mut adults = Vec::new();
        let mut hotspots = Vec::new();
        for (&node, linked) in &self.risk_links {
            if linked.is_empty() {
                continue;
            }
            match g.nodes[node as usize].kind {
                NodeKind::Person => {
                    let direct: BTreeSet<u32> = linked.iter().copied().collect();
                    let mut via = BTreeSet::new();
                    for &o in g.neighbours(node) {
                        if matches!(
                            g.nodes[o as usize].kind,
                            NodeKind::Vehicle | NodeKind::Phone
                        ) {
                            for c in self.children_at_risk_of(o) {
                                if !direct.contains(&c) {
                                    via.insert(c);
                                }
                            }
                        }
                    }
                    let score = direct.iter().map(|&c| self.child_weight(c)).sum::<f64>()
                        + 0.5 * via.iter().map(|&c| self.child_weight(c)).sum::<f64>();
                    adults.push(RankedAdult {
                        node,
                        score,
                        children: direct.into_iter().collect(),
                        via_objects: via.into_iter().collect(),
                        adult_of_concern: self.hubs.contains_key(&node),
                    });
                }
                _ if self.hubs.contains_key(&node) => hotspots.push(Hotspot {
                    node,
                    children: linked.iter().copied().collect(),
                }),
                _ => {}
            }
        }
        let id_of = |n: u32| g.nodes[n as usize].id.as_str();
        adults.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(
                    g.nodes[b.node as usize]
                        .reports
                        .cmp(&g.nodes[a.node as usize].reports),
                )
                .then_with(|| id_of(a.node).cmp(id_of(b.node)))
        });
        hotspots.sort_by(|a, b| {
            b.children
                .len()
                .cmp(&a.children.len())
                .then_with(|| id_of(a.node).cmp(id_of(b.node)))
        });

        // Groups: communities (Louvain, weighted by the edges' reports and
        // relations) of the part of the graph around children at risk: the
        // hubs, and the children at risk or flagged around them.
        // Children when they were at risk or flagged (a victim of ten years
        // ago is an adult now, and still in the group).
        let flagged = |c: u32| {
            self.children
                .get(&c)
                .is_some_and(|s| s.at_risk || s.floor.is_some())
        };
        // Only hubs (adults of concern, hotspots) and the children around
        // them: an adult linked to one child at risk is that child's
        // business, and would join unrelated groups.
        let mut included: BTreeSet<u32> = BTreeSet::new();
        for &h in self.hubs.keys() {
            included.insert(h);
            included.extend(g.neighbours(h).iter().copied().filter(|&c| flagged(c)));
        }
        let nodes: Vec<u32> = included.into_iter().collect();
        let local: rustc_hash::FxHashMap<u32, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, &n)| (n, i as u32))
            .collect();
        let mut edges = Vec::new();
        for (i, &a) in nodes.iter().enumerate() {
            for &b in g.neighbours(a) {
                if let Some(&j) = local.get(&b)
                    && (i as u32) < j
                    && let Some(e) = g.edge(a, b)
                {
                    edges.push((i as u32, j, e.weight()));
                }
            }
        }
        let community = crate::community::louvain_by_component(nodes.len(), &edges, 1.0);
        let mut by_root: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for (i, &n) in nodes.iter().enumerate() {
            by_root.entry(community[i]).or_default().push(n);
        }
        let mut groups: Vec<Group> = by_root
            .into_values()
            .filter_map(|members| {
                let mut group = Group {
                    id: 0,
                    adults: Vec::new(),
                    objects: Vec::new(),
                    children: Vec::new(),
                    hidden: Vec::new(),
                };
                let mut hubs = 0;
                for n in members {
                    hubs += usize::from(self.hubs.contains_key(&n));
                    match g.nodes[n as usize].kind {
                        NodeKind::Person if flagged(n) => {
                            if self
                                .children
                                .get(&n)
                                .is_some_and(|s| !s.at_risk && s.floor.is_some())
                            {
                                group.hidden.push(n);
                            }
                            group.children.push(n);
                        }
                        NodeKind::Person if self.hubs.contains_key(&n) => group.adults.push(n),
                        NodeKind::Person => {}
                        _ => group.objects.push(n),
                    }
                }
                (hubs > 0 && group.children.len() >= 2).then_some(group)
            })
            .collect();
        groups.sort_by(|a, b| {
            (b.children.len() + b.adults.len())
                .cmp(&(a.children.len() + a.adults.len()))
                .then_with(|| a.children.first().cmp(&b.children.first()))
        });
        for (i, group) in groups.iter_mut().enumerate() {
            group.id = i as u32 + 1;
        }
        NetworkSummary {
            adults,
            hotspots,
            groups,
        }
    }
}

//! The network graph: resolved people, vehicles, phones and places as
//! nodes; edges from relations and from being in the same report, typed and
//! weighted by how many reports carry them. The engine keeps it up to date
//! one report at a time and reads its hubs; this module also writes it for
//! analysts' tools (JSON and GraphML).

use std::collections::BTreeMap;
use std::io::Write;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::event::ObjectKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Person,
    Vehicle,
    Phone,
    Place,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Person => "person",
            NodeKind::Vehicle => "vehicle",
            NodeKind::Phone => "phone",
            NodeKind::Place => "place",
        }
    }
}

impl From<ObjectKind> for NodeKind {
    fn from(k: ObjectKind) -> Self {
        match k {
            ObjectKind::Vehicle => NodeKind::Vehicle,
            ObjectKind::Phone => NodeKind::Phone,
            ObjectKind::Place => NodeKind::Place,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    pub category: Option<String>,
    /// Estimated year of birth (people).
    pub born_year: Option<i32>,
    /// Reports the node is in.
    pub reports: u32,
    /// Reports naming this person as a suspect.
    pub suspect_reports: u32,
    /// Ever the subject or victim of a report.
    pub ever_subject: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    /// Relation types and how many reports carry each (`together` for
    /// being in the same report).
    pub kinds: BTreeMap<String, u32>,
    /// Reports that link the two.
    pub reports: u32,
    /// Engine report index of the first.
    pub first_report: u32,
}

impl Edge {
    /// The edge's weight: reports carrying it, with a relation counting
    /// double (a driver and passenger are closer than two names in a log).
    pub fn weight(&self) -> f64 {
        let relations: u32 = self
            .kinds
            .iter()
            .filter(|(k, _)| k.as_str() != TOGETHER)
            .map(|(_, n)| *n)
            .sum();
        f64::from(self.reports) + f64::from(relations)
    }
}

pub const TOGETHER: &str = "together";

#[derive(Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    index: FxHashMap<(NodeKind, String), u32>,
    pub edges: Vec<Edge>,
    edge_index: FxHashMap<(u32, u32), u32>,
    /// Neighbours of each node, in the order the edges appeared.
    adjacency: Vec<Vec<u32>>,
}

impl Graph {
    /// The node for an id, created on first sight.
    pub fn node(&mut self, kind: NodeKind, id: &str, label: &str) -> u32 {
        if let Some(&n) = self.index.get(&(kind, id.to_string())) {
            if self.nodes[n as usize].label.is_empty() && !label.is_empty() {
                self.nodes[n as usize].label = label.to_string();
            }
            return n;
        }
        let n = self.nodes.len() as u32;
        self.nodes.push(Node {
            id: id.to_string(),
            kind,
            label: label.to_string(),
            category: None,
            born_year: None,
            reports: 0,
            suspect_reports: 0,
            ever_subject: false,
        });
        self.adjacency.push(Vec::new());
        self.index.insert((kind, id.to_string()), n);
        n
    }

    pub fn find(&self, kind: NodeKind, id: &str) -> Option<u32> {
        self.index.get(&(kind, id.to_string())).copied()
    }

    /// Adds one report's link between two nodes; true when the edge is new.
    pub fn link(&mut self, a: u32, b: u32, kind: &str, report: u32) -> bool {
        if a == b {
            return false;
        }
        let key = (a.min(b), a.max(b));
        match self.edge_index.get(&key) {
            Some(&e) => {
                let edge = &mut self.edges[e as usize];
                *edge.kinds.entry(kind.to_string()).or_default() += 1;
                if kind == TOGETHER {
                    edge.reports += 1;
                }
                false
            }
            None => {
                let e = self.edges.len() as u32;
                let mut kinds = BTreeMap::new();
                kinds.insert(kind.to_string(), 1);
                self.edges.push(Edge {
                    a: key.0,
                    b: key.1,
                    kinds,
                    reports: u32::from(kind == TOGETHER),
                    first_report: report,
                });
                self.edge_index.insert(key, e);
                self.adjacency[a as usize].push(b);
                self.adjacency[b as usize].push(a);
                true
            }
        }
    }

    pub fn neighbours(&self, n: u32) -> &[u32] {
        &self.adjacency[n as usize]
    }

    pub fn edge(&self, a: u32, b: u32) -> Option<&Edge> {
        self.edge_index
            .get(&(a.min(b), a.max(b)))
            .map(|&e| &self.edges[e as usize])
    }
}

/// Extra attributes of a node for export (band, hub, group).
#[derive(Debug, Clone, Default, Serialize)]
pub struct NodeAttributes {
    pub band: Option<String>,
    pub concern: bool,
    pub adult_of_concern: bool,
    pub hotspot: bool,
    pub group: Option<u32>,
    pub children_at_risk: u32,
}

/// Writes the graph (only the nodes kept, and the edges between them) as
/// GraphML, which Gephi, yEd, Cytoscape and i2-style tools read.
pub fn write_graphml(
    out: &mut dyn Write,
    graph: &Graph,
    keep: &[u32],
    attrs: &BTreeMap<u32, NodeAttributes>,
) -> std::io::Result<()> {
    use quick_xml::escape::escape;
    let kept: rustc_hash::FxHashSet<u32> = keep.iter().copied().collect();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (id, on, ty) in [
        ("kind", "node", "string"),
        ("label", "node", "string"),
        ("category", "node", "string"),
        ("band", "node", "string"),
        ("concern", "node", "boolean"),
        ("adult_of_concern", "node", "boolean"),
        ("hotspot", "node", "boolean"),
        ("group", "node", "int"),
        ("children_at_risk", "node", "int"),
        ("reports", "node", "int"),
        ("types", "edge", "string"),
        ("weight", "edge", "double"),
    ] {
        writeln!(
            out,
            r#"  <key id="{id}" for="{on}" attr.name="{id}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(out, r#"  <graph id="sightline" edgedefault="undirected">"#)?;
    for &n in keep {
        let node = &graph.nodes[n as usize];
        let a = attrs.get(&n).cloned().unwrap_or_default();
        writeln!(out, r#"    <node id="{}">"#, escape(node.id.as_str()))?;
        let mut data = |k: &str, v: &str| -> std::io::Result<()> {
            writeln!(out, r#"      <data key="{k}">{}</data>"#, escape(v))
        };
        data("kind", node.kind.as_str())?;
        data("label", &node.label)?;
        if let Some(c) = &node.category {
            data("category", c)?;
        }
        if let Some(b) = &a.band {
            data("band", b)?;
        }
        data("concern", if a.concern { "true" } else { "false" })?;
        data(
            "adult_of_concern",
            if a.adult_of_concern { "true" } else { "false" },
        )?;
        data("hotspot", if a.hotspot { "true" } else { "false" })?;
        if let Some(g) = a.group {
            data("group", &g.to_string())?;
        }
        data("children_at_risk", &a.children_at_risk.to_string())?;
        data("reports", &node.reports.to_string())?;
        writeln!(out, "    </node>")?;
    }
    for (i, e) in graph.edges.iter().enumerate() {
        if !(kept.contains(&e.a) && kept.contains(&e.b)) {
            continue;
        }
        let types: Vec<String> = e.kinds.iter().map(|(k, n)| format!("{k}:{n}")).collect();
        writeln!(
            out,
            r#"    <edge id="e{i}" source="{}" target="{}">"#,
            escape(graph.nodes[e.a as usize].id.as_str()),
            escape(graph.nodes[e.b as usize].id.as_str())
        )?;
        writeln!(
            out,
            r#"      <data key="types">{}</data>"#,
            escape(types.join(" ").as_str())
        )?;
        writeln!(out, r#"      <data key="weight">{}</data>"#, e.weight())?;
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_undirected_and_counted() {
        let mut g = Graph::default();
        let a = g.node(NodeKind::Person, "P-a", "Ann");
        let b = g.node(NodeKind::Vehicle, "V-1", "AB12CDE");
        assert!(g.link(a, b, TOGETHER, 0));
        assert!(!g.link(b, a, TOGETHER, 1));
        assert!(!g.link(a, b, "passenger", 1));
        let e = g.edge(b, a).unwrap();
        assert_eq!(e.reports, 2);
        assert_eq!(e.kinds["passenger"], 1);
        assert_eq!(e.weight(), 3.0);
        assert_eq!(g.neighbours(a), &[b]);
        assert!(!g.link(a, a, TOGETHER, 2));
    }

    #[test]
    fn graphml_escapes_and_keeps_only_chosen_nodes() {
        let mut g = Graph::default();
        let a = g.node(NodeKind::Person, "P-<a>", "Ann & Bo");
        let b = g.node(NodeKind::Person, "P-b", "B");
        let c = g.node(NodeKind::Person, "P-c", "C");
        g.link(a, b, TOGETHER, 0);
        g.link(b, c, TOGETHER, 0);
        let mut out = Vec::new();
        write_graphml(&mut out, &g, &[a, b], &BTreeMap::new()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("P-&lt;a&gt;") && text.contains("Ann &amp; Bo"));
        assert_eq!(text.matches("<edge ").count(), 1);
        assert!(!text.contains("P-c"));
    }
}

//! Community detection by the Louvain method (Blondel, Guillaume, Lambiotte
//! and Lefebvre, 2008): move each node to the neighbouring community that
//! most increases modularity until none moves, fold each community into one
//! node, and repeat. Nodes are visited in index order and ties go to the
//! lowest community, so the same graph always gives the same groups (the
//! network is a projection and must replay exactly).

use rustc_hash::FxHashMap;

/// Community of each node `0..n`, numbered from 0 in order of first node.
/// `edges` are undirected `(a, b, weight)`; weights must be positive.
pub fn louvain(n: usize, edges: &[(u32, u32, f64)], resolution: f64) -> Vec<u32> {
    let mut membership: Vec<u32> = (0..n as u32).collect();
    // The current level's graph: adjacency with weights; self-loops hold
    // the weight inside a folded community.
    let mut adjacency: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for &(a, b, w) in edges {
        if a == b {
            adjacency[a as usize].push((a, w));
        } else {
            adjacency[a as usize].push((b, w));
            adjacency[b as usize].push((a, w));
        }
    }
    loop {
        let level = one_level(&adjacency, resolution);
        let communities = level.iter().copied().max().map_or(0, |m| m as usize + 1);
        if communities == adjacency.len() {
            break;
        }
        for m in &mut membership {
            *m = level[*m as usize];
        }
        // Fold: one node per community.
        let mut folded: Vec<FxHashMap<u32, f64>> = vec![FxHashMap::default(); communities];
        for (i, row) in adjacency.iter().enumerate() {
            let ci = level[i];
            for &(j, w) in row {
                let cj = level[j as usize];
                // Each undirected edge appears in both rows; a self-loop once.
                let share = if j as usize == i { w } else { w / 2.0 };
                if ci == cj {
                    *folded[ci as usize].entry(ci).or_default() += share;
                } else {
                    *folded[ci as usize].entry(cj).or_default() += w;
                }
            }
        }
        adjacency = folded
            .into_iter()
            .map(|row| {
                let mut row: Vec<(u32, f64)> = row.into_iter().collect();
                row.sort_by_key(|&(j, _)| j);
                row
            })
            .collect();
    }
    renumber(&membership)
}

/// Louvain within each connected component. Modularity measured over a
/// whole graph of many small, unrelated parts merges small communities (its
/// resolution limit grows with the graph); within a component it does not
/// depend on how much else the town holds.
pub fn louvain_by_component(n: usize, edges: &[(u32, u32, f64)], resolution: f64) -> Vec<u32> {
    // Components by union-find with path halving.
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    for &(a, b, _) in edges {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    let mut local: Vec<u32> = vec![0; n];
    let mut members: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    let mut order: Vec<u32> = Vec::new();
    for i in 0..n as u32 {
        let r = root(&mut parent, i);
        let list = members.entry(r).or_insert_with(|| {
            order.push(r);
            Vec::new()
        });
        local[i as usize] = list.len() as u32;
        list.push(i);
    }
    let mut component_edges: FxHashMap<u32, Vec<(u32, u32, f64)>> = FxHashMap::default();
    for &(a, b, w) in edges {
        let r = root(&mut parent, a);
        component_edges
            .entry(r)
            .or_default()
            .push((local[a as usize], local[b as usize], w));
    }
    let mut out = vec![0u32; n];
    let mut next = 0u32;
    for r in order {
        let list = &members[&r];
        let sub = louvain(
            list.len(),
            component_edges.get(&r).map_or(&[][..], Vec::as_slice),
            resolution,
        );
        let count = sub.iter().copied().max().map_or(0, |m| m + 1);
        for (k, &node) in list.iter().enumerate() {
            out[node as usize] = next + sub[k];
        }
        next += count;
    }
    out
}

fn renumber(membership: &[u32]) -> Vec<u32> {
    let mut ids: FxHashMap<u32, u32> = FxHashMap::default();
    membership
        .iter()
        .map(|m| {
            let next = ids.len() as u32;
            *ids.entry(*m).or_insert(next)
        })
        .collect()
}

/// One level of local moving; returns each node's community, renumbered.
fn one_level(adjacency: &[Vec<(u32, f64)>], resolution: f64) -> Vec<u32> {
    let n = adjacency.len();
    // Weighted degree; a self-loop counts twice.
    let degree: Vec<f64> = adjacency
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .map(|&(j, w)| if j as usize == i { 2.0 * w } else { w })
                .sum()
        })
        .collect();
    let m2: f64 = degree.iter().sum();
    let mut community: Vec<u32> = (0..n as u32).collect();
    if m2 <= 0.0 {
        return community;
    }
    let mut total: Vec<f64> = degree.clone();
    let mut links: FxHashMap<u32, f64> = FxHashMap::default();
    for _pass in 0..100 {
        let mut moved = false;
        for i in 0..n {
            let own = community[i];
            links.clear();
            for &(j, w) in &adjacency[i] {
                if j as usize != i {
                    *links.entry(community[j as usize]).or_default() += w;
                }
            }
            total[own as usize] -= degree[i];
            let gain = |c: u32, k_in: f64| k_in - resolution * total[c as usize] * degree[i] / m2;
            let mut best = own;
            let mut best_gain = gain(own, links.get(&own).copied().unwrap_or(0.0));
            let mut candidates: Vec<(u32, f64)> = links.iter().map(|(&c, &w)| (c, w)).collect();
            candidates.sort_by_key(|&(c, _)| c);
            for (c, k_in) in candidates {
                let g = gain(c, k_in);
                if g > best_gain + 1e-12 {
                    best = c;
                    best_gain = g;
                }
            }
            total[best as usize] += degree[i];
            if best != own {
                community[i] = best;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    renumber(&community)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_triangles_joined_by_a_bridge_are_two_communities() {
        let edges = [
            (0, 1, 1.0),
            (0, 2, 1.0),
            (1, 2, 1.0),
            (3, 4, 1.0),
            (3, 5, 1.0),
            (4, 5, 1.0),
            (2, 3, 1.0),
        ];
        let c = louvain(6, &edges, 1.0);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_eq!(c[3], c[4]);
        assert_eq!(c[4], c[5]);
        assert_ne!(c[0], c[3]);
    }

    #[test]
    fn isolated_nodes_stay_alone_and_the_result_is_deterministic() {
        let edges = [(0, 1, 2.0), (2, 3, 1.0), (3, 4, 1.0), (2, 4, 1.0)];
        let a = louvain(6, &edges, 1.0);
        assert_eq!(a, louvain(6, &edges, 1.0));
        assert_eq!(a[0], a[1]);
        assert_ne!(a[0], a[2]);
        assert_ne!(a[5], a[0]);
        assert_ne!(a[5], a[2]);
    }

    #[test]
    fn small_separate_groups_stay_apart_however_many_there_are() {
        // 300 separate triangles, each a pair of triangles joined by one
        // edge: per component, each pair splits in two.
        let mut edges = Vec::new();
        for k in 0..300u32 {
            let b = k * 6;
            for (x, y) in [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)] {
                edges.push((b + x, b + y, 1.0));
            }
        }
        let c = louvain_by_component(1800, &edges, 1.0);
        let distinct: std::collections::BTreeSet<u32> = c.iter().copied().collect();
        assert_eq!(distinct.len(), 600);
        assert_eq!(c[0], c[2]);
        assert_ne!(c[0], c[3]);
        assert_ne!(c[0], c[6]);
    }

    #[test]
    fn two_dense_groups_with_a_weak_link_separate() {
        let mut edges = Vec::new();
        for group in [0u32, 10] {
            for i in 0..5 {
                for j in i + 1..5 {
                    edges.push((group + i, group + j, 3.0));
                }
            }
        }
        edges.push((4, 10, 0.5));
        let c = louvain(15, &edges, 1.0);
        assert!((0..5).all(|i| c[i] == c[0]));
        assert!((10..15).all(|i| c[i] == c[10]));
        assert_ne!(c[0], c[10]);
    }
}

//! A layered (Sugiyama-style) layout of the lot graph: longest-path layering from the
//! sources (catches) on the left to the sinks (the head) on the right, dummy nodes on
//! edges that span several layers, barycentre crossing reduction over a few sweeps, and
//! coordinates that never overlap. Cycles (a forged graph may have them) are broken by
//! reversing the back edges a depth-first search finds; those edges are reported so the
//! picture can mark them.

use std::collections::BTreeSet;

/// Width of a certificate box.
pub const NODE_W: f64 = 176.0;
/// Height of a certificate box.
pub const NODE_H: f64 = 76.0;
/// Horizontal gap between layers.
pub const LAYER_GAP: f64 = 36.0;
/// Vertical gap between boxes of one layer.
pub const ROW_GAP: f64 = 16.0;
/// Height a dummy (an edge passing through a layer) takes.
pub const DUMMY_H: f64 = 8.0;
const SWEEPS: usize = 8;

/// A placed box (a real node or a dummy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// The layer, 0 on the left.
    pub layer: usize,
    /// Its position within the layer, 0 at the top.
    pub order: usize,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (0 for a dummy).
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// One drawn edge: the points it passes, from the source's right side to the target's
/// left side (through its dummies).
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// Source node index (as given).
    pub from: usize,
    /// Target node index (as given).
    pub to: usize,
    /// The points, left to right for a forward edge.
    pub points: Vec<(f64, f64)>,
    /// The edge closes a cycle: it points backward in the picture.
    pub back: bool,
}

/// The result of [`layout`].
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// One entry per input node, in input order.
    pub nodes: Vec<Placed>,
    /// One entry per distinct input edge, in input order.
    pub edges: Vec<Route>,
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// How many layers.
    pub layers: usize,
}

/// Lay out `n` nodes with directed edges `(from, to)` (from is upstream, e.g. the catch).
/// Edges with an index out of range and self-loops are ignored; duplicates are merged.
/// Deterministic: the same input gives the same layout.
pub fn layout(n: usize, edges: &[(usize, usize)]) -> Layout {
    // Distinct, in-range edges, in input order.
    let mut seen = BTreeSet::new();
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n && a != b && seen.insert((a, b)))
        .collect();
    let back = back_edges(n, &edges);
    // The acyclic version: back edges reversed.
    let dag: Vec<(usize, usize)> = edges
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| if back[i] { (b, a) } else { (a, b) })
        .collect();
    let layer = longest_path_layers(n, &dag);
    let layers = layer.iter().copied().max().map_or(0, |m| m + 1);

    // Dummy nodes: ids n.. ; each dag edge becomes a chain of unit-length segments.
    let mut node_layer = layer.clone();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    for &(a, b) in &dag {
        let mut chain = vec![a];
        for l in layer[a] + 1..layer[b] {
            node_layer.push(l);
            chain.push(node_layer.len() - 1);
        }
        chain.push(b);
        chains.push(chain);
    }
    let total = node_layer.len();
    let mut ups: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut downs: Vec<Vec<usize>> = vec![Vec::new(); total];
    for c in &chains {
        for w in c.windows(2) {
            downs[w[0]].push(w[1]);
            ups[w[1]].push(w[0]);
        }
    }

    // Initial order: layer by layer, nodes in input order, dummies after.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (v, &l) in node_layer.iter().enumerate() {
        rows[l].push(v);
    }
    let mut best = rows.clone();
    let mut best_cross = crossings(&rows, &downs, total);
    for sweep in 0..SWEEPS {
        if best_cross == 0 {
            break;
        }
        if sweep % 2 == 0 {
            for l in 1..layers {
                reorder(&mut rows, l, &ups, total);
            }
        } else {
            for l in (0..layers.saturating_sub(1)).rev() {
                reorder(&mut rows, l, &downs, total);
            }
        }
        let c = crossings(&rows, &downs, total);
        if c < best_cross {
            best_cross = c;
            best = rows.clone();
        }
    }
    let rows = best;

    // Coordinates: x by layer; y by the barycentre of the upstream neighbours, pushed
    // down as needed to keep the order and the gap (so boxes never overlap).
    let height_of = |v: usize| if v < n { NODE_H } else { DUMMY_H };
    let mut ys = vec![0.0f64; total];
    let mut order = vec![0usize; total];
    for (l, row) in rows.iter().enumerate() {
        let wish: Vec<f64> = row
            .iter()
            .map(|&v| {
                if l == 0 || ups[v].is_empty() {
                    f64::NAN
                } else {
                    let s: f64 = ups[v].iter().map(|&u| ys[u] + height_of(u) / 2.0).sum();
                    s / ups[v].len() as f64 - height_of(v) / 2.0
                }
            })
            .collect();
        let mut next = 0.0f64;
        let mut placed = Vec::with_capacity(row.len());
        for (i, &v) in row.iter().enumerate() {
            let want = if wish[i].is_nan() { next } else { wish[i] };
            let y = want.max(next);
            placed.push(y);
            next = y + height_of(v) + ROW_GAP;
            order[v] = i;
        }
        for (i, &v) in row.iter().enumerate() {
            ys[v] = placed[i];
        }
    }
    let min_y = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let min_y = if min_y.is_finite() { min_y } else { 0.0 };
    for y in &mut ys {
        *y -= min_y;
    }
    let x_of = |l: usize| l as f64 * (NODE_W + LAYER_GAP);
    let nodes: Vec<Placed> = (0..n)
        .map(|v| Placed {
            layer: node_layer[v],
            order: order[v],
            x: x_of(node_layer[v]),
            y: ys[v],
            w: NODE_W,
            h: NODE_H,
        })
        .collect();
    let mut routes = Vec::with_capacity(edges.len());
    for (i, &(a, b)) in edges.iter().enumerate() {
        let chain = &chains[i];
        let mut pts = Vec::with_capacity(chain.len() * 2);
        for (k, &v) in chain.iter().enumerate() {
            let cy = ys[v] + height_of(v) / 2.0;
            let lx = x_of(node_layer[v]);
            if v < n {
                if k == 0 {
                    pts.push((lx + NODE_W, cy));
                } else {
                    pts.push((lx, cy));
                }
            } else {
                pts.push((lx, cy));
                pts.push((lx + NODE_W, cy));
            }
        }
        if back[i] {
            pts.reverse();
        }
        routes.push(Route {
            from: a,
            to: b,
            points: pts,
            back: back[i],
        });
    }
    let width = if layers == 0 {
        0.0
    } else {
        x_of(layers - 1) + NODE_W
    };
    let height = (0..total)
        .map(|v| ys[v] + height_of(v))
        .fold(0.0f64, f64::max);
    Layout {
        nodes,
        edges: routes,
        width,
        height,
        layers,
    }
}

/// Which edges close a cycle, by an iterative depth-first search from each node in order.
fn back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, &(a, b)) in edges.iter().enumerate() {
        out[a].push((b, i));
    }
    // 0 new, 1 on the stack, 2 done
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&(w, e)) = out[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

/// Longest-path layering of a DAG: sources at 0, every node one right of its furthest
/// upstream neighbour (Kahn's order).
fn longest_path_layers(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        out[a].push(b);
        indeg[b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).rev().collect();
    while let Some(v) = ready.pop() {
        for &w in &out[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                ready.push(w);
            }
        }
    }
    layer
}

fn positions(rows: &[Vec<usize>], total: usize) -> Vec<f64> {
    let mut pos = vec![0.0; total];
    for row in rows {
        for (i, &v) in row.iter().enumerate() {
            pos[v] = i as f64;
        }
    }
    pos
}

/// Sort layer `l` by the mean position of each node's neighbours in `adj` (stable; a node
/// without neighbours keeps its place).
fn reorder(rows: &mut [Vec<usize>], l: usize, adj: &[Vec<usize>], total: usize) {
    let pos = positions(rows, total);
    let mut keyed: Vec<(f64, usize, usize)> = rows[l]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let k = if adj[v].is_empty() {
                i as f64
            } else {
                adj[v].iter().map(|&u| pos[u]).sum::<f64>() / adj[v].len() as f64
            };
            (k, i, v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    rows[l] = keyed.into_iter().map(|(_, _, v)| v).collect();
}

/// Edge crossings between adjacent layers.
pub(crate) fn crossings(rows: &[Vec<usize>], downs: &[Vec<usize>], total: usize) -> usize {
    let pos = positions(rows, total);
    let mut count = 0;
    for row in rows {
        let mut segs: Vec<(f64, f64)> = Vec::new();
        for &v in row {
            for &w in &downs[v] {
                segs.push((pos[v], pos[w]));
            }
        }
        for i in 0..segs.len() {
            for j in i + 1..segs.len() {
                let (a, b) = (segs[i], segs[j]);
                if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                    count += 1;
                }
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlap(a: &Placed, b: &Placed) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    fn check(n: usize, edges: &[(usize, usize)]) -> Layout {
        let l = layout(n, edges);
        assert_eq!(l.nodes.len(), n);
        for i in 0..n {
            for j in i + 1..n {
                assert!(
                    !overlap(&l.nodes[i], &l.nodes[j]),
                    "{i} and {j} overlap: {:?} {:?}",
                    l.nodes[i],
                    l.nodes[j]
                );
            }
            assert!(l.nodes[i].x + l.nodes[i].w <= l.width + 1e-9);
            assert!(l.nodes[i].y + l.nodes[i].h <= l.height + 1e-9);
            assert!(l.nodes[i].y >= 0.0);
        }
        for r in &l.edges {
            if r.back {
                continue;
            }
            let (a, b) = (&l.nodes[r.from], &l.nodes[r.to]);
            assert!(a.layer < b.layer, "edge {}->{} not forward", r.from, r.to);
            assert!(
                a.x + a.w <= b.x,
                "edge {}->{} not left to right",
                r.from,
                r.to
            );
            for w in r.points.windows(2) {
                assert!(w[0].0 <= w[1].0, "route of {}->{} goes back", r.from, r.to);
            }
        }
        // Layers ordered: x grows with the layer, and each layer's order is top to bottom.
        for a in &l.nodes {
            for b in &l.nodes {
                if a.layer < b.layer {
                    assert!(a.x < b.x);
                }
                if a.layer == b.layer && a.order < b.order {
                    assert!(a.y + a.h <= b.y);
                }
            }
        }
        assert_eq!(l, layout(n, edges), "not deterministic");
        l
    }

    #[test]
    fn a_chain_runs_left_to_right() {
        let l = check(4, &[(0, 1), (1, 2), (2, 3)]);
        assert_eq!(l.layers, 4);
        let layers: Vec<usize> = l.nodes.iter().map(|p| p.layer).collect();
        assert_eq!(layers, [0, 1, 2, 3]);
    }

    #[test]
    fn longest_path_puts_a_node_right_of_its_furthest_source() {
        // 0 -> 1 -> 2 -> 3 and 0 -> 3: 3 is in layer 3, the long edge gets dummies.
        let l = check(4, &[(0, 1), (1, 2), (2, 3), (0, 3)]);
        assert_eq!(l.nodes[3].layer, 3);
        assert_eq!(l.edges[3].points.len(), 2 + 2 * 2);
    }

    #[test]
    fn commingling_joins_two_catches() {
        // two catches -> landing each -> one processing -> shipment
        let l = check(6, &[(0, 2), (1, 3), (2, 4), (3, 4), (4, 5)]);
        assert_eq!(l.nodes[0].layer, 0);
        assert_eq!(l.nodes[1].layer, 0);
        assert_eq!(l.nodes[4].layer, 2);
        assert_eq!(l.nodes[5].layer, 3);
    }

    #[test]
    fn crossing_reduction_untangles_a_twisted_pair() {
        // Layer 0: a, b; layer 1: c, d with a->d, b->c: the initial order crosses.
        let l = check(4, &[(0, 3), (1, 2)]);
        let c = &l.nodes[2];
        let d = &l.nodes[3];
        assert!(d.y < c.y, "d should move above c: {d:?} {c:?}");
    }

    #[test]
    fn cycles_are_broken_and_marked() {
        let l = check(3, &[(0, 1), (1, 2), (2, 0)]);
        assert_eq!(l.edges.iter().filter(|e| e.back).count(), 1);
    }

    #[test]
    fn bad_edges_are_ignored() {
        let l = check(2, &[(0, 0), (0, 5), (0, 1), (0, 1)]);
        assert_eq!(l.edges.len(), 1);
        let empty = check(0, &[]);
        assert_eq!(empty.layers, 0);
    }

    #[test]
    fn a_wide_graph_of_many_certificates() {
        // 120 catches, 40 landings (3 catches each), 8 processings, 1 shipment.
        let mut edges = Vec::new();
        for c in 0..120 {
            edges.push((c, 120 + c / 3));
        }
        for l in 0..40 {
            edges.push((120 + l, 160 + l / 5));
        }
        for p in 0..8 {
            edges.push((160 + p, 168));
        }
        let l = check(169, &edges);
        assert_eq!(l.layers, 4);
    }

    #[test]
    fn pseudo_random_graphs_hold_the_invariants() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..40 {
            let n = (next() % 30) as usize + 1;
            let m = (next() % 60) as usize;
            let edges: Vec<(usize, usize)> = (0..m)
                .map(|_| {
                    let a = (next() % n as u64) as usize;
                    let b = (next() % n as u64) as usize;
                    (a.min(b), a.max(b))
                })
                .collect();
            let l = check(n, &edges);
            assert!(l.edges.iter().all(|e| !e.back));
        }
    }
}

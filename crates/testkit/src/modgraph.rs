//! The import graph of a crate's modules, read from its source, and the checks that keep it
//! without a circle: one copy for every crate that has such a test (verify, server).
//!
//! A module is a file `src/NAME.rs` or a directory `src/NAME/` (all its files count as
//! `NAME`); it imports the modules it names through `crate::NAME` (also inside a
//! `crate::{…}` group, and in doc links: a circle in the docs is one for readers too). The
//! crate root (`lib.rs`), which declares the modules, is not a node.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module of a crate and the modules it imports.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// The import graph of the crate whose sources are in `src` (e.g.
/// `Path::new(env!("CARGO_MANIFEST_DIR")).join("src")`).
///
/// # Panics
/// When `src` or a file below it cannot be read (a test helper).
pub fn module_graph(src: &Path) -> Graph {
    let mut graph = Graph::new();
    for entry in std::fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let path = entry.expect("a directory entry").path();
        let name = match path.file_stem().and_then(|s| s.to_str()) {
            Some(name) if path.is_dir() => name.to_string(),
            Some(name) if path.extension().is_some_and(|e| e == "rs") => name.to_string(),
            _ => continue,
        };
        if name == "lib" || name == "main" {
            continue;
        }
        let mut uses = BTreeSet::new();
        for file in rust_files(&path) {
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            uses.extend(imports(&text).into_iter().filter(|m| *m != name));
        }
        graph.entry(name).or_default().extend(uses);
    }
    graph
}

/// `path` itself if it is a file, else every `.rs` file below it.
fn rust_files(path: &Path) -> Vec<std::path::PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
        let p = entry.expect("a directory entry").path();
        if p.is_dir() || p.extension().is_some_and(|e| e == "rs") {
            out.extend(rust_files(&p));
        }
    }
    out
}

/// The first path segments after each `crate::` of a source text.
pub fn imports(text: &str) -> BTreeSet<String> {
    let mut uses = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
            None => vec![rest],
        };
        for n in names {
            let m: String = n
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !m.is_empty() {
                uses.insert(m);
            }
        }
    }
    uses
}

/// The graph with the modules of `group` as one node named `name` (for modules that are
/// one unit split over files, and say so where this is called).
pub fn merge(graph: &Graph, group: &[&str], name: &str) -> Graph {
    let rename = |m: &String| {
        if group.contains(&m.as_str()) {
            name.to_string()
        } else {
            m.clone()
        }
    };
    let mut out = Graph::new();
    for (m, uses) in graph {
        let node = rename(m);
        let uses: BTreeSet<String> = uses.iter().map(rename).filter(|u| *u != node).collect();
        out.entry(node).or_default().extend(uses);
    }
    out
}

/// Imports of names that are not modules: `crate::Name` names an item of the crate root.
pub fn root_imports(graph: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for (m, uses) in graph {
        for u in uses.iter().filter(|u| !graph.contains_key(*u)) {
            out.push(format!("{m} imports crate::{u}"));
        }
    }
    out
}

/// A circle of imports (`a -> b -> a`), if there is one.
pub fn circle(graph: &Graph) -> Option<String> {
    fn visit<'a>(
        m: &'a str,
        graph: &'a Graph,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<String> {
        if done.contains(m) {
            return None;
        }
        if let Some(at) = path.iter().position(|p| *p == m) {
            return Some(format!("{} -> {m}", path[at..].join(" -> ")));
        }
        path.push(m);
        for u in graph.get(m).into_iter().flatten() {
            if let Some(c) = visit(u, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m);
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> Graph {
        edges
            .iter()
            .map(|(m, uses)| (m.to_string(), uses.iter().map(|u| u.to_string()).collect()))
            .collect()
    }

    #[test]
    fn imports_reads_paths_and_groups() {
        let text = "use crate::a::X;\nuse crate::{b::Y, c};\n/// [`Z`](crate::d::Z)\n";
        assert_eq!(
            imports(text).into_iter().collect::<Vec<_>>(),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn a_circle_is_found_and_a_tree_passes() {
        let tree = graph(&[("a", &["b", "c"]), ("b", &["c"]), ("c", &[])]);
        assert_eq!(circle(&tree), None);
        let looped = graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])]);
        assert_eq!(circle(&looped).as_deref(), Some("a -> b -> c -> a"));
        let merged = merge(&graph(&[("a", &["b"]), ("b", &["a"])]), &["a", "b"], "ab");
        assert_eq!(circle(&merged), None);
        assert_eq!(
            root_imports(&graph(&[("a", &["Root"])])),
            ["a imports crate::Root"]
        );
    }
}

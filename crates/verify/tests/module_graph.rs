//! The modules of `src/` import each other without a circle, so the verifier reads top to
//! bottom (ARCHITECTURE.md). The checker is shared with the server's test
//! (`catchcert_testkit::modgraph`).

use catchcert_testkit::modgraph;
use std::path::Path;

#[test]
fn the_modules_import_each_other_without_a_circle() {
    let graph = modgraph::module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.contains_key("path") && graph.contains_key("pipeline"));
    assert_eq!(modgraph::root_imports(&graph), Vec::<String>::new());
    // The finding vocabulary is one unit over two files: a `Finding` carries its typed
    // `FindingKind`, and a `FindingKind` maps to a `Code` and renders a `Finding`.
    let graph = modgraph::merge(&graph, &["findings", "kinds"], "findings+kinds");
    assert_eq!(modgraph::circle(&graph), None);
    // The issuer path is below the findings: it names no finding code itself.
    assert!(
        !graph["path"].contains("findings+kinds"),
        "path imports {:?}",
        graph["path"]
    );
    // The stages come before the pipeline that runs them, never the other way round.
    for stage in ["set", "check", "graph", "revocation", "risk", "verdict"] {
        assert!(
            !graph[stage].contains("pipeline"),
            "{stage} imports the pipeline"
        );
    }
}

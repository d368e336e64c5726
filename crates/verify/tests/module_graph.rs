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
    assert_eq!(modgraph::circle(&graph), None);
    // The vocabulary (codes) and the batch equation's arithmetic (msm) are leaves; the
    // typed kinds sit between the vocabulary and the findings.
    for leaf in ["codes", "msm"] {
        assert!(graph[leaf].is_empty(), "{leaf} imports {:?}", graph[leaf]);
    }
    assert!(
        !graph["kinds"].contains("findings"),
        "kinds imports {:?}",
        graph["kinds"]
    );
    // The issuer path is below the findings: it names no finding itself.
    for m in ["findings", "kinds"] {
        assert!(
            !graph["path"].contains(m),
            "path imports {:?}",
            graph["path"]
        );
    }
    // The stages come before the pipeline that runs them, never the other way round.
    for stage in ["set", "check", "graph", "revocation", "risk", "verdict"] {
        assert!(
            !graph[stage].contains("pipeline"),
            "{stage} imports the pipeline"
        );
    }
}

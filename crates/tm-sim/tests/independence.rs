//! The simulator checks the client instead of sharing its assumptions: no client crate may be
//! among its dependencies (its dev-dependencies may use the client to drive it).

#[test]
fn the_simulator_depends_on_no_client_crate() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .expect("the manifest");
    let mut section = String::new();
    let mut runtime_deps = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).to_owned();
            continue;
        }
        if (section == "dependencies" || section.starts_with("dependencies."))
            && let Some(name) = line
                .split(['=', ' ', '.'])
                .next()
                .filter(|n| !n.is_empty() && !n.starts_with('#'))
        {
            runtime_deps.push(name.to_owned());
        }
    }
    assert!(
        runtime_deps.contains(&"axum".to_owned()),
        "the parse found the dependencies: {runtime_deps:?}"
    );
    for client in [
        "tm-types",
        "tm-core",
        "tm-transport",
        "tm-cli",
        "tm-conformance",
    ] {
        assert!(
            !runtime_deps.iter().any(|d| d == client),
            "tm-sim depends on {client}: it must parse and render with its own code"
        );
    }
}

//! `cargo xtask fixtures …`: the corpus's checks, formatting, counts and recorder live in
//! tm-conformance (the crate that owns the fixture format and the operations a fixture may
//! name); this runs its `fixtures` binary.

use crate::cargo;

/// Runs `fixtures <args>` of tm-conformance.
pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("check" | "fmt" | "record" | "stats") => {
            let mut a = vec!["run", "-q", "-p", "tm-conformance", "--bin", "fixtures", "--"];
            a.extend(args.iter().map(String::as_str));
            cargo(&a, &[])
        }
        _ => Err(
            "usage: cargo xtask fixtures check | fmt | stats [--filter GLOB] | record --operation OP --input JSON --out FILE"
                .into(),
        ),
    }
}

//! Repository automation in Rust, run as `cargo xtask <command>`: no shell scripts to rot.
//!
//! - `ci`: every CI step (fmt, clippy, docs, fixtures check, tests).
//! - `conformance [--filter GLOB]`: replays the fixtures through both runners, then counts them
//!   per endpoint and per outcome kind.
//! - `fixtures check`: validates every fixture against schema 1, refuses anything that looks
//!   like a real key, enforces the canonical formatting.
//! - `fixtures fmt`: rewrites fixtures in the canonical formatting.
//! - `fixtures record --operation OP --input JSON --out FILE …`: records a live exchange
//!   (needs `TRACKINGMORE_API_KEY`; never run in CI).
//! - `bench [--quick] [--json]`: decode (criterion) and loopback figures as one table.

mod bench;
mod fixtures;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = &args[args.len().min(1)..];
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("conformance") => conformance(rest),
        Some("fixtures") => fixtures::run(rest),
        Some("bench") => bench::run(rest),
        Some("help") | Some("--help") | Some("-h") | None => {
            print_help();
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "cargo xtask <command>\n\n\
         commands:\n  \
         ci                          every CI step: fmt, clippy, docs, fixtures check, tests\n  \
         conformance [--filter G]    replay the fixtures through both runners and count them\n  \
         fixtures check              validate fixtures: schema, no real keys, canonical format\n  \
         fixtures fmt                rewrite fixtures in the canonical format\n  \
         fixtures record ...         record a live exchange (needs TRACKINGMORE_API_KEY)\n  \
         bench [--quick] [--json]    decode speed, client overhead, bulk import, listing, sim throughput"
    );
}

/// Runs `cargo` with `args` from the workspace root, failing on a non-zero exit.
pub fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--check"], &[])?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    fixtures::run(&["check".to_owned()])?;
    cargo(&["test", "--workspace", "--all-features", "--locked"], &[])
}

fn conformance(args: &[String]) -> Result<(), String> {
    let filter = match args {
        [] => None,
        [flag, glob] if flag == "--filter" => Some(glob.clone()),
        _ => return Err("usage: cargo xtask conformance [--filter GLOB]".into()),
    };
    let env: Vec<(&str, &str)> = filter
        .iter()
        .map(|f| ("TM_CONFORMANCE_FILTER", f.as_str()))
        .collect();
    cargo(
        &[
            "test",
            "-p",
            "tm-conformance",
            "--test",
            "replay_mock",
            "--test",
            "replay_wiremock",
            "--",
            "--nocapture",
        ],
        &env,
    )?;
    let mut stats = vec!["stats".to_owned()];
    if let Some(f) = filter {
        stats.extend(["--filter".to_owned(), f]);
    }
    println!("\nreplayed through both runners:");
    fixtures::run(&stats)
}

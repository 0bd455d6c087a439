//! Repository automation in Rust, run as `cargo xtask <command>`: no shell scripts to rot.
//!
//! - `ci`: every CI check (fmt, clippy, docs, fixtures check, packaging, tests, a short fuzz
//!   run); `.ci/run` installs what they need and calls this.
//! - `conformance [--filter GLOB]`: replays the fixtures through both runners, then counts them
//!   per endpoint and per outcome kind.
//! - `fixtures check`: validates every fixture against schema 1, refuses anything that looks
//!   like a real key, enforces the canonical formatting.
//! - `fixtures fmt`: rewrites fixtures in the canonical formatting.
//! - `fixtures record --operation OP --input JSON --out FILE …`: records a live exchange
//!   (needs `TRACKINGMORE_API_KEY`; never run in CI).
//! - `openapi check`: every response body in the fixtures, and every request the client sends
//!   replaying them, validates against `openapi/trackingmore-{v2,v4}.yaml`.
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
        Some("openapi") => openapi(rest),
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
         ci                          every CI check: fmt, clippy, docs, fixtures, packaging, tests, fuzz\n  \
         conformance [--filter G]    replay the fixtures through both runners and count them\n  \
         fixtures check              validate fixtures: schema, no real keys, canonical format\n  \
         fixtures fmt                rewrite fixtures in the canonical format\n  \
         fixtures record ...         record a live exchange (needs TRACKINGMORE_API_KEY)\n  \
         openapi check               fixture bodies and client requests against openapi/*.yaml\n  \
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

/// The fuzz targets CI runs for a short while each.
const FUZZ_TARGETS: &[&str] = &["decode", "path_encoding", "webhook_verify"];

fn step(name: &str) {
    println!("\n== {name}");
}

/// Every CI check, in order; `.ci/run` calls this after installing what the checks need.
fn ci() -> Result<(), String> {
    step("cargo fmt --all --check");
    cargo(&["fmt", "--all", "--check"], &[])?;
    step("cargo clippy --workspace --all-targets --all-features -- -D warnings");
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    step("cargo doc --workspace --no-deps (warnings are errors)");
    cargo(
        &["doc", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    step("cargo xtask fixtures check");
    fixtures::run(&["check".to_owned()])?;
    step("cargo xtask openapi check");
    openapi(&["check".to_owned()])?;
    step("cargo package --workspace --locked --no-verify");
    // --allow-dirty: a local run checks packaging of the tree as it is; CI's is clean anyway.
    cargo(
        &[
            "package",
            "--workspace",
            "--locked",
            "--no-verify",
            "--allow-dirty",
            "--quiet",
        ],
        &[],
    )?;
    // The README's test command, exactly.
    step("cargo test --workspace --all-features --locked");
    cargo(&["test", "--workspace", "--all-features", "--locked"], &[])?;
    step("cargo fuzz (10 s per target)");
    fuzz()
}

/// A short run of each fuzz target; skipped with a note where cargo-fuzz is not installed.
fn fuzz() -> Result<(), String> {
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let installed = Command::new(&cargo_bin)
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        println!(
            "skipped: cargo-fuzz is not installed (`cargo install cargo-fuzz`; .ci/run installs it)"
        );
        return Ok(());
    }
    for target in FUZZ_TARGETS {
        // cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable compiler accept them.
        let out = Command::new(&cargo_bin)
            .args([
                "fuzz",
                "run",
                target,
                "--",
                "-max_total_time=10",
                "-print_final_stats=0",
            ])
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(workspace_root().join("fuzz"))
            .output()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let text = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("fuzz target {target} failed:\n{text}"));
        }
        let tail: Vec<&str> = text.lines().rev().take(2).collect();
        println!(
            "{target}: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        );
    }
    Ok(())
}

/// Checks 1 and 2 of the descriptions (the tool lives in tm-conformance, beside the fixtures'
/// loader and the replay runner it needs).
fn openapi(args: &[String]) -> Result<(), String> {
    match args {
        [cmd] if cmd == "check" => cargo(
            &[
                "run",
                "--quiet",
                "--locked",
                "-p",
                "tm-conformance",
                "--bin",
                "openapi",
                "--",
                "check",
            ],
            &[],
        ),
        _ => Err("usage: cargo xtask openapi check".into()),
    }
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

//! Shared helpers of the `tm` end-to-end tests: a simulator on loopback, the binary, its
//! outputs.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use tm_sim::{ClockMode, SimHandle};

/// A realistic-looking key that must never be printed.
pub const KEY: &str = "tm-cli-6f1d2c9a8b7e4d3c";
/// 2024-03-01T00:00:00Z
pub const T0: i64 = 1_709_251_200;

pub async fn start(b: tm_sim::SimulatorBuilder) -> SimHandle {
    b.clock(ClockMode::Manual)
        .start_time(T0)
        .seed(11)
        .start()
        .await
        .unwrap()
}

pub fn tm_bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("tm"));
    c.env_remove("TRACKINGMORE_API_KEY")
        .env_remove("TRACKINGMORE_BASE_URL");
    c
}

/// Runs `tm` against `sim` (from a blocking thread: the simulator lives on this runtime).
pub async fn tm(sim: &SimHandle, args: &[&str]) -> Output {
    let mut all = vec![
        "--api-key".to_owned(),
        KEY.to_owned(),
        "--base-url".to_owned(),
        sim.base_url(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    run(all, None).await
}

pub async fn run(args: Vec<String>, stdin: Option<Vec<u8>>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = tm_bin();
        cmd.args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(&input).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn assert_no_key(o: &Output) {
    assert!(
        !stdout(o).contains(KEY) && !stderr(o).contains(KEY),
        "the key was printed"
    );
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

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

/// The state database of every `tm` a test binary runs without `--state-db` (journals and
/// cursors are kept per account, so tests against different simulators stay apart): never the
/// user's own.
pub fn shared_state_db() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap())
        .path()
        .join("tm.db")
}

pub fn tm_bin() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("tm"));
    c.env_remove("TRACKINGMORE_API_KEY")
        .env_remove("TRACKINGMORE_BASE_URL")
        .env("TM_STATE_DB", shared_state_db());
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

/// A running `tm … dashboard --port 0`, stopped when dropped.
pub struct Dashboard {
    child: std::process::Child,
    /// Its URL, as it printed it (`http://127.0.0.1:PORT/`).
    pub url: String,
}

impl Dashboard {
    /// Starts `tm` with `args` (ending in `dashboard …`) and waits for the URL line.
    pub fn start(args: &[String]) -> Dashboard {
        use std::io::BufRead;
        let mut child = tm_bin()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "printed {url:?}");
        Dashboard { child, url }
    }
}

impl Dashboard {
    /// Stops it as a service manager would (SIGTERM) and returns its exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        self.child.wait().unwrap()
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tm --sandbox --state-db STATE [GLOBAL…] dashboard --port 0 [ARGS…]`.
pub fn sandbox_dashboard(state: &Path, global: &[&str], args: &[&str]) -> Dashboard {
    let mut all: Vec<String> = vec![
        "--sandbox".into(),
        "--state-db".into(),
        state.display().to_string(),
    ];
    all.extend(global.iter().map(|s| s.to_string()));
    all.extend(["dashboard", "--port", "0"].map(String::from));
    all.extend(args.iter().map(|s| s.to_string()));
    Dashboard::start(&all)
}

/// The twelve example shipments created in a fresh sandbox at `state`.
pub async fn seeded_sandbox(state: &Path) {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/shipments.csv");
    let out = run(
        vec![
            "--sandbox".into(),
            "--state-db".into(),
            state.display().to_string(),
            "track".into(),
            "--file".into(),
            examples.into(),
        ],
        None,
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A size-limited tmpfs on a fresh directory, unmounted when dropped: a real full disk or a
/// read-only file system for `tm` to meet. Mounting needs root (CI runs as root); elsewhere
/// `mount` returns why not, and the caller says it skipped.
pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs with `options` (e.g. `size=256k`, `ro`).
    pub fn mount(options: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    /// Changes the mount's options (e.g. `remount,size=16m`, `remount,ro`).
    pub fn remount(&self, options: &str) {
        let ok = Command::new("mount")
            .args(["-o", options])
            .arg(self.dir.path())
            .status()
            .unwrap();
        assert!(ok.success(), "mount -o {options}");
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// `tm --sandbox --state-db DB ARGS…`.
pub async fn sandbox(db: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "--sandbox".to_owned(),
        "--state-db".to_owned(),
        db.display().to_string(),
    ];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    run(all, None).await
}

/// How many trackings the account in the state database `db` holds (read by a simulator on
/// it, as another process would).
pub async fn held(db: &Path) -> usize {
    let sim = tm_sim::Simulator::builder()
        .state_file(db)
        .start()
        .await
        .unwrap();
    sim.try_tracking_count().unwrap()
}

/// A remote dashboard: its process and the secret it printed.
pub struct Remote {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT/`.
    pub base: String,
    /// The key it printed.
    pub secret: String,
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tm --sandbox --state-db DB dashboard --bind 0.0.0.0 --allow-remote` on a free port.
pub fn remote_dashboard(db: &std::path::Path) -> Remote {
    let mut child = tm_bin()
        .args(["--sandbox", "--state-db"])
        .arg(db)
        .args([
            "dashboard",
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
            "--allow-remote",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line.trim();
    let (base, secret) = url.split_once("?key=").expect("the URL carries the key");
    Remote {
        child,
        base: base.to_owned(),
        secret: secret.to_owned(),
    }
}

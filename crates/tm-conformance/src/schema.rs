//! The fixture format (schema 1): one scenario per file under `fixtures/`, loaded and filtered.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tm_core::transport::InjectedError;
use tm_core::transport::fixture::{Interaction, Reply};

use crate::call::Call;

/// The fixture schema version this crate reads.
pub const SCHEMA: u64 = 1;

/// Client settings a fixture may override.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSettings {
    /// Attempts per call (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// Per-attempt timeout in milliseconds (default 30 000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_timeout_ms: Option<u64>,
    /// Items per batch call (default 40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
}

/// What a fixture expects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Expect {
    /// Success with exactly this result.
    Ok(Value),
    /// Success with a result containing this (objects may have more keys).
    OkSubset(Value),
    /// Failure of this kind, with this meta code and HTTP status if given.
    Err(ExpectedError),
}

/// An expected failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    /// `api`, `rate_limited`, `transport`, `decode`, `invalid_input`, `pagination`,
    /// `config`, or `webhook`.
    pub kind: String,
    /// The meta code, for API errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    /// The HTTP status, for API errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// One scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Always [`SCHEMA`].
    pub schema: u64,
    /// A stable name (the path without `.json`).
    pub name: String,
    /// One sentence: what the scenario proves, and whether its bodies are recorded or invented.
    pub docs: String,
    /// Free-form tags (`captured`, `invented`, `transport`, `quirk`, …).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The capture a body was taken from, if any (`captures/NN-….json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The call: an [`Operation`](tm_core::Operation)'s name (`v2.trackings.create`), or a
    /// helper built on operations (`v2.trackings.create_many`, `v2.webhook.verify`); see [`Call`].
    pub operation: String,
    /// Its input (the call's request JSON). A recording without one replays with the input
    /// read back from its first recorded request.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub input: Value,
    /// Client settings.
    #[serde(default, skip_serializing_if = "is_default")]
    pub client: ClientSettings,
    /// The exchanges, in order.
    pub interactions: Vec<Interaction>,
    /// The expected outcome. A recording without one must replay every interaction, in
    /// order, and no other request; its outcome is pinned by the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
    /// Requests the client sends (default: one per interaction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<usize>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Fixture {
    /// The call it makes.
    pub fn call(&self) -> Result<Call, String> {
        Call::parse(&self.operation).ok_or_else(|| {
            format!(
                "unknown operation {:?} (known: {})",
                self.operation,
                Call::names().join(", ")
            )
        })
    }

    /// Requests the client is expected to send.
    pub fn expected_attempts(&self) -> usize {
        self.attempts.unwrap_or(self.interactions.len())
    }

    /// True for a recording: interactions without an expectation.
    pub fn is_recording(&self) -> bool {
        self.expect.is_none()
    }
}

/// A fixture on disk.
#[derive(Debug, Clone)]
pub struct FixtureFile {
    /// Path relative to `fixtures/`.
    pub relative: String,
    /// The fixture.
    pub fixture: Fixture,
}

impl FixtureFile {
    /// The snapshot name: the relative path with `/` as `__`, without `.json`.
    pub fn snapshot_name(&self) -> String {
        self.relative.trim_end_matches(".json").replace('/', "__")
    }

    /// True if the fixture can run against a real socket (no injected connect errors or
    /// resets, which wiremock cannot produce).
    pub fn runs_on_wiremock(&self) -> bool {
        self.fixture.interactions.iter().all(|i| {
            !matches!(
                i.reply,
                Reply::Error(InjectedError::Connect | InjectedError::Reset)
            )
        })
    }
}

/// The repository's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Every scenario file under `dir` (`.json`, not under `captures/`) with its text, by its path
/// relative to `dir`, sorted.
pub(crate) fn scenario_files(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                if rel != "captures" {
                    stack.push(path);
                }
            } else if rel.ends_with(".json") {
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{rel}: {e}"))?;
                out.push((rel, text));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Every scenario under `dir` (not `captures/`), sorted, filtered by the
/// `TM_CONFORMANCE_FILTER` glob if set.
pub fn load_all(dir: &Path) -> Result<Vec<FixtureFile>, String> {
    let filter = std::env::var("TM_CONFORMANCE_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let mut out = Vec::new();
    for (rel, text) in scenario_files(dir)? {
        if filter.as_ref().is_some_and(|f| !glob_match(f, &rel)) {
            continue;
        }
        let fixture: Fixture = serde_json::from_str(&text).map_err(|e| format!("{rel}: {e}"))?;
        if fixture.schema != SCHEMA {
            return Err(format!(
                "{rel}: schema {} (this runner reads {SCHEMA})",
                fixture.schema
            ));
        }
        out.push(FixtureFile {
            relative: rel,
            fixture,
        });
    }
    Ok(out)
}

/// `*` matches any run of characters (across `/`), everything else literally; a pattern
/// without `*` matches as a substring.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return text.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !rest.starts_with(part) {
                return false;
            }
            rest = &rest[part.len()..];
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(pos) = rest.find(part) {
            rest = &rest[pos + part.len()..];
        } else {
            return false;
        }
    }
    true
}

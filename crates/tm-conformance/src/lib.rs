//! # tm-conformance — recorded exchanges, replayed through two backends
//!
//! This layer owns the conformance suite: the fixture format of `fixtures/` (schema 1), the
//! operations a fixture may call, the normalised [`Outcome`] of a call (its result and every
//! request actually sent), and two runners that must agree on it:
//!
//! - [`run_mock`]: `MockTransport`, no sockets, tokio's paused clock;
//! - [`run_wiremock`]: `ReqwestTransport` against a wiremock server on loopback, with a
//!   catch-all that names any unexpected request.
//!
//! It knows the client's public API and the wire format, nothing of their insides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tm_core::transport::fixture::{Interaction, Reply, RequestParts};
use tm_core::transport::{
    Backoff, InjectedError, MockTransport, RecordingTransport, ReqwestTransport, RetryPolicy,
    Transport, TransportError,
};
use tm_core::types::*;
use tm_core::{Client, CreateOutcome, Error};

/// The fixture schema version this crate reads.
pub const SCHEMA: u64 = 1;

/// The key used for replays: any fixture request must carry it (as the placeholder).
pub const REPLAY_KEY: &str = "conformance-replay-key";

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
    /// The client operation, e.g. `trackings.create`.
    pub operation: String,
    /// Its input (the operation's request JSON).
    #[serde(default)]
    pub input: Value,
    /// Client settings.
    #[serde(default)]
    pub client: ClientSettings,
    /// The exchanges, in order.
    pub interactions: Vec<Interaction>,
    /// The expected outcome.
    pub expect: Expect,
    /// Requests the client sends.
    pub attempts: usize,
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

/// Every scenario under `dir` (not `captures/`), sorted, filtered by the
/// `TM_CONFORMANCE_FILTER` substring if set.
pub fn load_all(dir: &Path) -> Result<Vec<FixtureFile>, String> {
    let filter = std::env::var("TM_CONFORMANCE_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
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
                continue;
            }
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            if filter.as_ref().is_some_and(|f| !glob_match(f, &rel)) {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{rel}: {e}"))?;
            let fixture: Fixture =
                serde_json::from_str(&text).map_err(|e| format!("{rel}: {e}"))?;
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
    }
    out.sort_by(|a, b| a.relative.cmp(&b.relative));
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

/// The normalised outcome of a call: what both runners must agree on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// `{"ok": …}` or `{"err": {…}}`.
    pub result: Value,
    /// Every request sent, as the server saw it (credentials as the placeholder).
    pub requests: Vec<Value>,
}

/// Request headers the outcome keeps.
const KEPT_HEADERS: &[&str] = &["trackingmore-api-key", "content-type", "lang"];

/// A request as the outcome records it.
pub fn normalise_request(p: &RequestParts) -> Value {
    let mut query = p.query.clone();
    query.sort();
    let headers: BTreeMap<String, String> = p
        .headers
        .iter()
        .filter(|(n, _)| KEPT_HEADERS.contains(&n.as_str()))
        .cloned()
        .collect();
    let body = p
        .body
        .as_ref()
        .map(|b| match serde_json::from_slice::<Value>(b) {
            Ok(v) => json!({"json": v}),
            Err(_) => json!({"text": String::from_utf8_lossy(b)}),
        });
    json!({"method": p.method, "path": p.path, "query": query, "headers": headers, "body": body})
}

/// The kind of a client error, as fixtures name it.
pub fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Transport { .. } => "transport",
        Error::Api(_) => "api",
        Error::RateLimited { .. } => "rate_limited",
        Error::Decode(_) => "decode",
        Error::InvalidInput { .. } => "invalid_input",
        Error::Config(_) => "config",
        Error::Pagination { .. } => "pagination",
        _ => "other",
    }
}

fn error_json(e: &Error) -> Value {
    let mut v = json!({"kind": error_kind(e), "message": e.to_string()});
    if let Some(c) = e.api_code() {
        v["code"] = json!(c.code());
    }
    if let Some(s) = e.status() {
        v["status"] = json!(s);
    }
    if let Error::Transport { source, .. } = e {
        v["transport"] = json!(match source {
            TransportError::Connect { .. } => "connect",
            TransportError::Timeout { .. } => "timeout",
            TransportError::ConnectionBroken { .. } => "broken",
            TransportError::BodyTooLarge { .. } => "body_too_large",
            _ => "other",
        });
    }
    if let Error::Decode(d) = e {
        v["path"] = json!(d.path);
    }
    v
}

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn input<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| format!("bad input: {e}"))
}

fn str_field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn report_json(r: &tm_core::BatchReport) -> Value {
    Value::Array(
        r.items
            .iter()
            .map(|i| {
                let mut v = json!({"target": i.target.to_string(), "outcome": i.outcome.label()});
                if let Some(reason) = i.outcome.reason() {
                    v["reason"] = json!(reason);
                }
                v
            })
            .collect(),
    )
}

/// Runs `operation` with `input` on `client`; `Ok(result JSON)` or the client error.
pub async fn call(
    client: &Client,
    operation: &str,
    input_v: &Value,
) -> Result<Result<Value, Error>, String> {
    let t = client.trackings();
    Ok(match operation {
        "carriers.list" => match input_v.get("lang").and_then(Value::as_str) {
            Some(l) => client.carriers().list_in_language(l).await.map(|c| to_json(&*c)),
            None => client.carriers().list().await.map(|c| to_json(&*c)),
        },
        "carriers.detect" => client.carriers().detect(str_field(input_v, "tracking_number")).await.map(|v| to_json(&v)),
        "trackings.create" => t.create(input(input_v)?).await.map(|o| match o {
            CreateOutcome::Created(t) => json!({"created": t}),
            CreateOutcome::AlreadyExists => json!({"already_exists": true}),
        }),
        "trackings.get" => {
            let (c, n) = (str_field(input_v, "carrier_code"), str_field(input_v, "tracking_number"));
            match input_v.get("lang").and_then(Value::as_str) {
                Some(l) => t.get_in_language(c, n, l).await,
                None => t.get(c, n).await,
            }
            .map(|v| to_json(&v))
        }
        "trackings.update" => {
            let changes: UpdateTrackingRequest = input(input_v.get("changes").unwrap_or(&Value::Null))?;
            t.update(str_field(input_v, "carrier_code"), str_field(input_v, "tracking_number"), changes)
                .await
                .map(|v| to_json(&v))
        }
        "trackings.delete" => t
            .delete(str_field(input_v, "carrier_code"), str_field(input_v, "tracking_number"))
            .await
            .map(|()| json!({"deleted": true})),
        "trackings.create_batch" => {
            let items: Vec<CreateTrackingRequest> = input(input_v)?;
            t.create_batch(&items).await.map(|v| to_json(&v))
        }
        "trackings.create_many" => {
            let items: Vec<CreateTrackingRequest> = input(input_v)?;
            Ok(report_json(&t.create_many(items).await))
        }
        "trackings.list" => t.list(&input(input_v)?).await.map(|v| to_json(&v)),
        "trackings.list_all" => t
            .list_all(input(input_v)?)
            .try_collect::<Vec<Tracking>>()
            .await
            .map(|all| json!({"count": all.len(), "tracking_numbers": all.iter().map(|t| t.tracking_number.clone()).collect::<Vec<_>>()})),
        "trackings.update_batch" => {
            let items: Vec<UpdateMoreItem> = input(input_v)?;
            t.update_batch(&items).await.map(|v| to_json(&v))
        }
        "trackings.delete_batch" => {
            let items: Vec<TrackingRef> = input(input_v)?;
            t.delete_batch(&items).await.map(|v| to_json(&v))
        }
        "trackings.delete_many" => {
            let items: Vec<TrackingRef> = input(input_v)?;
            Ok(report_json(&t.delete_many(items).await))
        }
        "trackings.stop_updating_batch" => {
            let items: Vec<TrackingRef> = input(input_v)?;
            t.stop_updating_batch(&items).await.map(|v| to_json(&v))
        }
        "trackings.realtime" => t.realtime(input(input_v)?).await.map(|v| to_json(&v)),
        "trackings.change_carrier" => t.change_carrier(input(input_v)?).await.map(|v| to_json(&v)),
        "trackings.remote_areas" => {
            let q: Vec<RemoteAreaQuery> = input(input_v)?;
            t.remote_areas(&q).await.map(|v| to_json(&v))
        }
        "trackings.transit_times" => {
            let q: Vec<TransitTimeQuery> = input(input_v)?;
            t.transit_times(&q).await.map(|v| to_json(&v))
        }
        "trackings.air_cargo" => t.air_cargo(str_field(input_v, "track_number")).await.map(|v| to_json(&v)),
        "account.user_info" => client.account().user_info().await.map(|v| to_json(&v)),
        "account.status_counts" => client.account().status_counts(&input(input_v)?).await.map(|v| to_json(&v)),
        other => return Err(format!("unknown operation {other:?}")),
    })
}

/// Every operation a fixture may name.
pub const OPERATIONS: &[&str] = &[
    "carriers.list",
    "carriers.detect",
    "trackings.create",
    "trackings.get",
    "trackings.update",
    "trackings.delete",
    "trackings.create_batch",
    "trackings.create_many",
    "trackings.list",
    "trackings.list_all",
    "trackings.update_batch",
    "trackings.delete_batch",
    "trackings.delete_many",
    "trackings.stop_updating_batch",
    "trackings.realtime",
    "trackings.change_carrier",
    "trackings.remote_areas",
    "trackings.transit_times",
    "trackings.air_cargo",
    "account.user_info",
    "account.status_counts",
    "webhook.verify",
];

/// Runs a `webhook.verify` fixture: no transport, the verifier alone.
fn verify_webhook(f: &Fixture) -> Outcome {
    let body = str_field(&f.input, "body");
    let email = str_field(&f.input, "email");
    let now = std::time::UNIX_EPOCH
        + Duration::from_secs(f.input.get("now").and_then(Value::as_u64).unwrap_or(0));
    let result = match tm_core::WebhookVerifier::new(email).verify_at(body.as_bytes(), now) {
        Ok(t) => json!({"ok": t}),
        Err(e) => json!({"err": {"kind": "webhook", "message": e.to_string()}}),
    };
    Outcome {
        result,
        requests: Vec::new(),
    }
}

fn client_for(
    f: &Fixture,
    transport: impl Transport + 'static,
    policy: RetryPolicy,
    key: &str,
) -> Result<Client, String> {
    let mut b = Client::builder()
        .api_key(key)
        .transport(transport)
        .without_rate_limits()
        .retry_policy(policy)
        .attempt_timeout(Duration::from_millis(
            f.client.attempt_timeout_ms.unwrap_or(30_000),
        ));
    if let Some(n) = f.client.max_attempts {
        b = b.max_attempts(n);
    }
    if let Some(n) = f.client.batch_size {
        b = b.batch_size(n);
    }
    b.build().map_err(|e| e.to_string())
}

fn finish(r: Result<Value, Error>) -> Value {
    match r {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"err": error_json(&e)}),
    }
}

/// A client over a mock transport scripted with the fixture's interactions.
pub fn mock_client(f: &Fixture, key: &str) -> Result<(Client, MockTransport), String> {
    let mock = MockTransport::from_interactions(&f.interactions).with_path_prefix("/v2");
    Ok((
        client_for(f, mock.clone(), RetryPolicy::default(), key)?,
        mock,
    ))
}

/// Runner A: the mock transport, on tokio's paused clock (call it from a paused runtime).
pub async fn run_mock(f: &Fixture, key: &str) -> Result<Outcome, String> {
    if f.operation == "webhook.verify" {
        return Ok(verify_webhook(f));
    }
    let (client, mock) = mock_client(f, key)?;
    let result = finish(call(&client, &f.operation, &f.input).await?);
    let requests = mock
        .requests()
        .iter()
        .map(|r| normalise_request(&RequestParts::from_request(r, "/v2")))
        .collect();
    if let Some(problem) = mock.failures().first() {
        return Err(format!("mock transport: {problem}"));
    }
    if mock.remaining() > 0 {
        return Err(format!(
            "{} interaction(s) never requested",
            mock.remaining()
        ));
    }
    Ok(Outcome { result, requests })
}

/// Matches a wiremock request against one recorded interaction.
struct InteractionMatch(tm_transport::fixture::RecordedRequest);

fn parts_of(req: &wiremock::Request) -> RequestParts {
    RequestParts {
        method: req.method.as_str().to_owned(),
        path: req.url.path().to_owned(),
        query: req
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        headers: req
            .headers
            .iter()
            .map(|(k, v)| {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                // The key travels as itself on the wire; fixtures hold the placeholder.
                let v = if k.as_str() == "trackingmore-api-key" && v == REPLAY_KEY {
                    tm_transport::SECRET_PLACEHOLDER.to_owned()
                } else {
                    v
                };
                (k.as_str().to_owned(), v)
            })
            .collect(),
        body: (!req.body.is_empty()).then(|| req.body.clone()),
    }
}

impl wiremock::Match for InteractionMatch {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.0.mismatch(&parts_of(request)).is_none()
    }
}

/// Runner B: reqwest against wiremock on loopback. Waits are scaled down (backoff and the
/// throttling cool-off in milliseconds) without changing any decision.
pub async fn run_wiremock(f: &Fixture) -> Result<Outcome, String> {
    use wiremock::{Mock, MockServer, ResponseTemplate};
    if f.operation == "webhook.verify" {
        return Ok(verify_webhook(f));
    }
    let server = MockServer::start().await;
    for (i, interaction) in f.interactions.iter().enumerate() {
        let Reply::Response(r) = &interaction.reply else {
            if interaction.reply == Reply::Error(InjectedError::Timeout) {
                // A timeout is a response that never comes within the attempt timeout.
                let t = f.client.attempt_timeout_ms.unwrap_or(30_000);
                Mock::given(InteractionMatch(interaction.request.clone()))
                    .respond_with(
                        ResponseTemplate::new(200).set_delay(Duration::from_millis(t + 2_000)),
                    )
                    .up_to_n_times(1)
                    .with_priority((i + 1).min(254) as u8)
                    .named(format!("{}#{i}", f.name))
                    .mount(&server)
                    .await;
                continue;
            }
            return Err("connect and reset errors cannot be replayed over a socket".into());
        };
        let mut template = ResponseTemplate::new(r.status).set_body_bytes(r.to_response().body);
        for (k, v) in &r.headers {
            template = template.insert_header(k.as_str(), v.as_str());
        }
        if r.delay_ms > 0 {
            template = template.set_delay(Duration::from_millis(r.delay_ms));
        }
        Mock::given(InteractionMatch(interaction.request.clone()))
            .respond_with(template)
            .up_to_n_times(1)
            .with_priority((i + 1).min(254) as u8)
            .named(format!("{}#{i}", f.name))
            .mount(&server)
            .await;
    }
    Mock::given(wiremock::matchers::any())
        .respond_with(|req: &wiremock::Request| {
            ResponseTemplate::new(599)
                .set_body_string(format!("unexpected request: {} {}", req.method, req.url))
        })
        .with_priority(255)
        .named("catch-all")
        .mount(&server)
        .await;
    let backend = ReqwestTransport::builder(format!("{}/v2", server.uri()))
        .build()
        .map_err(|e| e.to_string())?;
    let policy = RetryPolicy::default()
        .with_backoff(Backoff::new(
            Duration::from_millis(1),
            Duration::from_millis(20),
        ))
        .with_throttle_cooloff(Duration::from_millis(120));
    let client = client_for(f, backend, policy, REPLAY_KEY)?;
    let result = finish(call(&client, &f.operation, &f.input).await?);
    let received = server.received_requests().await.unwrap_or_default();
    let requests: Vec<Value> = received
        .iter()
        .map(|r| normalise_request(&parts_of(r)))
        .collect();
    for (i, r) in received.iter().enumerate() {
        if i >= f.interactions.len() {
            return Err(format!(
                "unexpected request #{}: {} {}",
                i + 1,
                r.method,
                r.url
            ));
        }
    }
    Ok(Outcome { result, requests })
}

/// Replays each fixture through `run`, checks the outcome against the fixture, and hands it to
/// `snapshot`; returns one line per fixture that failed.
pub async fn replay_all<F, Fut>(
    files: &[FixtureFile],
    mut run: F,
    mut snapshot: impl FnMut(&FixtureFile, &Outcome),
) -> Vec<String>
where
    F: FnMut(Fixture) -> Fut,
    Fut: std::future::Future<Output = Result<Outcome, String>>,
{
    let mut failures = Vec::new();
    for file in files {
        match run(file.fixture.clone())
            .await
            .and_then(|o| check(&file.fixture, &o).map(|()| o))
        {
            Ok(outcome) => snapshot(file, &outcome),
            Err(e) => failures.push(format!("{}: {e}", file.relative)),
        }
    }
    failures
}

/// Checks an outcome against the fixture's expectation; the reason if it does not hold.
pub fn check(f: &Fixture, o: &Outcome) -> Result<(), String> {
    if o.requests.len() != f.attempts {
        return Err(format!(
            "{} request(s) sent, the fixture expects {}",
            o.requests.len(),
            f.attempts
        ));
    }
    match (&f.expect, o.result.get("ok"), o.result.get("err")) {
        (Expect::Ok(want), Some(got), _) if got == want => Ok(()),
        (Expect::OkSubset(want), Some(got), _)
            if tm_transport::fixture::json_contains(got, want) =>
        {
            Ok(())
        }
        (Expect::Err(want), _, Some(got)) => {
            let kind_ok = got["kind"] == want.kind;
            let code_ok = want.code.is_none_or(|c| got["code"] == c);
            let status_ok = want.status.is_none_or(|s| got["status"] == s);
            if kind_ok && code_ok && status_ok {
                Ok(())
            } else {
                Err(format!("expected error {want:?}, got {got}"))
            }
        }
        _ => Err(format!(
            "expected {}, got {}",
            serde_json::to_string(&f.expect).unwrap_or_default(),
            o.result
        )),
    }
}

/// Records a live call as a fixture: every exchange through a [`RecordingTransport`] (the key
/// scrubbed before anything is kept), then the outcome as the expectation.
pub async fn record(
    base_url: &str,
    key: &str,
    name: &str,
    docs: &str,
    operation: &str,
    input_v: Value,
) -> Result<Fixture, String> {
    let backend = ReqwestTransport::builder(base_url)
        .build()
        .map_err(|e| e.to_string())?;
    let prefix = url_path(base_url);
    let recorder = Arc::new(
        RecordingTransport::new(backend)
            .with_path_prefix(prefix)
            .with_request_headers(&["content-type", "lang"]),
    );
    let mut f = Fixture {
        schema: SCHEMA,
        name: name.to_owned(),
        docs: docs.to_owned(),
        tags: vec!["recorded".into()],
        source: None,
        operation: operation.to_owned(),
        input: input_v,
        client: ClientSettings::default(),
        interactions: Vec::new(),
        expect: Expect::Ok(Value::Null),
        attempts: 0,
    };
    let client = client_for(&f, recorder.clone(), RetryPolicy::default(), key)?;
    let result = finish(call(&client, operation, &f.input).await?);
    f.interactions = recorder.interactions();
    f.attempts = f.interactions.len();
    f.expect = match (result.get("ok"), result.get("err")) {
        (Some(v), _) => Expect::Ok(v.clone()),
        (_, Some(e)) => Expect::Err(ExpectedError {
            kind: e["kind"].as_str().unwrap_or("other").to_owned(),
            code: e.get("code").and_then(Value::as_u64).map(|c| c as u32),
            status: e.get("status").and_then(Value::as_u64).map(|s| s as u16),
        }),
        _ => Expect::Ok(Value::Null),
    };
    let text = serde_json::to_string(&f).map_err(|e| e.to_string())?;
    if text.contains(key) {
        return Err("the recording still holds the key: refusing to return it".into());
    }
    Ok(f)
}

/// The path part of a base URL (`https://host/v2` → `/v2`).
fn url_path(base: &str) -> String {
    let after_scheme = base.split_once("://").map_or(base, |(_, r)| r);
    after_scheme.find('/').map_or(String::new(), |i| {
        after_scheme[i..].trim_end_matches('/').to_owned()
    })
}

//! The two runners that must agree — the mock transport on tokio's paused clock, and reqwest
//! against wiremock on loopback — the normalised outcome they produce, and the check of an
//! outcome against a fixture.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tm_core::transport::fixture::{Reply, RequestParts};
use tm_core::transport::{
    Backoff, InjectedError, MockTransport, ReqwestTransport, RetryPolicy, Transport, TransportError,
};
use tm_core::{Api, ClientBuilder, Error};

use crate::call::{Call, Clients, error_kind, input_from_request, run_call};
use crate::schema::{Expect, Fixture, FixtureFile};

/// The key used for replays: any fixture request must carry it (as the placeholder).
pub const REPLAY_KEY: &str = "conformance-replay-key";

/// The path every v2 fixture request starts with.
pub const V2_PREFIX: &str = "/v2";

/// The path every v4 fixture request starts with.
pub const V4_PREFIX: &str = "/v4";

/// The path prefix of a call's generation.
pub fn prefix(call: Call) -> &'static str {
    match call.api() {
        Api::V4 => V4_PREFIX,
        _ => V2_PREFIX,
    }
}

/// The key header of each generation, lower case (fixtures hold the placeholder in it).
const KEY_HEADERS: &[&str] = &["trackingmore-api-key", "tracking-api-key"];

/// The normalised outcome of a call: what both runners must agree on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// `{"ok": …}` or `{"err": {…}}`.
    pub result: Value,
    /// Every request sent, as the server saw it (credentials as the placeholder).
    pub requests: Vec<Value>,
}

/// Request headers the outcome keeps.
const KEPT_HEADERS: &[&str] = &[
    "trackingmore-api-key",
    "tracking-api-key",
    "content-type",
    "lang",
];

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

/// A client error as the outcome records it.
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

/// The input a fixture runs with: its own, or for a recording without one, read back from its
/// first request.
pub fn fixture_input(f: &Fixture, call: Call) -> Result<Value, String> {
    match (&f.input, call.operation(), f.interactions.first()) {
        (Value::Null, Some(op), Some(first)) if f.is_recording() => {
            input_from_request(op, &first.request, prefix(call))
        }
        (v, ..) => Ok(v.clone()),
    }
}

/// Runs a `v2.webhook.verify` or `v4.webhook.verify` fixture: no transport, the verifier alone.
/// v2 input: `{body, email, now}`; v4 input: `{body, headers, secret, now}`.
fn verify_webhook(f: &Fixture, call: Call) -> Outcome {
    let text = |k: &str| f.input.get(k).and_then(Value::as_str).unwrap_or("");
    let body = text("body");
    let now = std::time::UNIX_EPOCH
        + Duration::from_secs(f.input.get("now").and_then(Value::as_u64).unwrap_or(0));
    let result = if call == Call::V4WebhookVerify {
        let headers: Vec<(String, String)> = f
            .input
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let verifier = tm_core::v4::WebhookVerifier::new(text("secret"));
        match verifier.verify_at(
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            body.as_bytes(),
            now,
        ) {
            Ok(v) => {
                json!({"ok": {"scheme": format!("{:?}", v.scheme), "timestamp": v.timestamp, "tracking": v.tracking}})
            }
            Err(e) => json!({"err": {"kind": "webhook", "message": e.to_string()}}),
        }
    } else {
        match tm_core::webhook::WebhookVerifier::new(text("email")).verify_at(body.as_bytes(), now)
        {
            Ok(t) => json!({"ok": t}),
            Err(e) => json!({"err": {"kind": "webhook", "message": e.to_string()}}),
        }
    };
    Outcome {
        result,
        requests: Vec::new(),
    }
}

/// The clients for fixture `f` over `transport`, one per generation (a recording replays with
/// one attempt per recorded interaction).
pub(crate) fn client_for(
    f: &Fixture,
    transport: impl Transport + 'static,
    policy: RetryPolicy,
    key: &str,
) -> Result<Clients, String> {
    let shared = std::sync::Arc::new(transport);
    fn configure<C>(
        f: &Fixture,
        b: ClientBuilder<C>,
        transport: impl Transport + 'static,
        policy: RetryPolicy,
        key: &str,
    ) -> ClientBuilder<C> {
        let mut b = b
            .api_key(key)
            .transport(transport)
            .without_rate_limits()
            .retry_policy(policy)
            .attempt_timeout(Duration::from_millis(
                f.client.attempt_timeout_ms.unwrap_or(30_000),
            ));
        let recorded = f.is_recording().then(|| f.interactions.len().max(1) as u32);
        if let Some(n) = f.client.max_attempts.or(recorded) {
            b = b.max_attempts(n);
        }
        if let Some(n) = f.client.batch_size {
            b = b.batch_size(n);
        }
        b
    }
    Ok(Clients {
        v2: configure(
            f,
            tm_core::v2::Client::builder(),
            shared.clone(),
            policy.clone(),
            key,
        )
        .build()
        .map_err(|e| e.to_string())?,
        v4: configure(f, tm_core::v4::Client::builder(), shared, policy, key)
            .build()
            .map_err(|e| e.to_string())?,
    })
}

pub(crate) fn finish(r: Result<Value, Error>) -> Value {
    match r {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"err": error_json(&e)}),
    }
}

/// Clients over a mock transport scripted with the fixture's interactions.
pub fn mock_client(f: &Fixture, key: &str) -> Result<(Clients, MockTransport), String> {
    let prefix = prefix(f.call()?);
    let mock = MockTransport::from_interactions(&f.interactions).with_path_prefix(prefix);
    Ok((
        client_for(f, mock.clone(), RetryPolicy::default(), key)?,
        mock,
    ))
}

/// Runner A: the mock transport, on tokio's paused clock (call it from a paused runtime).
pub async fn run_mock(f: &Fixture, key: &str) -> Result<Outcome, String> {
    let call = f.call()?;
    if matches!(call, Call::WebhookVerify | Call::V4WebhookVerify) {
        return Ok(verify_webhook(f, call));
    }
    let (client, mock) = mock_client(f, key)?;
    let result = finish(run_call(&client, call, &fixture_input(f, call)?).await?);
    let requests = mock
        .requests()
        .iter()
        .map(|r| normalise_request(&RequestParts::from_request(r, prefix(call))))
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
struct InteractionMatch(tm_core::transport::fixture::RecordedRequest);

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
                let v = if KEY_HEADERS.contains(&k.as_str()) && v == REPLAY_KEY {
                    tm_core::transport::SECRET_PLACEHOLDER.to_owned()
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
    let call = f.call()?;
    if matches!(call, Call::WebhookVerify | Call::V4WebhookVerify) {
        return Ok(verify_webhook(f, call));
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
    let backend = ReqwestTransport::builder(format!("{}{}", server.uri(), prefix(call)))
        .build()
        .map_err(|e| e.to_string())?;
    let policy = RetryPolicy::default()
        .with_backoff(Backoff::new(
            Duration::from_millis(1),
            Duration::from_millis(20),
        ))
        .with_throttle_cooloff(Duration::from_millis(120));
    let client = client_for(f, backend, policy, REPLAY_KEY)?;
    let result = finish(run_call(&client, call, &fixture_input(f, call)?).await?);
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
    if o.requests.len() != f.expected_attempts() {
        return Err(format!(
            "{} request(s) sent, the fixture expects {}",
            o.requests.len(),
            f.expected_attempts()
        ));
    }
    let Some(expect) = &f.expect else {
        // A recording: every interaction was requested in order (the runners refuse anything
        // else); the snapshot pins the outcome.
        return Ok(());
    };
    match (expect, o.result.get("ok"), o.result.get("err")) {
        (Expect::Ok(want), Some(got), _) if got == want => Ok(()),
        (Expect::OkSubset(want), Some(got), _)
            if tm_core::transport::fixture::json_contains(got, want) =>
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
            serde_json::to_string(expect).unwrap_or_default(),
            o.result
        )),
    }
}

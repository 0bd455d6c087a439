//! Recording a live call as a fixture: every exchange through a `RecordingTransport` (the key
//! scrubbed before anything is kept), the outcome as the expectation.

use std::sync::Arc;

use serde_json::Value;
use tm_core::transport::{RecordingTransport, ReqwestTransport, RetryPolicy, Transport};

use crate::call::{Call, run_call};
use crate::runners::{client_for, finish};
use crate::schema::{ClientSettings, Expect, ExpectedError, Fixture, SCHEMA};

/// What to record: the call, and how the fixture is named and described.
#[derive(Debug, Clone)]
pub struct Recording<'a> {
    /// The API key (scrubbed before anything is kept).
    pub key: &'a str,
    /// The fixture's name (its path under `fixtures/` without `.json`).
    pub name: &'a str,
    /// One sentence on what it proves.
    pub docs: &'a str,
    /// The call, e.g. `v2.trackings.get`.
    pub operation: &'a str,
    /// Its input.
    pub input: Value,
}

/// Records a live call against `base_url` as a fixture (what `cargo xtask fixtures record`
/// runs).
pub async fn record(base_url: &str, what: Recording<'_>) -> Result<Fixture, String> {
    let backend = ReqwestTransport::builder(base_url)
        .build()
        .map_err(|e| e.to_string())?;
    record_with(backend, &url_path(base_url), what).await
}

/// Records a call through any backend (paths recorded under `prefix`, e.g. `/v2`): every
/// exchange through a [`RecordingTransport`], the key scrubbed before anything is kept, the
/// outcome as the expectation.
pub async fn record_with(
    backend: impl Transport + 'static,
    prefix: &str,
    what: Recording<'_>,
) -> Result<Fixture, String> {
    let call = Call::parse(what.operation)
        .ok_or_else(|| format!("unknown operation {:?}", what.operation))?;
    let recorder = Arc::new(
        RecordingTransport::new(backend)
            .with_path_prefix(prefix)
            .with_request_headers(&["content-type", "lang"]),
    );
    let mut f = Fixture {
        schema: SCHEMA,
        name: what.name.to_owned(),
        docs: what.docs.to_owned(),
        tags: vec!["recorded".into()],
        source: None,
        operation: what.operation.to_owned(),
        input: what.input,
        client: ClientSettings::default(),
        interactions: Vec::new(),
        expect: Some(Expect::Ok(Value::Null)),
        attempts: None,
    };
    let client = client_for(&f, recorder.clone(), RetryPolicy::default(), what.key)?;
    let result = finish(run_call(&client, call, &f.input).await?);
    f.interactions = recorder.interactions();
    f.attempts = Some(f.interactions.len());
    f.expect = Some(match (result.get("ok"), result.get("err")) {
        (Some(v), _) => Expect::Ok(v.clone()),
        (_, Some(e)) => Expect::Err(ExpectedError {
            kind: e["kind"].as_str().unwrap_or("other").to_owned(),
            code: e.get("code").and_then(Value::as_u64).map(|c| c as u32),
            status: e.get("status").and_then(Value::as_u64).map(|s| s as u16),
        }),
        _ => Expect::Ok(Value::Null),
    });
    let text = serde_json::to_string(&f).map_err(|e| e.to_string())?;
    if text.contains(what.key) {
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

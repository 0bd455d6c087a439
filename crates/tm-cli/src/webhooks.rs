//! `tm webhook verify` and `tm webhook listen`: check webhook pushes — v2's against the account
//! e-mail (`--email`), v4's against the webhook secret (`--secret`, signed in the headers);
//! only verified pushes are ever printed.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use tm_core::WebhookVerifier;

use crate::Failure;
use crate::cli::{Format, WebhookCommand};
use crate::output::Out;

/// The largest body `listen` accepts (real webhook bodies are a few kilobytes).
const MAX_BODY: usize = 1024 * 1024;

/// A verifier of either generation.
pub enum Verifier {
    /// v2: the account e-mail signs `verifyInfo` in the body.
    V2(WebhookVerifier),
    /// v4: the webhook secret signs the timestamp or the body, in headers.
    V4(tm_core::v4::WebhookVerifier),
}

impl Verifier {
    /// The verifier the flags ask for (`--secret` for v4, `--email` for v2).
    fn new(
        email: Option<String>,
        secret: Option<String>,
        max_age: Option<u64>,
    ) -> Result<Verifier, Failure> {
        let age = max_age.filter(|s| *s > 0).map(Duration::from_secs);
        match (email, secret) {
            (_, Some(secret)) => Ok(Verifier::V4(
                tm_core::v4::WebhookVerifier::new(secret).max_age(age),
            )),
            (Some(email), None) => {
                let v = WebhookVerifier::new(email);
                Ok(Verifier::V2(match age {
                    Some(a) => v.max_age(a),
                    None => v,
                }))
            }
            (None, None) => Err(Failure::Usage(
                "give --email (v2 pushes) or --secret (v4 pushes)".into(),
            )),
        }
    }

    /// Verifies one push; the tracking as JSON and a one-line description.
    fn check(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(Value, String), tm_core::WebhookError> {
        match self {
            Verifier::V2(v) => {
                let t = v.verify(body)?;
                let line = format!(
                    "verified: {}:{} is {}",
                    t.carrier_code,
                    t.tracking_number,
                    t.status().map_or("-", |s| s.as_str())
                );
                Ok((serde_json::to_value(&t).unwrap_or(Value::Null), line))
            }
            Verifier::V4(v) => {
                let ok = v.verify(
                    headers.iter().map(|(k, val)| (k.as_str(), val.as_str())),
                    body,
                )?;
                let t = &ok.tracking;
                let line = format!(
                    "verified ({:?} signature): {}:{} is {}",
                    ok.scheme,
                    t.courier_code.as_deref().unwrap_or("?"),
                    t.tracking_number.as_deref().unwrap_or("?"),
                    t.status().map_or("-", |s| s.as_str())
                );
                Ok((serde_json::to_value(t).unwrap_or(Value::Null), line))
            }
        }
    }
}

/// Runs a webhook command.
pub async fn run(command: WebhookCommand, out: &mut Out) -> Result<(), Failure> {
    match command {
        WebhookCommand::Verify {
            email,
            secret,
            timestamp,
            signature,
            max_age,
            file,
        } => {
            let mut body = Vec::new();
            match &file {
                Some(p) => {
                    body = std::fs::read(p)
                        .map_err(|e| Failure::Usage(format!("{}: {e}", p.display())))?
                }
                None => {
                    std::io::stdin()
                        .read_to_end(&mut body)
                        .map_err(|e| Failure::Io(format!("stdin: {e}")))?;
                }
            }
            let headers: Vec<(String, String)> =
                [("timestamp", timestamp), ("signature", signature)]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                    .collect();
            let (t, line) = Verifier::new(email, secret, max_age)?
                .check(&headers, &body)
                .map_err(|e| Failure::Refused(format!("webhook rejected: {e}")))?;
            match out.format {
                Format::Json | Format::Jsonl => out.json(&t),
                _ => out.line(&line),
            }
        }
        WebhookCommand::Listen {
            port,
            bind,
            email,
            secret,
            max_age,
        } => {
            let verifier = Verifier::new(email, secret, Some(max_age))?;
            let ip: std::net::IpAddr = bind
                .parse()
                .map_err(|_| Failure::Usage(format!("--bind {bind:?}: not an IP address")))?;
            let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, port))
                .await
                .map_err(|e| Failure::Usage(format!("cannot listen on {ip}:{port}: {e}")))?;
            let addr = listener
                .local_addr()
                .map_err(|e| Failure::Io(e.to_string()))?;
            out.note(&format!(
                "listening for webhooks on http://{addr}/ (Ctrl-C to stop)"
            ));
            let app = router(Arc::new(verifier));
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .map_err(|e| Failure::Io(e.to_string()))
        }
    }
}

/// The receiving endpoint: any path, POST only.
pub fn router(verifier: Arc<Verifier>) -> Router {
    Router::new()
        .route("/", post(receive))
        .route("/{*path}", post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(verifier)
}

/// Receives one push. The signature decides, not the content type: PHP senders often label
/// JSON `application/x-www-form-urlencoded` or `text/plain` (v2's is not documented). A form
/// whose one field holds the JSON is read too.
async fn receive(
    State(verifier): State<Arc<Verifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let pairs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let mut outcome = verifier.check(&pairs, &body);
    if form
        && matches!(outcome, Err(tm_core::WebhookError::Malformed { .. }))
        && let Some(json) = form_json(&body)
    {
        outcome = verifier.check(&pairs, json.as_bytes());
    }
    match outcome {
        Ok((t, _)) => {
            println!("{}", json!({"verified": true, "tracking": t}));
            (StatusCode::OK, "ok\n".into())
        }
        Err(e) => {
            eprintln!("webhook rejected: {e}");
            (StatusCode::UNAUTHORIZED, format!("{e}\n"))
        }
    }
}

/// The JSON a form carries: its one field's value, or its one key when the JSON itself was
/// form-encoded without a name.
fn form_json(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    match pairs.as_slice() {
        [(k, v)] if v.is_empty() => Some(k.clone()),
        [(_, v)] => Some(v.clone()),
        _ => None,
    }
}

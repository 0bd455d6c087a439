//! `tm webhook verify` and `tm webhook listen`: check webhook pushes — v2's against the account
//! e-mail (`--email`), v4's against the webhook secret (`--secret`, signed in the headers);
//! only verified pushes are ever printed, each once (`tm_core::webhook::replay`), with whether
//! its signature covers its body.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use tm_core::webhook::WebhookVerifier;
use tm_core::webhook::replay::{Arrival, Refused, ReplayGuard};

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

    /// Verifies one push.
    fn check(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Checked, tm_core::WebhookError> {
        let now = SystemTime::now();
        match self {
            Verifier::V2(v) => {
                let push = v.verify_push_at(body, now)?;
                let t = &push.tracking;
                let line = format!(
                    "verified (signature over the time only; the body is not signed): {}:{} is {}",
                    t.carrier_code,
                    t.tracking_number,
                    t.status().map_or("-", |s| s.as_str())
                );
                Ok(Checked {
                    tracking: serde_json::to_value(t).unwrap_or(Value::Null),
                    line,
                    signature: push.signature,
                    body_signed: false,
                })
            }
            Verifier::V4(v) => {
                let ok = v.verify_at(
                    headers.iter().map(|(k, val)| (k.as_str(), val.as_str())),
                    body,
                    now,
                )?;
                let t = &ok.tracking;
                let line = format!(
                    "verified ({}): {}:{} is {}",
                    if ok.body_signed() {
                        "signature over the body"
                    } else {
                        "signature over the timestamp only; the body is not signed"
                    },
                    t.courier_code.as_deref().unwrap_or("?"),
                    t.tracking_number.as_deref().unwrap_or("?"),
                    t.status().map_or("-", |s| s.as_str())
                );
                Ok(Checked {
                    tracking: serde_json::to_value(t).unwrap_or(Value::Null),
                    line,
                    body_signed: ok.body_signed(),
                    signature: ok.signature,
                })
            }
        }
    }
}

/// A verified push.
struct Checked {
    /// Its tracking, as JSON.
    tracking: Value,
    /// One line saying what was verified.
    line: String,
    /// The signature's bytes.
    signature: Vec<u8>,
    /// Whether the signature covers the body (v4's body scheme) or only a time.
    body_signed: bool,
}

impl Checked {
    /// The JSON line a verified push is printed as.
    fn json(&self) -> Value {
        json!({"verified": true, "body_signed": self.body_signed, "tracking": self.tracking})
    }
}

/// A listener's verifier and the pushes it already printed.
pub struct Listener {
    verifier: Verifier,
    seen: ReplayGuard,
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
            let checked = Verifier::new(email, secret, max_age)?
                .check(&headers, &body)
                .map_err(|e| Failure::Refused(format!("webhook rejected: {e}")))?;
            match out.format {
                Format::Json | Format::Jsonl => out.json(&checked.json()),
                _ => out.line(&checked.line),
            }
        }
        WebhookCommand::Listen {
            port,
            bind,
            email,
            secret,
            max_age,
            replay_window,
            server,
        } => {
            let limits = server.limits(MAX_BODY)?;
            if replay_window == 0 {
                return Err(Failure::Usage(
                    "--replay-window must be at least 1 second".into(),
                ));
            }
            let listener = Listener {
                verifier: Verifier::new(email, secret, Some(max_age))?,
                seen: ReplayGuard::new(Duration::from_secs(replay_window.max(max_age))),
            };
            let ip: std::net::IpAddr = bind
                .parse()
                .map_err(|_| Failure::Usage(format!("--bind {bind:?}: not an IP address")))?;
            if !ip.is_loopback() {
                out.warn(&format!(
                    "listening beyond loopback ({ip}): only pushes that verify are printed, \
                     but anyone who can reach the port can send them"
                ));
            }
            let socket = tokio::net::TcpListener::bind(SocketAddr::new(ip, port))
                .await
                .map_err(|e| Failure::Usage(format!("cannot listen on {ip}:{port}: {e}")))?;
            let addr = socket
                .local_addr()
                .map_err(|e| Failure::Io(e.to_string()))?;
            out.note(&format!(
                "listening for webhooks on http://{addr}/ (Ctrl-C to stop)"
            ));
            tm_serve::serve(
                socket,
                router(Arc::new(listener)),
                limits,
                crate::stop_signal(),
            )
            .await
            .map_err(|e| Failure::Io(e.to_string()))
        }
    }
}

/// The receiving endpoint: any path, POST only.
pub fn router(listener: Arc<Listener>) -> Router {
    Router::new()
        .route("/", post(receive))
        .route("/{*path}", post(receive))
        .with_state(listener)
}

/// Receives one push. The signature decides, not the content type: PHP senders often label
/// JSON `application/x-www-form-urlencoded` or `text/plain` (v2's is not documented). A form
/// whose one field holds the JSON is read too.
async fn receive(
    State(listener): State<Arc<Listener>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let verifier = &listener.verifier;
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
    // The body that verified: the request's, or the JSON inside its one form field.
    let mut signed: Vec<u8> = body.to_vec();
    let mut outcome = verifier.check(&pairs, &signed);
    if form
        && matches!(outcome, Err(tm_core::WebhookError::Malformed { .. }))
        && let Some(json) = form_json(&body)
    {
        signed = json.into_bytes();
        outcome = verifier.check(&pairs, &signed);
    }
    let checked = match outcome {
        Ok(c) => c,
        Err(e) => return rejected(&e),
    };
    // Printed once, and answered 2xx only once printed: a push that could not be printed is
    // not remembered, so its redelivery is.
    let print = || {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", checked.json()).and_then(|()| stdout.flush())
    };
    match listener
        .seen
        .admit(&checked.signature, &signed, SystemTime::now(), print)
    {
        Ok(Arrival::Applied(())) => (StatusCode::OK, "ok\n".into()),
        Ok(Arrival::Repeat) => (StatusCode::OK, "ok (already received)\n".into()),
        Err(Refused::Replay(e)) => rejected(&e),
        Err(Refused::Apply(e)) => {
            eprintln!("could not print a verified webhook: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "could not keep it; send it again\n".into(),
            )
        }
    }
}

fn rejected(e: &tm_core::WebhookError) -> (StatusCode, String) {
    eprintln!("webhook rejected: {e}");
    (StatusCode::UNAUTHORIZED, format!("{e}\n"))
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

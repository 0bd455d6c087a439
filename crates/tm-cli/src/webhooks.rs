//! `tm webhook verify` and `tm webhook listen`: check webhook bodies against the account
//! e-mail; only verified bodies are ever printed.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::json;
use tm_core::WebhookVerifier;

use crate::Failure;
use crate::cli::{Format, WebhookCommand};
use crate::output::Out;

/// The largest body `listen` accepts (real webhook bodies are a few kilobytes).
const MAX_BODY: usize = 1024 * 1024;

fn verifier(email: &str, max_age: Option<u64>) -> WebhookVerifier {
    let v = WebhookVerifier::new(email);
    match max_age {
        Some(s) if s > 0 => v.max_age(Duration::from_secs(s)),
        _ => v,
    }
}

/// Runs a webhook command.
pub async fn run(command: WebhookCommand, out: &mut Out) -> Result<(), Failure> {
    match command {
        WebhookCommand::Verify {
            email,
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
            let t = verifier(&email, max_age)
                .verify(&body)
                .map_err(|e| Failure::Refused(format!("webhook rejected: {e}")))?;
            match out.format {
                Format::Json | Format::Jsonl => out.json(&t),
                _ => out.line(&format!(
                    "verified: {}:{} is {}",
                    t.carrier_code,
                    t.tracking_number,
                    t.status().map_or("-", |s| s.as_str())
                )),
            }
        }
        WebhookCommand::Listen {
            port,
            bind,
            email,
            max_age,
        } => {
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
            let app = router(Arc::new(verifier(&email, Some(max_age))));
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
pub fn router(verifier: Arc<WebhookVerifier>) -> Router {
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
    State(verifier): State<Arc<WebhookVerifier>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let mut outcome = verifier.verify(&body);
    if form && matches!(outcome, Err(tm_core::WebhookError::Malformed { .. })) {
        if let Some(json) = form_json(&body) {
            outcome = verifier.verify(json.as_bytes());
        }
    }
    match outcome {
        Ok(t) => {
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

//! HTTP: the router, one request as the API handlers see it (path segments, a leniently
//! decoded query, headers, the body, the peer's address), fault injection, and writing the
//! answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::any;
use bytes::Bytes;

use crate::faults::Fault;
use crate::state::{Sim, lock};
use crate::{v2, v4};

/// One API request, read whole.
#[derive(Debug)]
pub(crate) struct Request {
    /// Upper-case method.
    pub method: String,
    /// The path under the generation's prefix, `//` collapsed, e.g. `/trackings/post`.
    pub path: String,
    /// Its segments, percent-decoded.
    pub segments: Vec<String>,
    /// Query pairs, decoded as a form (`+` is a space).
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// Who sent it.
    pub peer: SocketAddr,
}

impl Request {
    /// A header's value, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// An API key header, trimmed; or why there is none to use ("is missing", "is empty",
    /// "is not text").
    pub fn key_header(&self, name: &str) -> Result<&str, &'static str> {
        let value = self.headers.get(name).ok_or("is missing")?;
        let text = value.to_str().map_err(
            |_| "is not text (it holds bytes outside visible ASCII; a key is letters and digits)",
        )?;
        match text.trim() {
            "" => Err("is empty"),
            key => Ok(key),
        }
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses a query string the way a PHP server does: pairs split on `&`, `+` read as a space,
/// percent escapes decoded, a key without `=` read as an empty value.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let d = |s: &str| decode(&s.replace('+', " "));
            (d(k), d(v))
        })
        .collect()
}

/// Reads a request whole; a body that cannot be read (over the size limit, or broken off) is
/// answered at once with its status.
async fn read(
    req: axum::extract::Request,
    peer: SocketAddr,
    prefix: &str,
) -> Result<Request, Response> {
    let method = req.method().as_str().to_ascii_uppercase();
    let uri = req.uri().clone();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), usize::MAX)
        .await
        .map_err(|e| {
            let status = tm_serve::body_error_status(&e);
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "The request body is larger than this simulator accepts.".to_owned()
            } else {
                format!("The request body could not be read: {e}.")
            };
            let text = serde_json::json!({
                "meta": {"code": status.as_u16(), "type": "Bad Request", "message": message},
                "data": [],
            });
            json_response(status, text.to_string())
        })?;
    let rest = uri.path().strip_prefix(prefix).unwrap_or("");
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect();
    let path = segments.iter().fold(String::new(), |acc, s| acc + "/" + s);
    Ok(Request {
        method,
        path,
        segments,
        query: uri.query().map(parse_query).unwrap_or_default(),
        headers,
        body,
        peer,
    })
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, text: String) -> Response {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Every `/v2` request: faults, the handler, the envelope.
async fn v2_entry(
    State(sim): State<Arc<Sim>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: axum::extract::Request,
) -> Response {
    let req = match read(req, peer, "/v2").await {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    lock(&sim.stats).requests += 1;
    let fault = lock(&sim.faults).next(&req.path, || sim.draw());
    if let Some(f) = &fault {
        lock(&sim.stats).faults += 1;
        if f.replaces_handling() {
            return v2_fault(&sim, f);
        }
    }
    let reply = v2::handle(&sim, &req).await;
    sim.count_code(reply.code);
    let status = if sim.config.mirror_http_status {
        StatusCode::from_u16(v2::mirrored_status(reply.code)).unwrap_or(StatusCode::OK)
    } else {
        StatusCode::OK
    };
    let mut response = match &fault {
        Some(f) => alter(f, status, reply.text(sim.config.php_escapes)).await,
        None => json_response(status, reply.text(sim.config.php_escapes)),
    };
    if reply.code == 429 && sim.config.retry_after_header {
        let secs = (sim.config.suspension_ms / 1000).max(1);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// A fault that answers instead of the v2 handler.
fn v2_fault(sim: &Sim, fault: &Fault) -> Response {
    let envelope = |code: u32| {
        sim.count_code(code);
        v2::Reply::err(code).text(sim.config.php_escapes)
    };
    match fault {
        Fault::Http500 => json_response(StatusCode::INTERNAL_SERVER_ERROR, envelope(500)),
        Fault::Http503 => json_response(StatusCode::SERVICE_UNAVAILABLE, envelope(503)),
        Fault::Http429 { retry_after } => {
            let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, envelope(429));
            if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Fault::Meta429 => json_response(StatusCode::OK, envelope(429)),
        Fault::Meta503 => json_response(StatusCode::OK, envelope(503)),
        Fault::Meta { code, http_status } => json_response(
            http_status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK),
            envelope(*code),
        ),
        Fault::Html => html_502(),
        _ => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

/// A proxy's error page.
fn html_502() -> Response {
    let mut r = Response::new(Body::from(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    ));
    *r.status_mut() = StatusCode::BAD_GATEWAY;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    r
}

/// Alters a handled response according to a fault of the "applied" group.
pub(crate) async fn alter(fault: &Fault, status: StatusCode, text: String) -> Response {
    let half = |text: &str| {
        let mut cut = text.len() / 2;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        cut
    };
    match fault {
        Fault::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            json_response(status, text)
        }
        Fault::MalformedJson => json_response(
            status,
            format!(
                "<br />\n<b>Warning</b>:  Invalid argument supplied for foreach() in <b>/var/www/api/v2/index.php</b> on line <b>42</b><br />\n{text}"
            ),
        ),
        Fault::Truncated => {
            let cut = half(&text);
            json_response(status, text[..cut].to_owned())
        }
        Fault::Drop => {
            let full = text.len();
            let first = Bytes::from(text[..half(&text)].to_owned());
            let stream = futures::stream::iter(vec![
                Ok::<Bytes, std::io::Error>(first),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fault: connection dropped",
                )),
            ]);
            let mut r = Response::new(Body::from_stream(stream));
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Ok(v) = HeaderValue::from_str(&full.to_string()) {
                r.headers_mut().insert(header::CONTENT_LENGTH, v);
            }
            r
        }
        Fault::WrongContentType => {
            let mut r = json_response(status, text);
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=UTF-8"),
            );
            r
        }
        Fault::Huge { bytes } => {
            // A valid envelope with an extra key padding it out.
            let pad = bytes.saturating_sub(text.len() + 16);
            let padded = match text.strip_suffix('}') {
                Some(head) => format!("{head},\"padding\":\"{}\"}}", "x".repeat(pad)),
                None => text,
            };
            json_response(status, padded)
        }
        Fault::RenameKey { from, to } => json_response(status, rename_key(&text, from, to)),
        _ => json_response(status, text),
    }
}

/// `text` with every object key `from` spelt `to`. Keys are the only places a JSON text has
/// `"from":` (inside a string value the quotes would be escaped), so this is exact for
/// compact JSON.
fn rename_key(text: &str, from: &str, to: &str) -> String {
    let key = |k: &str| serde_json::to_string(k).unwrap_or_default() + ":";
    text.replace(&key(from), &key(to))
}

/// Every `/v4` request: faults, the handler, the envelope with the mirrored HTTP status.
async fn v4_entry(
    State(sim): State<Arc<Sim>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: axum::extract::Request,
) -> Response {
    let req = match read(req, peer, "/v4").await {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    lock(&sim.stats).requests += 1;
    let fault = lock(&sim.faults).next(&format!("/v4{}", req.path), || sim.draw());
    if let Some(f) = &fault {
        lock(&sim.stats).faults += 1;
        if f.replaces_handling() {
            return v4_fault(&sim, f);
        }
    }
    let reply = v4::handle(&sim, &req).await;
    sim.count_code(reply.code);
    let status = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::OK);
    let text = reply.text(sim.config.v4.error_data);
    let mut response = match &fault {
        Some(f) => alter(f, status, text).await,
        None => json_response(status, text),
    };
    if reply.code == 429 && sim.config.retry_after_header {
        let secs = (sim.config.suspension_ms / 1000).max(1);
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// A fault that answers instead of the v4 handler: v4 puts the meta code's class in the
/// status, so "meta" faults come with their mirrored status unless the plan gives one.
fn v4_fault(sim: &Sim, fault: &Fault) -> Response {
    let answer = |code: u32, status: Option<u16>| {
        sim.count_code(code);
        let reply = v4::Reply::err(code);
        let status = status.unwrap_or_else(|| reply.status());
        json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            reply.text(sim.config.v4.error_data),
        )
    };
    match fault {
        Fault::Http500 => answer(511, Some(500)),
        Fault::Http503 => answer(512, Some(503)),
        Fault::Http429 { retry_after } => {
            let mut r = answer(429, None);
            if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Fault::Meta429 => answer(429, None),
        Fault::Meta503 => answer(513, None),
        Fault::Meta { code, http_status } => answer(*code, *http_status),
        Fault::Html => html_502(),
        _ => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

async fn not_found(State(sim): State<Arc<Sim>>) -> Response {
    sim.count_code(404);
    json_response(
        StatusCode::OK,
        v2::Reply::err(404).text(sim.config.php_escapes),
    )
}

/// The router: `/v2/...`, `/v4/...` and `/_sim/...`.
pub(crate) fn router(sim: Arc<Sim>) -> Router {
    crate::admin::routes(sim.clone())
        .route("/v2", any(v2_entry))
        .route("/v2/{*rest}", any(v2_entry))
        .route("/v4", any(v4_entry))
        .route("/v4/{*rest}", any(v4_entry))
        .fallback(not_found)
        .with_state(sim)
}

#[cfg(test)]
mod tests {
    use super::parse_query;

    #[test]
    fn queries_decode_as_a_php_server_reads_them() {
        assert_eq!(
            parse_query("a=1&b=2023-08-23T06:00:00+00:00&c=%2B01:00&flag&&d=x%20y"),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2023-08-23T06:00:00 00:00".to_owned()),
                ("c".to_owned(), "+01:00".to_owned()),
                ("flag".to_owned(), String::new()),
                ("d".to_owned(), "x y".to_owned()),
            ]
        );
    }
}

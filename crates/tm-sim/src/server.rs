//! HTTP: the `/v2` API with authentication, rate limits, faults and v2's envelope quirks, and
//! the `/_sim` admin routes.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tm_types::MetaCode;

use crate::api::{self, Call, Reply, Route};
use crate::catalogue::Catalogue;
use crate::clock::SimClock;
use crate::config::SimConfig;
use crate::faults::{Fault, FaultPlan};
use crate::journey::Rng;
use crate::store::Store;
use crate::webhook::Delivery;

/// Request and outcome counters, as `GET /_sim/stats` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Every request to `/v2`.
    pub requests: u64,
    /// Requests per route name.
    pub by_route: BTreeMap<String, u64>,
    /// Responses per meta code.
    pub by_code: BTreeMap<u32, u64>,
    /// Requests refused by the rate limits.
    pub rate_limited: u64,
    /// Faults injected.
    pub faults: u64,
}

/// The shared simulator.
pub struct Sim {
    pub(crate) config: SimConfig,
    pub(crate) clock: SimClock,
    pub(crate) catalogue: Catalogue,
    store: Mutex<Store>,
    limiter: Mutex<HashMap<(String, &'static str), i64>>,
    pub(crate) faults: Mutex<FaultPlan>,
    rng: Mutex<Rng>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) deliveries: Mutex<Vec<Delivery>>,
    dirty: AtomicBool,
    pub(crate) changed: tokio::sync::Notify,
    shared: Option<crate::shared_limits::SharedLimits>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sim {
    pub(crate) fn new(
        config: SimConfig,
        clock: SimClock,
        store: Store,
        shared: Option<crate::shared_limits::SharedLimits>,
    ) -> Sim {
        let faults = config.faults.clone();
        let rng = Rng::from_parts(&[&config.seed.to_le_bytes(), b"faults"]);
        Sim {
            config,
            clock,
            catalogue: Catalogue::builtin(),
            store: Mutex::new(store),
            limiter: Mutex::new(HashMap::new()),
            faults: Mutex::new(faults),
            rng: Mutex::new(rng),
            stats: Mutex::new(Stats::default()),
            deliveries: Mutex::new(Vec::new()),
            dirty: AtomicBool::new(false),
            changed: tokio::sync::Notify::new(),
            shared,
        }
    }

    /// The state, locked.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub(crate) fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::Release);
        self.changed.notify_one();
    }

    pub(crate) fn take_dirty(&self) -> bool {
        self.dirty.swap(false, Ordering::AcqRel)
    }

    /// GCRA per key and class; true if the request may pass. Through Redis when shared (this
    /// instance alone while Redis cannot answer), else on the limiter clock.
    async fn admit(&self, api_key: &str, class: &'static str) -> bool {
        if !self.config.rate_limits {
            return true;
        }
        let Some(rate) = self.config.limits.get(class).copied().filter(|r| *r > 0.0) else {
            return true;
        };
        let interval = (1000.0 / rate).round() as i64;
        if let Some(shared) = &self.shared {
            if let Some(granted) = shared
                .admit(
                    api_key,
                    class,
                    interval,
                    self.config.rate_limit_tolerance_ms,
                )
                .await
            {
                return granted;
            }
        }
        let now = self.clock.limiter_ms();
        let mut l = lock(&self.limiter);
        let tat = l.entry((api_key.to_owned(), class)).or_insert(i64::MIN);
        if *tat != i64::MIN && now < *tat - self.config.rate_limit_tolerance_ms {
            return false;
        }
        *tat = (*tat).max(now) + interval;
        true
    }

    fn draw(&self) -> f64 {
        (lock(&self.rng).next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The envelope text, with PHP-style escapes if configured.
pub(crate) fn envelope_text(sim: &Sim, reply: &Reply) -> String {
    let kind = reply
        .kind
        .or(reply.code.documented_type())
        .unwrap_or("Success");
    // `meta` first, then `data`, in that order, as every captured body has them (a JSON map
    // would sort `data` first); inside meta: code, type, message.
    let meta = format!(
        r#"{{"code":{},"type":{},"message":{}}}"#,
        reply.code.code(),
        Value::from(kind),
        Value::from(reply.message.as_str())
    );
    let text = format!(r#"{{"meta":{meta},"data":{}}}"#, reply.data);
    if sim.config.php_escapes {
        php_escape(&text)
    } else {
        text
    }
}

/// Escapes `/` as `\/` and non-ASCII as `\uXXXX`, as PHP's `json_encode` does. Both can only
/// occur inside strings in JSON text, so the whole text can be rewritten.
pub fn php_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    for c in json.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// The HTTP status a meta code maps to when mirroring is on.
fn mirrored_status(code: MetaCode) -> StatusCode {
    match code.code() {
        200 => StatusCode::OK,
        201 => StatusCode::CREATED,
        401 | 4001 | 4002 => StatusCode::UNAUTHORIZED,
        402 | 4019 | 4021 => StatusCode::PAYMENT_REQUIRED,
        403 | 4018 => StatusCode::FORBIDDEN,
        404 | 4017 | 4031 => StatusCode::NOT_FOUND,
        405 => StatusCode::METHOD_NOT_ALLOWED,
        409 | 4016 => StatusCode::CONFLICT,
        429 => StatusCode::TOO_MANY_REQUESTS,
        500 => StatusCode::INTERNAL_SERVER_ERROR,
        503 => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn json_response(status: StatusCode, text: String) -> Response {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The response for a reply, counted.
fn respond(sim: &Sim, reply: &Reply) -> Response {
    *lock(&sim.stats)
        .by_code
        .entry(reply.code.code())
        .or_default() += 1;
    let status = if sim.config.mirror_http_status {
        mirrored_status(reply.code)
    } else {
        StatusCode::OK
    };
    let mut r = json_response(status, envelope_text(sim, reply));
    if reply.code == MetaCode::TooManyRequests && sim.config.retry_after_header {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// A fault that answers instead of the handler.
fn fault_response(sim: &Sim, fault: &Fault) -> Response {
    let envelope = |code: MetaCode, msg: &str| envelope_text(sim, &Reply::err(code, msg));
    match fault {
        Fault::Http500 => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            envelope(MetaCode::ServerError, "Server error."),
        ),
        Fault::Http503 => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            envelope(
                MetaCode::ServiceUnavailable,
                "Service temporarily unavailable.",
            ),
        ),
        Fault::Http429 { retry_after } => {
            let mut r = json_response(
                StatusCode::TOO_MANY_REQUESTS,
                envelope(MetaCode::TooManyRequests, "Too many requests."),
            );
            if let Some(s) = retry_after {
                if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            r
        }
        Fault::Meta429 => json_response(
            StatusCode::OK,
            envelope(MetaCode::TooManyRequests, "Too many requests."),
        ),
        Fault::Meta503 => json_response(
            StatusCode::OK,
            envelope(
                MetaCode::ServiceUnavailable,
                "Service temporarily unavailable.",
            ),
        ),
        Fault::Html => {
            let mut r = Response::new(Body::from(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
            ));
            *r.status_mut() = StatusCode::BAD_GATEWAY;
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            r
        }
        _ => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r
        }
    }
}

/// Alters a handled response according to a fault of the "applied" group.
async fn alter(fault: &Fault, status: StatusCode, text: String) -> Response {
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
            let mut cut = text.len() / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            json_response(status, text[..cut].to_owned())
        }
        Fault::Drop => {
            let full = text.len();
            let mut cut = full / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let first = Bytes::from(text[..cut].to_owned());
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
        _ => json_response(status, text),
    }
}

/// Percent-decodes one path segment.
fn decode_segment(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Every `/v2` request.
async fn v2(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    let method = req.method().as_str().to_ascii_uppercase();
    let uri = req.uri().clone();
    let headers: HeaderMap = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let path = uri.path();
    let rest = path.strip_prefix("/v2").unwrap_or("");
    lock(&sim.stats).requests += 1;
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect();

    let fault = lock(&sim.faults).next(rest, || sim.draw());
    if let Some(f) = &fault {
        lock(&sim.stats).faults += 1;
        if f.replaces_handling() {
            return fault_response(&sim, f);
        }
    }

    let reply = route_and_handle(&sim, &method, &uri, &headers, &segments, &body).await;
    let status = if sim.config.mirror_http_status {
        mirrored_status(reply.code)
    } else {
        StatusCode::OK
    };
    match fault {
        Some(f) => {
            *lock(&sim.stats)
                .by_code
                .entry(reply.code.code())
                .or_default() += 1;
            alter(&f, status, envelope_text(&sim, &reply)).await
        }
        None => respond(&sim, &reply),
    }
}

async fn route_and_handle(
    sim: &Sim,
    method: &str,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    segments: &[String],
    body: &[u8],
) -> Reply {
    let Some(route) = (!segments.is_empty())
        .then(|| Route::parse(segments))
        .flatten()
    else {
        return Reply::err(MetaCode::NotFound, "Resource not found.");
    };
    let with_lang = matches!(&route, Route::Single { lang: Some(_), .. });
    if !route.allows(method, with_lang) {
        return Reply::err(MetaCode::MethodNotAllowed, "Method not allowed.");
    }
    *lock(&sim.stats)
        .by_route
        .entry(route.name().to_owned())
        .or_default() += 1;
    let key = match headers
        .get("trackingmore-api-key")
        .map(|v| v.to_str().unwrap_or("").trim())
    {
        None | Some("") => {
            return Reply::err(
                MetaCode::Unauthorized,
                "Authentication failed: the Trackingmore-Api-Key header is missing.",
            );
        }
        Some(k) => k.to_owned(),
    };
    if !sim.config.api_keys.is_empty() && !sim.config.api_keys.contains(&key) {
        return Reply::err(MetaCode::InvalidApiKey, "Invalid API key.");
    }
    if !sim.admit(&key, route.rate_class()).await {
        lock(&sim.stats).rate_limited += 1;
        return Reply::err(
            MetaCode::TooManyRequests,
            "You have exceeded the API call rate limit: wait two minutes, then retry.",
        );
    }
    let parsed = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => Some(v),
            Err(_) => {
                return Reply::err(
                    MetaCode::InvalidRequest,
                    "The request body could not be parsed as JSON.",
                );
            }
        }
    };
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    let d = |s: &str| decode_segment(&s.replace('+', " "));
                    (d(k), d(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let lang = headers.get("lang").and_then(|v| v.to_str().ok());
    let call = Call {
        method,
        query: &query,
        body: parsed,
        lang,
    };
    api::handle(sim, &route, &call, sim.clock.now_ms())
}

#[derive(Deserialize)]
struct ClockChange {
    #[serde(default)]
    advance_secs: Option<f64>,
    #[serde(default)]
    set_unix: Option<i64>,
}

fn clock_json(sim: &Sim) -> Value {
    let now = sim.clock.now_ms();
    json!({"now_ms": now, "now": crate::store::iso(now, 0), "mode": sim.clock.mode()})
}

async fn admin_index() -> Json<Value> {
    Json(json!({
        "routes": {
            "GET /_sim/clock": "simulated time and clock mode",
            "POST /_sim/clock": "{\"advance_secs\": f} moves time forward; {\"set_unix\": s} sets it",
            "POST /_sim/reset": "forgets every tracking and counter",
            "GET /_sim/faults": "the fault plan",
            "PUT /_sim/faults": "replaces the fault plan ({\"script\": [...], \"probability\": p, \"random\": [...]})",
            "DELETE /_sim/faults": "clears the fault plan",
            "GET /_sim/stats": "request counts by route and meta code, rate-limited and faulted requests",
            "GET /_sim/webhooks": "webhook deliveries and their outcomes",
            "POST /_sim/save": "writes the state file now",
        }
    }))
}

async fn clock_get(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(clock_json(&sim))
}

async fn clock_post(State(sim): State<Arc<Sim>>, Json(change): Json<ClockChange>) -> Response {
    if let Some(s) = change.set_unix {
        sim.clock.set_ms(s.saturating_mul(1000));
    }
    if let Some(a) = change.advance_secs {
        if !a.is_finite() || a < 0.0 {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "advance_secs must be a non-negative number"})),
            )
                .into_response();
        }
        sim.clock.advance_ms((a * 1000.0) as i64);
    }
    sim.mark_dirty();
    Json(clock_json(&sim)).into_response()
}

async fn reset(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let registered = sim.clock.now_secs();
    *sim.store() = Store {
        registered_secs: registered,
        ..Store::default()
    };
    *lock(&sim.stats) = Stats::default();
    lock(&sim.limiter).clear();
    lock(&sim.deliveries).clear();
    sim.mark_dirty();
    Json(json!({"reset": true}))
}

async fn faults_get(State(sim): State<Arc<Sim>>) -> Json<FaultPlan> {
    Json(lock(&sim.faults).clone())
}

async fn faults_put(State(sim): State<Arc<Sim>>, Json(plan): Json<FaultPlan>) -> Json<FaultPlan> {
    *lock(&sim.faults) = plan.clone();
    Json(plan)
}

async fn faults_delete(State(sim): State<Arc<Sim>>) -> Json<FaultPlan> {
    *lock(&sim.faults) = FaultPlan::default();
    Json(FaultPlan::default())
}

async fn stats(State(sim): State<Arc<Sim>>) -> Json<Stats> {
    Json(lock(&sim.stats).clone())
}

async fn webhooks(State(sim): State<Arc<Sim>>) -> Json<Vec<Delivery>> {
    Json(lock(&sim.deliveries).clone())
}

async fn save(State(sim): State<Arc<Sim>>) -> Response {
    match crate::persist::save(&sim) {
        Ok(Some(path)) => Json(json!({"saved": path})).into_response(),
        Ok(None) => (
            StatusCode::CONFLICT,
            Json(json!({"error": "no state file configured"})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn not_found_v2(State(sim): State<Arc<Sim>>) -> Response {
    respond(&sim, &Reply::err(MetaCode::NotFound, "Resource not found."))
}

/// The router: `/v2/...` and `/_sim/...`.
pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/_sim", get(admin_index))
        .route("/_sim/", get(admin_index))
        .route("/_sim/clock", get(clock_get).post(clock_post))
        .route("/_sim/reset", post(reset))
        .route(
            "/_sim/faults",
            get(faults_get)
                .put(faults_put)
                .post(faults_put)
                .delete(faults_delete),
        )
        .route("/_sim/stats", get(stats))
        .route("/_sim/webhooks", get(webhooks))
        .route("/_sim/save", post(save))
        .route("/v2", axum::routing::any(v2))
        .route("/v2/{*rest}", axum::routing::any(v2))
        .fallback(not_found_v2)
        .with_state(sim)
}

//! The `/_sim` admin routes: the configuration, the clock, resets, the fault plan, counters,
//! webhook deliveries and saving.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::FaultPlan;
use crate::state::{Sim, Stats, lock};
use crate::webhook::Delivery;

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

async fn index() -> Json<Value> {
    Json(json!({
        "routes": {
            "GET /_sim/config": "the configuration in force (keys, e-mail and Redis password hidden)",
            "GET /_sim/clock": "simulated time and clock mode",
            "POST /_sim/clock": "{\"advance_secs\": f} moves time forward; {\"set_unix\": s} sets it",
            "POST /_sim/reset": "forgets every tracking, counter, rate-limit window and suspension",
            "GET /_sim/faults": "the fault plan",
            "PUT /_sim/faults": "replaces the fault plan ({\"script\": [...], \"probability\": p, \"random\": [...]})",
            "DELETE /_sim/faults": "clears the fault plan",
            "GET /_sim/stats": "request counts by route and meta code, rate-limited and faulted requests",
            "GET /_sim/webhooks": "webhook deliveries and their outcomes",
            "POST /_sim/save": "where the state database is (every change is committed when it is answered), or why it could not be kept",
            "GET /_sim/openapi/{v2,v4}.{json,yaml}": "the OpenAPI 3.1 description of a generation, servers pointing here",
        }
    }))
}

/// The configuration as it is serialised, secrets replaced: keys by their count, the signing
/// e-mail and a Redis password by `***`.
async fn config(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let mut v = serde_json::to_value(&sim.config).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for keys in ["api_keys", "revoked_keys"] {
            let n = o.get(keys).and_then(Value::as_array).map_or(0, Vec::len);
            o.insert(keys.to_owned(), json!({"count": n}));
        }
        if o.get("account_email")
            .and_then(Value::as_str)
            .is_some_and(|e| !e.is_empty())
        {
            o.insert("account_email".to_owned(), json!("***"));
        }
        if let Some(url) = o.get("redis_url").and_then(Value::as_str) {
            let masked = mask_password(url);
            o.insert("redis_url".to_owned(), json!(masked));
        }
    }
    Json(v)
}

/// `scheme://user:***@host…`: the URL without its password.
fn mask_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "***".to_owned(),
    }
}

async fn clock_get(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(clock_json(&sim))
}

async fn clock_post(State(sim): State<Arc<Sim>>, Json(change): Json<ClockChange>) -> Response {
    if change
        .advance_secs
        .is_some_and(|a| !a.is_finite() || a < 0.0)
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "advance_secs must be a non-negative number"})),
        )
            .into_response();
    }
    let moved = sim.move_clock(|clock| {
        if let Some(s) = change.set_unix {
            clock.set_ms(s.saturating_mul(1000));
        }
        if let Some(a) = change.advance_secs {
            clock.advance_ms((a * 1000.0) as i64);
        }
    });
    match moved {
        Ok(()) => Json(clock_json(&sim)).into_response(),
        Err(e) => state_error(&e),
    }
}

/// A failure to keep the state, as an admin route answers it.
fn state_error(e: &crate::SimError) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": e.to_string()})),
    )
        .into_response()
}

async fn reset(State(sim): State<Arc<Sim>>) -> Response {
    let registered = sim.clock.now_secs();
    let done = sim.store().and_then(|mut st| {
        st.reset(registered);
        st.commit()
    });
    if let Err(e) = done {
        return state_error(&e);
    }
    *lock(&sim.stats) = Stats::default();
    sim.clear_limits();
    lock(&sim.deliveries).clear();
    Json(json!({"reset": true})).into_response()
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

/// Every change is committed when it is answered: this says where the state is, or why it
/// could not be kept.
async fn save(State(sim): State<Arc<Sim>>) -> Response {
    match (sim.state_failure(), &sim.config.state_file) {
        (Some(e), _) => state_error(&e),
        (None, Some(path)) => Json(json!({"saved": path})).into_response(),
        (None, None) => (
            StatusCode::CONFLICT,
            Json(json!({"error": "no state database configured"})),
        )
            .into_response(),
    }
}

/// `GET /_sim/openapi/{file}`: a generation's description, its server this simulator as the
/// client reached it (the `Host` header).
async fn openapi(
    State(sim): State<Arc<Sim>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(doc) = crate::openapi::Document::named(&file) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no document {file:?}; try v2.json, v2.yaml, v4.json or v4.yaml")})),
        )
            .into_response();
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| sim.config.bind.to_string(), str::to_owned);
    let (content_type, text) = doc.render(&format!("http://{host}"));
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// The admin routes.
pub(crate) fn routes(sim: Arc<Sim>) -> Router<Arc<Sim>> {
    Router::new()
        .route("/_sim", get(index))
        .route("/_sim/", get(index))
        .route("/_sim/config", get(config))
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
        .route("/_sim/openapi/{file}", get(openapi))
        .layer(axum::middleware::from_fn_with_state(sim, same_site_only))
}

/// What a browser form on another site could send: the admin routes refuse it, so a page the
/// user visits cannot reset or reconfigure a simulator (or the sandbox's account in its
/// database). Refused: a request whose `Sec-Fetch-Site` says another site, whose `Origin` is
/// not the host it names, or whose body has a form's content type; and, on loopback, a request
/// naming a host that is not loopback (DNS rebinding).
async fn same_site_only(
    State(sim): State<Arc<Sim>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match cross_site(&sim, &req) {
        Some(why) => (
            StatusCode::FORBIDDEN,
            Json(json!({"error": format!("refused: {why}")})),
        )
            .into_response(),
        None => next.run(req).await,
    }
}

/// Why `req` could come from another site's page, if it could.
fn cross_site(sim: &Sim, req: &axum::extract::Request) -> Option<String> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let host = header("host").unwrap_or("");
    if sim.config.bind.ip().is_loopback() && !is_loopback_host(host) {
        return Some(format!(
            "the admin routes answer requests naming a loopback host, not {host:?}"
        ));
    }
    if req.method() == axum::http::Method::GET {
        return None;
    }
    if let Some(site) =
        header("sec-fetch-site").filter(|s| matches!(*s, "cross-site" | "same-site"))
    {
        return Some(format!("a request from another site ({site})"));
    }
    if let Some(origin) = header("origin") {
        let same = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
        if !same {
            return Some(format!("a request from another origin ({origin})"));
        }
    }
    let form = header("content-type").is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "text/plain",
        ]
        .iter()
        .any(|f| ct.starts_with(f))
    });
    form.then(|| {
        "a form's content type: send JSON (`content-type: application/json`), or no body".into()
    })
}

/// True for `localhost`, `127.x.x.x` and `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

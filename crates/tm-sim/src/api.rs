//! The 18 v2 endpoints: request forms, validation, state changes and response shapes.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};
use tm_types::{
    ChangeCarrierRequest, CreateTrackingRequest, ListTrackingsRequest, MetaCode, RealtimeRequest,
    StatusCountRequest, StatusInput, TrackingRef, TrackingStatus, UpdateMoreItem,
    UpdateTrackingRequest,
};

use crate::config::OverLimitStyle;
use crate::journey::{self, Rng};
use crate::server::Sim;
use crate::store::{self, RenderCtx, Shape, StoredTracking, key};

/// What a handler answers: a meta code, a message, and `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// `meta.code`.
    pub code: MetaCode,
    /// `meta.type`, when it differs from the documented one.
    pub kind: Option<&'static str>,
    /// `meta.message`.
    pub message: String,
    /// `data`.
    pub data: Value,
}

impl Reply {
    /// `200 Success`.
    pub fn ok(data: Value) -> Reply {
        Reply {
            code: MetaCode::Success,
            kind: None,
            message: "Success".into(),
            data,
        }
    }

    /// An error with `data: []`, as v2 sends every error.
    pub fn err(code: MetaCode, message: impl Into<String>) -> Reply {
        Reply {
            code,
            kind: None,
            message: message.into(),
            data: Value::Array(Vec::new()),
        }
    }
}

/// Which endpoint a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /carriers`
    Carriers,
    /// `POST /carriers/detect`
    Detect,
    /// `POST /trackings/post`
    Create,
    /// `POST /trackings/batch`
    BatchCreate,
    /// `GET|POST /trackings/get`
    List,
    /// `POST /trackings/updatemore`
    UpdateMore,
    /// `POST /trackings/delete`
    BatchDelete,
    /// `POST /trackings/realtime`
    Realtime,
    /// `POST /trackings/update`
    ChangeCarrier,
    /// `GET /trackings/getuserinfo`
    UserInfo,
    /// `GET|POST /trackings/getstatusnumber`
    StatusNumber,
    /// `POST /trackings/notupdate`
    NotUpdate,
    /// `POST /trackings/remote`
    Remote,
    /// `POST /trackings/costtime`
    CostTime,
    /// `POST /trackings/aircargo`
    AirCargo,
    /// `GET|PUT|DELETE /trackings/{carrier}/{number}[/{lang}]`
    Single {
        /// Carrier code (decoded).
        carrier: String,
        /// Tracking number (decoded).
        number: String,
        /// Language segment (GET only).
        lang: Option<String>,
    },
}

impl Route {
    /// The route of a path under `/v2` (already split, segments percent-decoded), or `None`.
    pub fn parse(segments: &[String]) -> Option<Route> {
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        Some(match s.as_slice() {
            ["carriers"] => Route::Carriers,
            ["carriers", "detect"] => Route::Detect,
            ["trackings", "post"] => Route::Create,
            ["trackings", "batch"] => Route::BatchCreate,
            ["trackings", "get"] => Route::List,
            ["trackings", "updatemore"] => Route::UpdateMore,
            ["trackings", "delete"] => Route::BatchDelete,
            ["trackings", "realtime"] => Route::Realtime,
            ["trackings", "update"] => Route::ChangeCarrier,
            ["trackings", "getuserinfo"] => Route::UserInfo,
            ["trackings", "getstatusnumber"] => Route::StatusNumber,
            ["trackings", "notupdate"] => Route::NotUpdate,
            ["trackings", "remote"] => Route::Remote,
            ["trackings", "costtime"] => Route::CostTime,
            ["trackings", "aircargo"] => Route::AirCargo,
            ["trackings", c, n] => Route::Single {
                carrier: (*c).into(),
                number: (*n).into(),
                lang: None,
            },
            ["trackings", c, n, l] => Route::Single {
                carrier: (*c).into(),
                number: (*n).into(),
                lang: Some((*l).into()),
            },
            _ => return None,
        })
    }

    /// The methods the route accepts.
    pub fn allows(&self, method: &str, with_lang: bool) -> bool {
        match self {
            Route::Carriers | Route::UserInfo => method == "GET",
            Route::List | Route::StatusNumber => matches!(method, "GET" | "POST"),
            Route::Single { .. } if with_lang => method == "GET",
            Route::Single { .. } => matches!(method, "GET" | "PUT" | "DELETE"),
            _ => method == "POST",
        }
    }

    /// The rate-limit class.
    pub fn rate_class(&self) -> &'static str {
        match self {
            Route::Realtime => "realtime",
            Route::List => "list",
            _ => "default",
        }
    }

    /// A stable name for statistics.
    pub fn name(&self) -> &'static str {
        match self {
            Route::Carriers => "carriers",
            Route::Detect => "carriers/detect",
            Route::Create => "trackings/post",
            Route::BatchCreate => "trackings/batch",
            Route::List => "trackings/get",
            Route::UpdateMore => "trackings/updatemore",
            Route::BatchDelete => "trackings/delete",
            Route::Realtime => "trackings/realtime",
            Route::ChangeCarrier => "trackings/update",
            Route::UserInfo => "trackings/getuserinfo",
            Route::StatusNumber => "trackings/getstatusnumber",
            Route::NotUpdate => "trackings/notupdate",
            Route::Remote => "trackings/remote",
            Route::CostTime => "trackings/costtime",
            Route::AirCargo => "trackings/aircargo",
            Route::Single { .. } => "trackings/{carrier}/{number}",
        }
    }
}

/// One request, as the handlers see it.
pub struct Call<'a> {
    /// Upper-case method.
    pub method: &'a str,
    /// Query pairs.
    pub query: &'a [(String, String)],
    /// The body parsed as JSON (`None` when empty).
    pub body: Option<Value>,
    /// The `Lang` header.
    pub lang: Option<&'a str>,
}

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9A-Za-z_-]{5,60}$").unwrap_or_else(|e| unreachable!("{e}")));
static AWB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{3})[ -]?[0-9]{7,8}$").unwrap_or_else(|e| unreachable!("{e}"))
});

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Reply> {
    serde_json::from_value(v)
        .map_err(|e| Reply::err(MetaCode::InvalidRequest, format!("Invalid parameters: {e}")))
}

fn body_object(call: &Call<'_>) -> Result<Value, Reply> {
    match &call.body {
        Some(v @ Value::Object(_)) => Ok(v.clone()),
        _ => Err(Reply::err(
            MetaCode::InvalidRequest,
            "The request body must be a JSON object.",
        )),
    }
}

fn body_array(sim: &Sim, call: &Call<'_>) -> Result<Vec<Value>, Reply> {
    let items = match &call.body {
        Some(Value::Array(a)) => a.clone(),
        _ => {
            return Err(Reply::err(
                MetaCode::InvalidRequest,
                "The request body must be a JSON array.",
            ));
        }
    };
    let max = sim.config.batch_max;
    if items.len() > max {
        return Err(match sim.config.over_limit {
            OverLimitStyle::Meta202 => Reply {
                code: MetaCode::OverLimit,
                kind: Some("Bad Request"),
                message: format!("The largest number of {max} each operation."),
                data: json!([]),
            },
            OverLimitStyle::Meta4020 => {
                Reply::err(MetaCode::TooManyItems, format!("Up to {max} at a time."))
            }
        });
    }
    Ok(items)
}

/// Checks a number and carrier the way create and realtime do.
fn check_target(sim: &Sim, carrier: &str, number: &str) -> Result<(), Reply> {
    if number.trim().is_empty() {
        return Err(Reply::err(
            MetaCode::TrackingNumberRequired,
            "Tracking number cannot be empty.",
        ));
    }
    if !NUMBER.is_match(number.trim()) {
        return Err(Reply::err(
            MetaCode::TrackingNumberInvalid,
            "The value of `tracking_number` is invalid.",
        ));
    }
    if carrier.trim().is_empty() || sim.catalogue.get(carrier.trim()).is_none() {
        return Err(Reply::err(
            MetaCode::CarrierCodeInvalid,
            "The value of `carrier_code` is invalid.",
        ));
    }
    Ok(())
}

fn not_found() -> Reply {
    Reply::err(MetaCode::TrackingNotFound, "Tracking does not exist.")
}

/// Handles one routed call at simulated time `now_ms`.
pub fn handle(sim: &Sim, route: &Route, call: &Call<'_>, now_ms: i64) -> Reply {
    let result = match route {
        Route::Carriers => Ok(Reply::ok(Value::Array(sim.catalogue.listing(call.lang)))),
        Route::Detect => detect(sim, call),
        Route::Create => body_object(call).and_then(|b| create(sim, b, now_ms).map(Reply::ok)),
        Route::BatchCreate => batch_create(sim, call, now_ms),
        Route::List => list(sim, call, now_ms),
        Route::UpdateMore => update_more(sim, call, now_ms),
        Route::BatchDelete => batch_delete(sim, call),
        Route::Realtime => realtime(sim, call, now_ms),
        Route::ChangeCarrier => change_carrier(sim, call, now_ms),
        Route::UserInfo => {
            let st = sim.store();
            Ok(Reply::ok(store::user_info(
                &st,
                &sim.config.account_email,
                sim.config.quota,
            )))
        }
        Route::StatusNumber => status_number(sim, call, now_ms),
        Route::NotUpdate => not_update(sim, call, now_ms),
        Route::Remote => remote(sim, call),
        Route::CostTime => cost_time(sim, call),
        Route::AirCargo => air_cargo(sim, call, now_ms),
        Route::Single {
            carrier,
            number,
            lang,
        } => match call.method {
            "GET" => get_one(sim, carrier, number, lang.as_deref(), now_ms),
            "PUT" => update_one(sim, carrier, number, call, now_ms),
            _ => delete_one(sim, carrier, number),
        },
    };
    result.unwrap_or_else(|r| r)
}

fn detect(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    let body = body_object(call)?;
    let number = body
        .get("tracking_number")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if number.is_empty() {
        return Err(Reply::err(
            MetaCode::TrackingNumberRequired,
            "Tracking number cannot be empty.",
        ));
    }
    // Every 5 calls deduct 1 tracking quota.
    sim.store().quota_used_fifths += 1;
    sim.mark_dirty();
    let found = sim.catalogue.detect(&number);
    if found.is_empty() {
        return Err(Reply::err(MetaCode::CannotDetect, "Cannot detect courier."));
    }
    Ok(Reply::ok(Value::Array(found)))
}

/// Creates one tracking; the short record, or the error reply.
fn create(sim: &Sim, body: Value, now_ms: i64) -> Result<Value, Reply> {
    let req: CreateTrackingRequest = parse(body)?;
    check_target(sim, &req.carrier_code, &req.tracking_number)?;
    let carrier = req.carrier_code.trim().to_ascii_lowercase();
    let number = req.tracking_number.trim().to_owned();
    let k = key(&carrier, &number);
    let mut st = sim.store();
    if st.trackings.contains_key(&k) {
        return Err(Reply::err(
            MetaCode::TrackingExists,
            "Tracking already exists.",
        ));
    }
    if st.quota_left(sim.config.quota) < 1 {
        return Err(Reply::err(
            MetaCode::QuotaExhausted,
            "Your tracking quota is used up; please purchase more.",
        ));
    }
    let mut fields: BTreeMap<String, Value> = match serde_json::to_value(&req) {
        Ok(Value::Object(m)) => m.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    fields.remove("tracking_number");
    fields.remove("carrier_code");
    let created_ms = *st.first_created.entry(k.clone()).or_insert(now_ms);
    let seq = st.next_seq;
    st.next_seq += 1;
    st.quota_used_fifths += 5;
    let stored = StoredTracking {
        seq,
        id: journey::tracking_id(sim.config.seed, &carrier, &number),
        tracking_number: number.clone(),
        carrier_code: carrier.clone(),
        created_ms,
        modified_ms: None,
        fields,
        archived: false,
        frozen_ms: None,
        status_override: None,
        notified_status: Some("pending".into()),
    };
    let rendered = render_stored(sim, &mut st, &stored, Shape::Created, now_ms);
    st.trackings.insert(k, stored);
    drop(st);
    sim.mark_dirty();
    Ok(rendered)
}

/// Renders a stored tracking in `shape` at `now_ms`.
pub fn render_stored(
    sim: &Sim,
    st: &mut store::Store,
    t: &StoredTracking,
    shape: Shape,
    now_ms: i64,
) -> Value {
    let v = store::stored_view(&mut st.plans, sim.config.seed, &sim.catalogue, t, now_ms);
    let ctx = RenderCtx {
        catalogue: &sim.catalogue,
        account_offset_h: sim.config.account_utc_offset_h,
        now_ms,
    };
    let tracking = store::render(
        &ctx,
        shape,
        &t.id,
        &t.carrier_code,
        &t.tracking_number,
        Some(t),
        &v,
    );
    serde_json::to_value(tracking).unwrap_or(Value::Null)
}

fn batch_create(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let items = body_array(sim, call)?;
    let submitted = items.len();
    let (mut trackings, mut errors) = (Vec::new(), Vec::new());
    for item in items {
        let number = item.get("tracking_number").cloned().unwrap_or(Value::Null);
        let carrier = item.get("carrier_code").cloned().unwrap_or(Value::Null);
        match create(sim, item, now_ms) {
            Ok(t) => trackings.push(t),
            Err(r) => errors.push(json!({
                "tracking_number": number, "carrier_code": carrier, "code": r.code.code(), "message": r.message,
            })),
        }
    }
    Ok(Reply {
        code: MetaCode::Created,
        kind: Some("Created"),
        message: "The request was successful and a resource was created.".into(),
        data: json!({"submitted": submitted, "added": trackings.len(), "trackings": trackings, "errors": errors}),
    })
}

fn get_one(
    sim: &Sim,
    carrier: &str,
    number: &str,
    _lang: Option<&str>,
    now_ms: i64,
) -> Result<Reply, Reply> {
    let mut st = sim.store();
    let Some(t) = st.trackings.get(&key(carrier, number)).cloned() else {
        return Err(Reply::err(
            MetaCode::NotCreated,
            "Tracking not created yet: create it with POST first.",
        ));
    };
    Ok(Reply::ok(render_stored(
        sim,
        &mut st,
        &t,
        Shape::Full,
        now_ms,
    )))
}

/// Applies update fields to a stored tracking.
fn apply_update(
    t: &mut StoredTracking,
    changes: &UpdateTrackingRequest,
    now_ms: i64,
) -> Result<(), Reply> {
    if let Some(status) = &changes.status {
        t.status_override = match status {
            StatusInput::MarkDelivered => Some(TrackingStatus::Delivered.as_str().into()),
            StatusInput::MarkException => Some(TrackingStatus::Exception.as_str().into()),
            StatusInput::Revert => None,
            other => {
                return Err(Reply::err(
                    MetaCode::InvalidRequest,
                    format!("The value of `status` ({other}) must be 4, 7 or 8."),
                ));
            }
        };
    }
    if let Some(a) = changes.archived {
        t.archived = a;
    }
    let mut plain = changes.clone();
    plain.status = None;
    plain.archived = None;
    if let Ok(Value::Object(m)) = serde_json::to_value(&plain) {
        t.fields.extend(m);
    }
    t.modified_ms = Some(now_ms);
    Ok(())
}

fn update_one(
    sim: &Sim,
    carrier: &str,
    number: &str,
    call: &Call<'_>,
    now_ms: i64,
) -> Result<Reply, Reply> {
    let changes: UpdateTrackingRequest = parse(body_object(call)?)?;
    let mut st = sim.store();
    let k = key(carrier, number);
    let Some(mut t) = st.trackings.get(&k).cloned() else {
        return Err(not_found());
    };
    apply_update(&mut t, &changes, now_ms)?;
    let out = render_stored(sim, &mut st, &t, Shape::Updated, now_ms);
    st.trackings.insert(k, t);
    drop(st);
    sim.mark_dirty();
    Ok(Reply::ok(out))
}

fn delete_one(sim: &Sim, carrier: &str, number: &str) -> Result<Reply, Reply> {
    let removed = sim.store().trackings.remove(&key(carrier, number));
    match removed {
        Some(_) => {
            sim.mark_dirty();
            Ok(Reply::ok(json!([])))
        }
        None => Err(not_found()),
    }
}

fn list_request(call: &Call<'_>) -> Result<ListTrackingsRequest, Reply> {
    match &call.body {
        Some(b @ Value::Object(_)) if call.method == "POST" => parse(b.clone()),
        _ => ListTrackingsRequest::from_query(
            call.query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|e| Reply::err(MetaCode::InvalidRequest, e.to_string())),
    }
}

/// `order_create_time` as Unix seconds, if it reads as one.
fn order_secs(t: &StoredTracking) -> Option<i64> {
    match t.fields.get("order_create_time")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| tm_types::time::parse_naive(s).map(|d| d.and_utc().timestamp())),
        _ => None,
    }
}

fn in_window(v: Option<i64>, min: Option<i64>, max: Option<i64>) -> bool {
    match v {
        Some(v) => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
        None => min.is_none() && max.is_none(),
    }
}

fn list(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let req = list_request(call)?;
    if let Some(s) = &req.status {
        if !s.is_known() {
            return Err(Reply::err(
                MetaCode::InvalidStatus,
                "The value of `status` is invalid.",
            ));
        }
    }
    if req.numbers.len() > tm_types::MAX_FILTER_VALUES
        || req.orders.len() > tm_types::MAX_FILTER_VALUES
    {
        return Err(Reply::err(
            MetaCode::InvalidRequest,
            "`numbers` and `orders` take up to 40 values each.",
        ));
    }
    let page = req.page.unwrap_or(1).max(1) as usize;
    let limit = req.limit.unwrap_or(100).clamp(1, tm_types::MAX_PAGE_LIMIT) as usize;
    let numbers: Vec<String> = req
        .numbers
        .iter()
        .map(|n| n.trim().to_ascii_uppercase())
        .collect();
    let needs_view =
        req.status.is_some() || req.update_time_min.is_some() || req.update_time_max.is_some();
    let mut guard = sim.store();
    let st = &mut *guard;
    let mut matching: Vec<&StoredTracking> = Vec::new();
    for t in st.trackings.values() {
        let keep = (numbers.is_empty()
            || numbers.contains(&t.tracking_number.to_ascii_uppercase()))
            && (req.orders.is_empty()
                || t.fields
                    .get("order_id")
                    .and_then(Value::as_str)
                    .is_some_and(|o| req.orders.iter().any(|w| w == o)))
            && req.archived.is_none_or(|a| t.archived == a)
            && in_window(
                Some(t.created_ms / 1000),
                req.created_at_min,
                req.created_at_max,
            )
            && in_window(
                order_secs(t),
                req.order_created_time_min,
                req.order_created_time_max,
            )
            && (!needs_view || {
                let (status, updated_ms) =
                    store::status_of(&mut st.plans, sim.config.seed, &sim.catalogue, t, now_ms);
                req.status.as_ref().is_none_or(|s| &status == s)
                    && in_window(
                        Some(updated_ms / 1000),
                        req.update_time_min,
                        req.update_time_max,
                    )
            });
        if keep {
            matching.push(t);
        }
    }
    matching.sort_by_key(|t| t.seq);
    let total = matching.len();
    let page_items: Vec<StoredTracking> = matching
        .into_iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .cloned()
        .collect();
    let items: Vec<Value> = page_items
        .iter()
        .map(|t| render_stored(sim, st, t, Shape::Full, now_ms))
        .collect();
    Ok(Reply::ok(json!({
        "page": page, "limit": limit, "total": total.to_string(), "count": items.len(), "items": items,
    })))
}

fn update_more(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let items = body_array(sim, call)?;
    let submitted = items.len();
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    for raw in items {
        let item: UpdateMoreItem = match parse(raw.clone()) {
            Ok(i) => i,
            Err(r) => {
                errors.push(json!({"tracking_number": raw.get("tracking_number"), "carrier_code": raw.get("carrier_code"),
                                   "code": r.code.code(), "message": r.message}));
                continue;
            }
        };
        let k = key(&item.carrier_code, &item.tracking_number);
        let mut st = sim.store();
        let result = match st.trackings.get_mut(&k) {
            None => Err(not_found()),
            Some(t) => apply_update(t, &item.changes, now_ms),
        };
        drop(st);
        match result {
            Ok(()) => done.push(
                json!({"tracking_number": item.tracking_number, "carrier_code": item.carrier_code}),
            ),
            Err(r) => errors.push(
                json!({"tracking_number": item.tracking_number, "carrier_code": item.carrier_code,
                                        "code": r.code.code(), "message": r.message}),
            ),
        }
    }
    sim.mark_dirty();
    Ok(Reply::ok(
        json!({"submitted": submitted, "update": done.len(), "trackings": done, "errors": errors}),
    ))
}

fn refs(sim: &Sim, call: &Call<'_>) -> Result<Vec<Result<TrackingRef, Value>>, Reply> {
    Ok(body_array(sim, call)?
        .into_iter()
        .map(|raw| {
            serde_json::from_value::<TrackingRef>(raw.clone()).map_err(|e| {
                json!({"tracking_number": raw.get("tracking_number"), "carrier_code": raw.get("carrier_code"),
                       "code": MetaCode::InvalidRequest.code(), "message": format!("Invalid parameters: {e}")})
            })
        })
        .collect())
}

/// Applies `act` to each tracking a batch body names. `act` answers the item's entry in
/// `trackings`, or `None` when the tracking does not exist (a 4017 entry in `errors`); the
/// count of applied items goes under `count_key` (`delete`, `change`).
fn per_tracking(
    sim: &Sim,
    call: &Call<'_>,
    count_key: &str,
    mut act: impl FnMut(&mut store::Store, &TrackingRef) -> Option<Value>,
) -> Result<Reply, Reply> {
    let items = refs(sim, call)?;
    let submitted = items.len();
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    for item in items {
        match item {
            Err(e) => errors.push(e),
            Ok(r) => match act(&mut sim.store(), &r) {
                Some(entry) => done.push(entry),
                None => errors.push(
                    json!({"tracking_number": r.tracking_number, "carrier_code": r.carrier_code,
                                           "code": 4017, "message": "Tracking does not exist."}),
                ),
            },
        }
    }
    sim.mark_dirty();
    let mut data = Map::new();
    data.insert("submitted".into(), json!(submitted));
    data.insert(count_key.into(), json!(done.len()));
    data.insert("trackings".into(), Value::Array(done));
    data.insert("errors".into(), Value::Array(errors));
    Ok(Reply::ok(Value::Object(data)))
}

fn batch_delete(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    per_tracking(sim, call, "delete", |st, r| {
        st.trackings.remove(&key(&r.carrier_code, &r.tracking_number)).map(|_| {
            json!({"meta": {"tracking_number": r.tracking_number, "carrier_code": r.carrier_code,
                            "code": 200, "type": "Success", "message": "Success"}})
        })
    })
}

fn not_update(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    per_tracking(sim, call, "change", |st, r| {
        st.trackings
            .get_mut(&key(&r.carrier_code, &r.tracking_number))
            .map(|t| {
                t.frozen_ms.get_or_insert(now_ms);
                json!({"tracking_number": r.tracking_number, "carrier_code": r.carrier_code})
            })
    })
}

fn realtime(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let req: RealtimeRequest = parse(body_object(call)?)?;
    check_target(sim, &req.carrier_code, &req.tracking_number)?;
    let carrier = req.carrier_code.trim().to_ascii_lowercase();
    let number = req.tracking_number.trim();
    let mut st = sim.store();
    if st.quota_left(sim.config.quota) < 1 {
        return Err(Reply::err(
            MetaCode::QuotaExhausted,
            "Your tracking quota is used up; please purchase more.",
        ));
    }
    st.quota_used_fifths += 5;
    let stored = st.trackings.get(&key(&carrier, number)).cloned();
    let item = match stored {
        Some(t) => render_stored(sim, &mut st, &t, Shape::Realtime, now_ms),
        None => {
            // Not tracked: the carrier's answer for a parcel shipped some days ago.
            let mut rng = Rng::from_parts(&[
                &sim.config.seed.to_le_bytes(),
                b"realtime",
                number.as_bytes(),
            ]);
            let base = now_ms - rng.between(0, 20) * 86_400_000 - rng.between(0, 86_400_000);
            let dest = req.destination_code.as_deref();
            let plan = st.plan(sim.config.seed, &sim.catalogue, &carrier, number, dest);
            let postal = sim.catalogue.get(&carrier).is_some_and(|c| c.postal);
            let v = store::view(plan, base, None, None, None, postal, now_ms);
            let ctx = RenderCtx {
                catalogue: &sim.catalogue,
                account_offset_h: sim.config.account_utc_offset_h,
                now_ms,
            };
            let id = journey::tracking_id(sim.config.seed, &carrier, number);
            serde_json::to_value(store::render(
                &ctx,
                Shape::Realtime,
                &id,
                &carrier,
                number,
                None,
                &v,
            ))
            .unwrap_or(Value::Null)
        }
    };
    drop(st);
    sim.mark_dirty();
    Ok(Reply::ok(json!({"items": [item]})))
}

fn change_carrier(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let req: ChangeCarrierRequest = parse(body_object(call)?)?;
    if req.tracking_number.trim().is_empty() {
        return Err(Reply::err(
            MetaCode::TrackingNumberRequired,
            "Tracking number cannot be empty.",
        ));
    }
    let to = req.update_carrier_code.trim().to_ascii_lowercase();
    if to.is_empty() || sim.catalogue.get(&to).is_none() {
        return Err(Reply::err(
            MetaCode::CarrierCodeInvalid,
            "The value of `update_carrier_code` is invalid.",
        ));
    }
    let mut st = sim.store();
    let old = key(&req.carrier_code, &req.tracking_number);
    let new = key(&to, &req.tracking_number);
    if !st.trackings.contains_key(&old) {
        return Err(not_found());
    }
    if old != new && st.trackings.contains_key(&new) {
        return Err(Reply::err(
            MetaCode::TrackingExists,
            "Tracking already exists.",
        ));
    }
    if let Some(mut t) = st.trackings.remove(&old) {
        t.carrier_code = to;
        t.modified_ms = Some(now_ms);
        st.forget_plan(&old);
        st.trackings.insert(new, t);
    }
    drop(st);
    sim.mark_dirty();
    Ok(Reply::ok(json!({"Usertag": ""})))
}

fn status_number(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let req: StatusCountRequest = match &call.body {
        Some(b @ Value::Object(_)) if call.method == "POST" => parse(b.clone())?,
        _ => {
            StatusCountRequest::from_query(call.query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .map_err(|e| Reply::err(MetaCode::InvalidRequest, e.to_string()))?
        }
    };
    let mut counts: Map<String, Value> = TrackingStatus::KNOWN
        .iter()
        .map(|s| (s.as_str().to_owned(), json!(0)))
        .collect();
    let mut guard = sim.store();
    let st = &mut *guard;
    for t in st.trackings.values() {
        if !(in_window(
            Some(t.created_ms / 1000),
            req.created_at_min,
            req.created_at_max,
        ) && in_window(
            order_secs(t),
            req.order_created_time_min,
            req.order_created_time_max,
        )) {
            continue;
        }
        let (status, _) =
            store::status_of(&mut st.plans, sim.config.seed, &sim.catalogue, t, now_ms);
        if let Some(n) = counts.get_mut(status.as_str()) {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
    }
    Ok(Reply::ok(Value::Object(counts)))
}

fn remote(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    let items = body_array(sim, call)?;
    sim.store().quota_used_fifths += 1;
    sim.mark_dirty();
    let (mut remote, mut other) = (Vec::new(), Vec::new());
    for item in &items {
        let country = item
            .get("country")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        let postcode = item
            .get("postcode")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if country.is_empty() || postcode.is_empty() {
            return Err(Reply::err(
                MetaCode::InvalidRequest,
                "`country` and `postcode` are required.",
            ));
        }
        let c = journey::country(country).or_else(|| {
            journey::COUNTRIES
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(country))
        });
        let mut rng = Rng::from_parts(&[
            &sim.config.seed.to_le_bytes(),
            b"remote",
            country.as_bytes(),
            postcode.as_bytes(),
        ]);
        let company = item
            .get("company")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| (*rng.pick(&["dhl", "ups", "fedex", "tnt"])).to_owned());
        if rng.below(4) == 0 {
            remote.push(json!({
                "far_express_company": company,
                "two_code": c.map_or_else(|| country.to_ascii_uppercase(), |c| c.code.to_owned()),
                "far_country": c.map_or(country, |c| c.name),
                "far_city_postcode": postcode,
            }));
        } else {
            other.push(item.clone());
        }
    }
    Ok(Reply {
        code: MetaCode::Success,
        kind: None,
        message: "The request was successful.".into(),
        data: json!({"submitted": items.len(), "other": other, "remote": remote}),
    })
}

fn cost_time(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    let items = body_array(sim, call)?;
    let mut out = Vec::new();
    for item in items {
        let carrier = item
            .get("carrier_code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if sim.catalogue.get(&carrier).is_none() {
            return Err(Reply::err(
                MetaCode::CarrierCodeInvalid,
                "The value of `carrier_code` is invalid.",
            ));
        }
        let original = item
            .get("original")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_uppercase();
        let destination = item
            .get("destination")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_uppercase();
        let mut rng = Rng::from_parts(&[
            &sim.config.seed.to_le_bytes(),
            b"costtime",
            carrier.as_bytes(),
            original.as_bytes(),
            destination.as_bytes(),
        ]);
        let total = rng.between(40, 4000);
        let delivered = total * rng.between(80, 99) / 100;
        // Shares of the delivered samples per bucket, in percent, summing to 100.
        let mut cuts = [rng.between(10, 60), rng.between(10, 40), rng.between(5, 20)];
        let rest = 100 - cuts.iter().sum::<i64>();
        if rest < 0 {
            cuts[0] += rest;
        }
        let range5 = 100 - cuts.iter().sum::<i64>();
        out.push(json!({
            "carrier_code": carrier, "original": original, "destination": destination,
            "total": total, "delivered": delivered,
            "range1": cuts[0], "range3": cuts[1], "range4": cuts[2], "range5": range5.max(0),
        }));
    }
    Ok(Reply::ok(Value::Array(out)))
}

/// Airlines by air-waybill prefix.
const AIRLINES: &[(&str, &str)] = &[
    ("001", "American Airlines Cargo"),
    ("020", "Lufthansa Cargo"),
    ("157", "Qatar Airways Cargo"),
    ("160", "Cathay Pacific Cargo"),
    ("172", "Cargolux"),
    ("176", "Emirates SkyCargo"),
    ("180", "Korean Air Cargo"),
    ("618", "Singapore Airlines Cargo"),
    ("999", "Air China Cargo"),
];

fn air_cargo(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let body = body_object(call)?;
    let awb = body
        .get("track_number")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    if awb.is_empty() {
        return Err(Reply::err(
            MetaCode::TrackingNumberRequired,
            "`track_number` cannot be empty.",
        ));
    }
    let Some(caps) = AWB.captures(&awb) else {
        return Err(Reply::err(
            MetaCode::TrackingNumberInvalid,
            "The value of `track_number` is invalid.",
        ));
    };
    let prefix = caps[1].to_owned();
    let airline = AIRLINES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map_or("Unknown airline", |(_, n)| n);
    let mut rng = Rng::from_parts(&[&sim.config.seed.to_le_bytes(), b"awb", awb.as_bytes()]);
    let airports = [
        "PVG", "HKG", "FRA", "LUX", "ORD", "LAX", "DXB", "ICN", "SIN", "AMS",
    ];
    let origin = *rng.pick(&airports);
    let destination = *rng.pick(&airports);
    let start = now_ms - rng.between(1, 5) * 86_400_000;
    let steps = [
        ("Booked", "Booking confirmed", origin),
        ("Received", "Received from shipper", origin),
        ("Departed", "Departed on flight", origin),
        ("Arrived", "Arrived at destination", destination),
        ("Delivered", "Delivered to consignee", destination),
    ];
    let mut t = start;
    let mut events = Vec::new();
    for (i, (node, desc, at)) in steps.iter().enumerate() {
        t += rng.between(2, 30) * 3_600_000;
        if t > now_ms {
            break;
        }
        let status = if i == steps.len() - 1 {
            "delivered"
        } else {
            "transit"
        };
        events.push(json!({
            "Date": store::iso(t, 0).replace('T', " ").chars().take(16).collect::<String>(),
            "StatusDescription": desc, "Details": at, "checkpoint_status": status, "ItemNode": node,
        }));
    }
    let status = events
        .last()
        .and_then(|e| e.get("checkpoint_status"))
        .cloned()
        .unwrap_or(json!("pending"));
    events.reverse();
    Ok(Reply::ok(json!({
        "track_number": awb, "airline": airline, "origin": origin, "destination": destination,
        "status": status, "pieces": rng.between(1, 40), "weight": format!("{}.{} kg", rng.between(1, 900), rng.below(10)),
        "trackinfo": events,
    })))
}

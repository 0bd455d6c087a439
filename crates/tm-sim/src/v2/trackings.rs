//! The single-tracking endpoints of v2 (create, get, update, delete, realtime, change carrier)
//! and the list; the batch endpoints are in `batches.rs`, built on the same create and change
//! rules.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::input::Params;
use super::render::{self, RenderCtx, Shape, Subject};
use super::{Call, Reply};
use crate::journey::{self, Rng};
use crate::json::{J, Obj};
use crate::limits::Admission;
use crate::state::Sim;
use crate::store::{self, Store, StoredTracking, key};

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9A-Za-z_-]{5,60}$").unwrap_or_else(|e| unreachable!("{e}")));

/// Fields `PUT` and `updatemore` may change besides `status` and `archived` (a create sends
/// them too).
const UPDATE_FIELDS: &[&str] = &[
    "title",
    "logistics_channel",
    "customer_name",
    "customer_email",
    "customer_phone",
    "order_id",
    "destination_code",
];

/// Create fields kept as sent and echoed back, besides [`UPDATE_FIELDS`].
const CREATE_ONLY_FIELDS: &[&str] = &[
    "tracking_ship_date",
    "tracking_postal_code",
    "tracking_account_number",
    "tracking_destination_country",
    "specialNumberDestination",
    "lang",
    "comment",
];

/// The documented number limit of the `numbers` and `orders` filters.
const MAX_FILTER_VALUES: usize = 40;
/// The documented maximum page size.
const MAX_LIMIT: i64 = 2000;

pub(super) fn not_found() -> Reply {
    Reply::err(4017)
}

/// The carrier and number of a create or realtime call, checked in the server's order: the
/// carrier first (so a body that was not JSON reads as 4015, as the FAQ says it often does),
/// then the number.
fn target(sim: &Sim, p: &Params<'_>) -> Result<(String, String), Reply> {
    let carrier = p
        .nonempty("carrier_code")?
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| sim.catalogue.get(c).is_some())
        .ok_or_else(|| Reply::err(4015))?;
    let number = p
        .nonempty("tracking_number")?
        .ok_or_else(|| Reply::err(4013))?;
    if !NUMBER.is_match(&number) {
        return Err(Reply::err(4014));
    }
    Ok((carrier, number))
}

fn quota_exhausted() -> Reply {
    Reply::err(4021)
}

/// Creates one tracking from `p` in `st`; the short record, or the error reply.
pub(super) fn create(sim: &Sim, st: &mut Store, p: &Params<'_>, now_ms: i64) -> Result<J, Reply> {
    let (carrier, number) = target(sim, p)?;
    let mut fields = BTreeMap::new();
    for name in UPDATE_FIELDS.iter().chain(CREATE_ONLY_FIELDS) {
        if let Some(v) = p.echo(name)? {
            fields.insert((*name).to_owned(), v);
        }
    }
    // Free-form, and seen as a string or an integer: kept as sent.
    if let Params::Json(m) = p {
        if let Some(t) = m.get("order_create_time").filter(|v| !v.is_null()) {
            fields.insert("order_create_time".into(), t.clone());
        }
    } else if let Some(t) = p.text("order_create_time")? {
        fields.insert("order_create_time".into(), Value::String(t));
    }
    if let Some(a) = p.flag("auto_correct")? {
        fields.insert("auto_correct".into(), Value::from(u8::from(a)));
    }
    if st.contains(&key(&carrier, &number)) {
        return Err(Reply::err(4016));
    }
    if st.quota_left(sim.config.quota) < 1 {
        return Err(quota_exhausted());
    }
    let stored = st.admit(sim.config.seed, carrier, number, fields, now_ms);
    let rendered = render_stored(sim, st, &stored, Shape::Created, now_ms);
    st.insert(stored);
    Ok(J::from(rendered))
}

/// `POST /trackings/post`.
pub fn create_one(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let mut st = sim.store()?;
    let created = create(sim, &mut st, &Params::from_body(call.body.as_ref()), now_ms)?;
    st.commit()?;
    Ok(Reply::ok(created))
}

/// Renders a stored tracking in `shape` at `now_ms`.
pub(crate) fn render_stored(
    sim: &Sim,
    st: &mut Store,
    t: &StoredTracking,
    shape: Shape,
    now_ms: i64,
) -> Obj {
    let view = store::stored_view(&mut st.plans, sim.config.seed, &sim.catalogue, t, now_ms);
    render::tracking(
        &render_ctx(sim, now_ms),
        shape,
        &Subject {
            id: &t.id,
            carrier: &t.carrier_code,
            number: &t.tracking_number,
            stored: Some(t),
        },
        &view,
    )
}

fn render_ctx(sim: &Sim, now_ms: i64) -> RenderCtx<'_> {
    RenderCtx {
        catalogue: &sim.catalogue,
        account_offset_h: sim.config.account_utc_offset_h,
        now_ms,
    }
}

/// `GET /trackings/{carrier}/{number}`: 4031 until it is created.
pub fn get_one(sim: &Sim, carrier: &str, number: &str, now_ms: i64) -> Result<Reply, Reply> {
    let mut st = sim.read()?;
    let found = st.get(&key(carrier, number)).cloned();
    let Some(t) = found else {
        return Err(st.refuse(Reply::err(4031)));
    };
    let rendered = render_stored(sim, &mut st, &t, Shape::Full, now_ms);
    st.commit()?;
    Ok(Reply::ok(rendered))
}

/// The changes of a `PUT` or `updatemore` item, checked before anything is applied.
pub(super) struct Changes {
    fields: Vec<(&'static str, Value)>,
    archived: Option<bool>,
    /// `Some(Some(status))` forces a status; `Some(None)` reverts (8).
    status: Option<Option<&'static str>>,
}

pub(super) fn changes(p: &Params<'_>) -> Result<Changes, Reply> {
    let mut fields = Vec::new();
    for name in UPDATE_FIELDS {
        if let Some(v) = p.echo(name)? {
            fields.push((*name, v));
        }
    }
    let status = match p.text("status")? {
        None => None,
        Some(s) => Some(match s.trim() {
            "4" => Some("delivered"),
            "7" => Some("exception"),
            "8" => None,
            _ => return Err(Reply::err(4033)),
        }),
    };
    Ok(Changes {
        fields,
        archived: p.flag("archived")?,
        status,
    })
}

pub(super) fn apply(t: &mut StoredTracking, c: Changes, now_ms: i64) {
    if let Some(status) = c.status {
        t.status_override = status.map(str::to_owned);
    }
    if let Some(a) = c.archived {
        t.archived = a;
    }
    for (name, v) in c.fields {
        t.fields.insert(name.to_owned(), v);
    }
    t.modified_ms = Some(now_ms);
}

/// `PUT /trackings/{carrier}/{number}`.
pub fn update_one(
    sim: &Sim,
    carrier: &str,
    number: &str,
    call: &Call<'_>,
    now_ms: i64,
) -> Result<Reply, Reply> {
    let c = changes(&Params::from_body(call.body.as_ref()))?;
    let mut st = sim.store()?;
    let Some(mut t) = st.get(&key(carrier, number)).cloned() else {
        return Err(st.refuse(not_found()));
    };
    apply(&mut t, c, now_ms);
    let out = render_stored(sim, &mut st, &t, Shape::Updated, now_ms);
    st.insert(t);
    st.commit()?;
    Ok(Reply::ok(out))
}

/// `DELETE /trackings/{carrier}/{number}`: `data: []`, the same shape as an error.
pub fn delete_one(sim: &Sim, carrier: &str, number: &str) -> Result<Reply, Reply> {
    let mut st = sim.store()?;
    let removed = st.remove(&key(carrier, number));
    st.commit()?;
    match removed {
        Some(_) => Ok(Reply::ok(J::Arr(Vec::new()))),
        None => Err(not_found()),
    }
}

/// `order_create_time` as Unix seconds, if it reads as one.
fn order_secs(t: &StoredTracking) -> Option<i64> {
    match t.fields.get("order_create_time")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| {
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"]
                .iter()
                .find_map(|f| chrono::NaiveDateTime::parse_from_str(s.trim(), f).ok())
                .map(|d| d.and_utc().timestamp())
        }),
        _ => None,
    }
}

/// True when `v` is within the window; a tracking without the value passes only an open
/// window.
fn in_window(v: Option<i64>, min: Option<i64>, max: Option<i64>) -> bool {
    match v {
        Some(v) => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
        None => min.is_none() && max.is_none(),
    }
}

/// The filters of a list call: the query string of a GET, or the JSON body of a POST (the
/// official PHP class's form).
fn list_params<'a>(call: &'a Call<'a>) -> Params<'a> {
    match (&call.body, call.method) {
        (Some(Value::Object(m)), "POST") => Params::Json(m),
        _ => Params::Query(call.query),
    }
}

/// `GET|POST /trackings/get`: pages of full trackings, `total` as a string; the trackings
/// returned count against the document's 2000 per second.
pub async fn list(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let page = {
        let p = list_params(call);
        let status = p.nonempty("status")?;
        if let Some(s) = &status
            && !super::STATUSES.contains(&s.as_str())
        {
            return Err(Reply::err(4033));
        }
        let numbers: Vec<String> = p
            .list("numbers")?
            .iter()
            .map(|n| n.to_ascii_uppercase())
            .collect();
        let orders = p.list("orders")?;
        if numbers.len() > MAX_FILTER_VALUES || orders.len() > MAX_FILTER_VALUES {
            return Err(Reply::err_with(
                4012,
                "`numbers` and `orders` take up to 40 values each.",
            ));
        }
        let page = p.int("page")?.unwrap_or(1).max(1) as usize;
        let limit = p.int("limit")?.unwrap_or(100).clamp(1, MAX_LIMIT) as usize;
        // Only "true" and "false" filter; anything else lists both.
        let archived = match p.text("archived")?.as_deref().map(str::trim) {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        };
        let created = (p.int("created_at_min")?, p.int("created_at_max")?);
        let updated = (p.int("update_time_min")?, p.int("update_time_max")?);
        let ordered = (
            p.int("order_created_time_min")?,
            p.int("order_created_time_max")?,
        );
        let needs_view = status.is_some() || updated.0.is_some() || updated.1.is_some();
        let mut st = sim.read()?;
        let scan = st.scan();
        let mut matching: Vec<&StoredTracking> = Vec::new();
        for t in scan.trackings.values() {
            let keep = (numbers.is_empty()
                || numbers.contains(&t.tracking_number.to_ascii_uppercase()))
                && (orders.is_empty()
                    || t.fields
                        .get("order_id")
                        .and_then(Value::as_str)
                        .is_some_and(|o| orders.iter().any(|w| w == o)))
                && archived.is_none_or(|a| t.archived == a)
                && in_window(Some(t.created_ms / 1000), created.0, created.1)
                && in_window(order_secs(t), ordered.0, ordered.1)
                && (!needs_view || {
                    let view = store::stored_view(
                        &mut *scan.plans,
                        sim.config.seed,
                        &sim.catalogue,
                        t,
                        now_ms,
                    );
                    status.as_deref().is_none_or(|s| view.v2().status == s)
                        && in_window(Some(view.updated_ms / 1000), updated.0, updated.1)
                });
            if keep {
                matching.push(t);
            }
        }
        matching.sort_by_key(|t| t.seq);
        let total = matching.len();
        let chosen: Vec<StoredTracking> = matching
            .into_iter()
            .skip((page - 1).saturating_mul(limit))
            .take(limit)
            .cloned()
            .collect();
        let items: Vec<J> = chosen
            .iter()
            .map(|t| J::from(render_stored(sim, &mut st, t, Shape::Full, now_ms)))
            .collect();
        st.commit()?;
        (page, limit, total, items)
    };
    let (page, limit, total, items) = page;
    if let Admission::Refused { .. } = sim
        .admit_trackings("v2", call.scope, items.len() as u64)
        .await
    {
        return Err(Reply::err(429));
    }
    Ok(Reply::ok(
        Obj::new()
            .with("page", page)
            .with("limit", limit)
            .with("total", total.to_string())
            .with("count", items.len())
            .with("items", items),
    ))
}

/// `POST /trackings/realtime`: `{"items": [tracking]}`; an untracked number is answered as the
/// carrier would, for a parcel shipped some days ago.
pub fn realtime(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let p = Params::from_body(call.body.as_ref());
    let (carrier, number) = target(sim, &p)?;
    let dest = p.nonempty("destination_code")?;
    let mut st = sim.store()?;
    if st.quota_left(sim.config.quota) < 1 {
        return Err(st.refuse(quota_exhausted()));
    }
    st.account_mut().quota_used_fifths += 5;
    let stored = st.get(&key(&carrier, &number)).cloned();
    let item = match stored {
        Some(t) => render_stored(sim, &mut st, &t, Shape::Realtime, now_ms),
        None => {
            let mut rng = Rng::from_parts(&[
                &sim.config.seed.to_le_bytes(),
                b"realtime",
                number.as_bytes(),
            ]);
            let base = now_ms - rng.between(0, 20) * 86_400_000 - rng.between(0, 86_400_000);
            let plan = store::plan_in(
                &mut st.plans,
                sim.config.seed,
                &sim.catalogue,
                &carrier,
                &number,
                dest.as_deref(),
            );
            let postal = sim.catalogue.get(&carrier).is_some_and(|c| c.postal());
            let view = store::view(
                plan,
                base,
                None,
                None,
                None,
                store::v2_expiry_ms(postal),
                now_ms,
            );
            let id = journey::tracking_id(sim.config.seed, &carrier, &number);
            render::tracking(
                &render_ctx(sim, now_ms),
                Shape::Realtime,
                &Subject {
                    id: &id,
                    carrier: &carrier,
                    number: &number,
                    stored: None,
                },
                &view,
            )
        }
    };
    st.commit()?;
    Ok(Reply::ok(Obj::new().with("items", vec![J::from(item)])))
}

/// `POST /trackings/update`: move a tracking to another carrier; `{"Usertag": ""}`.
pub fn change_carrier(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let p = Params::from_body(call.body.as_ref());
    let number = p
        .nonempty("tracking_number")?
        .ok_or_else(|| Reply::err(4013))?;
    let from = p.nonempty("carrier_code")?.unwrap_or_default();
    let to = p
        .nonempty("update_carrier_code")?
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| sim.catalogue.get(c).is_some())
        .ok_or_else(|| Reply::err_with(4015, "The value of `update_carrier_code` is invalid."))?;
    let mut st = sim.store()?;
    let old = key(&from, &number);
    let new = key(&to, &number);
    if !st.contains(&old) {
        return Err(st.refuse(not_found()));
    }
    if old != new && st.contains(&new) {
        return Err(st.refuse(Reply::err(4016)));
    }
    if let Some(mut t) = st.remove(&old) {
        t.carrier_code = to;
        t.modified_ms = Some(now_ms);
        st.forget_plan(&old);
        st.insert(t);
    }
    st.commit()?;
    Ok(Reply::ok(Obj::new().with("Usertag", "")))
}

//! v4's tracking endpoints: create (the real-time call), get by filters with paging, batch
//! create, and update, delete and retrack by id — all on the account `/v2` serves.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::DateTime;
use regex::Regex;
use serde_json::Value;

use super::render::{self, FIELDS};
use super::{Reply, text};
use crate::config::ExistsData;
use crate::json::{J, Obj};
use crate::state::Sim;
use crate::store::{Store, StoredTracking, key};

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9A-Za-z_-]{5,60}$").unwrap_or_else(|e| unreachable!("{e}")));

/// The nine main statuses a `delivery_status` filter may name (and `created`, seen in data).
const STATUSES: &[&str] = &[
    "pending",
    "notfound",
    "inforeceived",
    "transit",
    "pickup",
    "undelivered",
    "delivered",
    "exception",
    "expired",
    "created",
];

/// The fields of a create or update body, under the account's names; a non-text value is a
/// 4130 (the field's format is invalid).
fn fields_of(body: &Value) -> Result<Vec<(&'static str, Value)>, Reply> {
    let mut out = Vec::new();
    for (v4, stored) in FIELDS {
        match body.get(*v4) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => out.push((*stored, Value::String(s.clone()))),
            Some(Value::Number(n)) => out.push((*stored, Value::String(n.to_string()))),
            Some(_) => return Err(Reply::err(4130)),
        }
    }
    Ok(out)
}

/// A create item checked in the server's order: number present, well formed, courier known,
/// the courier's required fields present.
fn target(sim: &Sim, item: &Value) -> Result<(String, String), Reply> {
    let number = text(item, "tracking_number")
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Reply::err(4111))?;
    if !NUMBER.is_match(&number) {
        return Err(Reply::err(4110));
    }
    // SDK tests send `"UPS"`: courier codes compare lower case.
    let courier = text(item, "courier_code")
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| sim.catalogue.get(c).is_some())
        .ok_or_else(|| Reply::err(4120))?;
    for field in render::required_fields(&courier) {
        if text(item, field).is_none_or(|v| v.trim().is_empty()) {
            return Err(Reply::err(4122));
        }
    }
    Ok((courier, number))
}

/// Why an item was not registered: the reply, and on 4101 the existing tracking.
type Refusal = Box<(Reply, Option<StoredTracking>)>;

/// Registers one item in `st`; the stored tracking, or the refusal.
fn register(
    sim: &Sim,
    st: &mut Store,
    item: &Value,
    now_ms: i64,
) -> Result<StoredTracking, Refusal> {
    let (courier, number) = target(sim, item).map_err(|r| Box::new((r, None)))?;
    let fields: BTreeMap<String, Value> = fields_of(item)
        .map_err(|r| Box::new((r, None)))?
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    if let Some(existing) = st.get(&key(&courier, &number)) {
        return Err(Box::new((Reply::err(4101), Some(existing.clone()))));
    }
    if st.quota_left(sim.config.quota) < 1 {
        return Err(Box::new((Reply::err(4190), None)));
    }
    let stored = st.admit(sim.config.seed, courier, number, fields, now_ms);
    st.insert(stored.clone());
    Ok(stored)
}

/// `POST /trackings/create`: the tracking with its results now (a fresh one is `pending` and
/// `updating`).
pub fn create(sim: &Sim, body: &Value, now_ms: i64) -> Result<Reply, Reply> {
    if !body.is_object() {
        return Err(Reply::err(4111));
    }
    let mut st = sim.store()?;
    let answer = match register(sim, &mut st, body, now_ms).map_err(|b| *b) {
        Ok(t) => Ok(Reply::ok(render::stored(sim, &mut st, &t, now_ms))),
        Err((reply, Some(existing))) => Err(match sim.config.v4.exists_data {
            ExistsData::Minimal => Reply::err_with_data(reply.code, render::minimal(&existing)),
            ExistsData::Full => {
                Reply::err_with_data(reply.code, render::stored(sim, &mut st, &existing, now_ms))
            }
            ExistsData::AsError => reply,
        }),
        Err((reply, None)) => Err(reply),
    };
    st.commit()?;
    answer
}

/// `POST /trackings/batch`: a bare array of at most the batch size; `success` and `error`
/// items (the error keys camelCase, as every SDK types them).
pub fn batch(sim: &Sim, body: &Value, now_ms: i64) -> Result<Reply, Reply> {
    let Value::Array(items) = body else {
        return Err(Reply::err(400));
    };
    if items.len() > sim.config.batch_max {
        return Err(Reply::err(4103));
    }
    let mut success = Vec::new();
    let mut error = Vec::new();
    // One transaction: every item is kept, or none is and the batch is a server error.
    let mut st = sim.store()?;
    for item in items {
        match register(sim, &mut st, item, now_ms).map_err(|b| *b) {
            Ok(t) => success.push(J::from(render::minimal(&t))),
            Err((reply, _)) => error.push(J::from(
                Obj::new()
                    .with("tracking_number", J::opt(text(item, "tracking_number")))
                    .with("courier_code", J::opt(text(item, "courier_code")))
                    .with("errorCode", reply.code)
                    .with("errorMessage", J::from(reply.message.into_owned())),
            )),
        }
    }
    st.commit()?;
    Ok(Reply::ok(
        Obj::new()
            .with("success", J::Arr(success))
            .with("error", J::Arr(error)),
    ))
}

/// An ISO-8601 time with offset as a filter names it; `+` may arrive as a space (SDKs that do
/// not encode it).
fn instant(raw: &str) -> Result<i64, Reply> {
    let t = raw.trim();
    let fixed = match t.rfind(' ') {
        // `2023-08-23T06:00:00 00:00`: the `+` of the offset became a space.
        Some(i) if t[..i].contains('T') => format!("{}+{}", &t[..i], &t[i + 1..]),
        _ => t.to_owned(),
    };
    DateTime::parse_from_rfc3339(&fixed)
        .or_else(|_| DateTime::parse_from_str(&fixed, "%Y-%m-%dT%H:%M:%S%z"))
        .map(|d| d.timestamp_millis())
        .map_err(|_| Reply::err(4130))
}

/// A query value, the last one given.
fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// `GET /trackings/get`: a flat array of trackings, filtered and paged (`pages_amount` from 1,
/// `items_amount` per page); no totals.
pub fn get(sim: &Sim, query: &[(String, String)], now_ms: i64) -> Result<Reply, Reply> {
    let window = |min: &str, max: &str| -> Result<(Option<i64>, Option<i64>), Reply> {
        Ok((
            param(query, min).map(instant).transpose()?,
            param(query, max).map(instant).transpose()?,
        ))
    };
    let created = window("created_date_min", "created_date_max")?;
    let updated = window("updated_date_min", "updated_date_max")?;
    let numbers: Vec<String> = param(query, "tracking_numbers")
        .map(|n| {
            n.split(',')
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let courier = param(query, "courier_code").map(str::to_ascii_lowercase);
    let status = param(query, "delivery_status").map(str::to_ascii_lowercase);
    if status.as_deref().is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(Reply::err(4130));
    }
    let archived = match param(query, "archived_status") {
        None => None,
        Some("archived") => Some(true),
        Some("tracking") => Some(false),
        Some(_) => return Err(Reply::err(4130)),
    };
    let number = |name: &str, default: u32| -> Result<u32, Reply> {
        match param(query, name) {
            None => Ok(default),
            Some(v) => v.parse::<u32>().map_err(|_| Reply::err(4130)),
        }
    };
    let size = number("items_amount", sim.config.v4.default_page_size)?
        .clamp(1, sim.config.v4.max_page_size.max(1)) as usize;
    let page = number("pages_amount", 1)?.max(1) as usize;
    let inside = |t: i64, (min, max): (Option<i64>, Option<i64>)| {
        min.is_none_or(|m| t >= m) && max.is_none_or(|m| t <= m)
    };
    let mut st = sim.read()?;
    let mut candidates: Vec<StoredTracking> = st
        .scan()
        .trackings
        .values()
        .filter(|t| {
            (numbers.is_empty() || numbers.contains(&t.tracking_number.to_ascii_uppercase()))
                && courier.as_deref().is_none_or(|c| t.carrier_code == c)
                && archived.is_none_or(|a| t.archived == a)
                && inside(t.created_ms, created)
        })
        .cloned()
        .collect();
    candidates.sort_by_key(|t| t.seq);
    let mut items = Vec::new();
    let mut matched = 0usize;
    for t in &candidates {
        let view = render::view(sim, &mut st, t, now_ms);
        if status.as_deref().is_some_and(|s| view.v4().status != s)
            || !inside(view.updated_ms, updated)
        {
            continue;
        }
        matched += 1;
        if matched > (page - 1) * size && items.len() < size {
            items.push(J::from(render::tracking(sim, t, &view)));
        }
    }
    st.commit()?;
    Ok(Reply::ok(J::Arr(items)))
}

/// The stored tracking with this id (ids are 32 lower-case hex characters), in `st`.
fn by_id(st: &mut Store, id: &str) -> Result<StoredTracking, Reply> {
    let id = id.trim();
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Reply::err(4112));
    }
    st.by_id(id).ok_or_else(|| Reply::err(4112))
}

/// `PUT /trackings/update/{id}`: fields, the courier (`courier_code_new`) and the archive
/// state; the result names countries without `_iso2`.
pub fn update(sim: &Sim, id: &str, body: &Value, now_ms: i64) -> Result<Reply, Reply> {
    let mut st = sim.store()?;
    let t = match by_id(&mut st, id) {
        Ok(t) => t,
        Err(r) => return Err(st.refuse(r)),
    };
    if !body.is_object() {
        return Err(Reply::err(400));
    }
    let fields = fields_of(body)?;
    let archived = match text(body, "archived_status").as_deref().map(str::trim) {
        None => None,
        Some("archived") => Some(true),
        Some("tracking") => Some(false),
        Some(_) => return Err(Reply::err(4130)),
    };
    let new_courier = match text(body, "courier_code_new") {
        None => None,
        Some(c) => Some(
            Some(c.trim().to_ascii_lowercase())
                .filter(|c| sim.catalogue.get(c).is_some())
                .ok_or_else(|| Reply::err(4120))?,
        ),
    };
    let old = key(&t.carrier_code, &t.tracking_number);
    let Some(mut stored) = st.remove(&old) else {
        return Err(st.refuse(Reply::err(4112)));
    };
    for (name, v) in fields {
        stored.fields.insert(name.to_owned(), v);
    }
    if let Some(a) = archived {
        stored.archived = a;
    }
    if let Some(c) = &new_courier {
        if st.contains(&key(c, &stored.tracking_number)) {
            // Nothing is kept: dropping the transaction abandons the removal.
            return Err(st.refuse(Reply::err(4101)));
        }
        stored.carrier_code = c.clone();
        st.forget_plan(&old);
    }
    // A changed destination changes the journey.
    st.forget_plan(&key(&stored.carrier_code, &stored.tracking_number));
    stored.modified_ms = Some(now_ms);
    let result = update_result(&stored, new_courier.as_deref());
    st.insert(stored);
    st.commit()?;
    Ok(Reply::ok(result))
}

/// The update result (the SDKs' `UpdateTracking` model, in its order).
fn update_result(t: &StoredTracking, new_courier: Option<&str>) -> Obj {
    let f = |name: &str| render::field(t, name);
    Obj::new()
        .with("id", t.id.clone())
        .with("tracking_number", t.tracking_number.clone())
        .with("courier_code", t.carrier_code.clone())
        .with("courier_code_new", J::opt(new_courier))
        .with("order_number", f("order_number"))
        .with("order_date", f("order_date"))
        .with("order_id", f("order_id"))
        .with("destination_country", f("destination_country_iso2"))
        .with("origin_country", f("origin_country_iso2"))
        .with("tracking_postal_code", f("tracking_postal_code"))
        .with("tracking_ship_date", f("tracking_ship_date"))
        .with("tracking_courier_account", f("tracking_courier_account"))
        .with(
            "tracking_destination_country",
            f("tracking_destination_country"),
        )
        .with("tracking_origin_country", f("tracking_origin_country"))
        .with("tracking_key", f("tracking_key"))
        .with("customer_name", f("customer_name"))
        .with("customer_email", f("customer_email"))
        .with("customer_sms", f("customer_sms"))
        .with("recipient_postcode", f("recipient_postcode"))
        .with("title", f("title"))
        .with("logistics_channel", f("logistics_channel"))
        .with("note", f("note"))
        .with("label", f("label"))
        .with(
            "archived_status",
            if t.archived { "archived" } else { "tracking" },
        )
}

/// `DELETE /trackings/delete/{id}`: the deleted tracking's id, number and courier.
pub fn delete(sim: &Sim, id: &str) -> Result<Reply, Reply> {
    let mut st = sim.store()?;
    let t = match by_id(&mut st, id) {
        Ok(t) => t,
        Err(r) => return Err(st.refuse(r)),
    };
    let k = key(&t.carrier_code, &t.tracking_number);
    st.remove(&k);
    st.forget_plan(&k);
    st.commit()?;
    Ok(Reply::ok(render::minimal(&t)))
}

/// `POST /trackings/retrack/{id}`: only an expired tracking starts again (4113 otherwise); it
/// comes back `pending` and `updating`.
pub fn retrack(sim: &Sim, id: &str, now_ms: i64) -> Result<Reply, Reply> {
    let mut st = sim.store()?;
    let t = match by_id(&mut st, id) {
        Ok(t) => t,
        Err(r) => return Err(st.refuse(r)),
    };
    let k = key(&t.carrier_code, &t.tracking_number);
    if render::view(sim, &mut st, &t, now_ms).v4().status != "expired" {
        return Err(st.refuse(Reply::err(4113)));
    }
    let Some(stored) = st.get_mut(&k) else {
        return Err(st.refuse(Reply::err(4112)));
    };
    stored.retracked_ms = Some(now_ms);
    stored.modified_ms = Some(now_ms);
    let t = stored.clone();
    let rendered = render::stored(sim, &mut st, &t, now_ms);
    st.commit()?;
    Ok(Reply::ok(rendered))
}

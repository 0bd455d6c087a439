//! The simulator's state — trackings, quota, counters — and how a tracking looks on the wire at
//! a given simulated time.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tm_types::{Checkpoint, Field, NumberOrString, Substatus, TrackInfo, Tracking, TrackingStatus};

use crate::catalogue::Catalogue;
use crate::journey::{self, Ending, Event, Leg, Plan};

const DAY_MS: i64 = 86_400_000;

/// A stored tracking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTracking {
    /// Creation order.
    pub seq: u64,
    /// 32-hex id.
    pub id: String,
    /// Number as sent.
    pub tracking_number: String,
    /// Carrier code, lower case.
    pub carrier_code: String,
    /// Creation time (simulated Unix ms).
    pub created_ms: i64,
    /// Last change through the API (simulated Unix ms).
    pub modified_ms: Option<i64>,
    /// Optional create/update fields as sent (`title`, `customer_email`, …).
    pub fields: BTreeMap<String, Value>,
    /// Archived flag.
    pub archived: bool,
    /// When automatic updates were stopped (notupdate).
    pub frozen_ms: Option<i64>,
    /// A status set by `PUT` (4 delivered, 7 exception); 8 clears it.
    pub status_override: Option<String>,
    /// The status last announced by webhook.
    pub notified_status: Option<String>,
}

/// The key of a tracking: carrier and upper-cased number.
pub type Key = (String, String);

/// The key of `carrier` and `number`.
pub fn key(carrier: &str, number: &str) -> Key {
    (
        carrier.trim().to_ascii_lowercase(),
        number.trim().to_ascii_uppercase(),
    )
}

/// Everything the simulator remembers.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    /// Next creation sequence number.
    pub next_seq: u64,
    /// Trackings by key.
    #[serde(with = "tracking_map")]
    pub trackings: BTreeMap<Key, StoredTracking>,
    /// First creation time of every key ever created (ids and `created_at` survive re-creation).
    #[serde(with = "first_created_map")]
    pub first_created: BTreeMap<Key, i64>,
    /// Quota used so far, in fifths (detect and remote cost 1/5).
    pub quota_used_fifths: i64,
    /// When the account was registered (simulated Unix s).
    pub registered_secs: i64,
    /// Simulated time at the last save (Unix ms).
    pub saved_sim_ms: Option<i64>,
    /// Real time at the last save (Unix ms).
    pub saved_real_ms: Option<i64>,
    /// Plans by key (derived; not saved).
    #[serde(skip)]
    pub(crate) plans: HashMap<Key, Arc<Plan>>,
}

mod tracking_map {
    use super::*;
    pub fn serialize<S: serde::Serializer>(
        m: &BTreeMap<Key, StoredTracking>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.values())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Key, StoredTracking>, D::Error> {
        let v: Vec<StoredTracking> = Deserialize::deserialize(d)?;
        Ok(v.into_iter()
            .map(|t| (key(&t.carrier_code, &t.tracking_number), t))
            .collect())
    }
}

mod first_created_map {
    use super::*;
    pub fn serialize<S: serde::Serializer>(
        m: &BTreeMap<Key, i64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.iter().map(|((c, n), ms)| (c, n, ms)))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Key, i64>, D::Error> {
        let v: Vec<(String, String, i64)> = Deserialize::deserialize(d)?;
        Ok(v.into_iter().map(|(c, n, ms)| ((c, n), ms)).collect())
    }
}

/// Which keys a response includes, per endpoint (as the captures show them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// get, list, webhook: everything.
    Full,
    /// create and batch create: the short record.
    Created,
    /// PUT: the short record plus update fields.
    Updated,
    /// realtime: no account-side fields.
    Realtime,
}

/// A tracking as of one moment.
#[derive(Debug)]
pub struct View {
    plan: Arc<Plan>,
    base_ms: i64,
    visible_len: usize,
    /// Status now.
    pub status: TrackingStatus,
    /// Substatus now.
    pub substatus: Option<Substatus>,
    /// Last change (simulated Unix ms).
    pub updated_ms: i64,
}

/// The plan of `number` at `carrier`, computed once and kept in `plans`.
pub fn plan_in(
    plans: &mut HashMap<Key, Arc<Plan>>,
    seed: u64,
    cat: &Catalogue,
    carrier: &str,
    number: &str,
    dest: Option<&str>,
) -> Arc<Plan> {
    plans
        .entry(key(carrier, number))
        .or_insert_with(|| {
            let postal = cat.get(carrier).is_some_and(|c| c.postal);
            Arc::new(journey::plan(seed, carrier, postal, number, dest))
        })
        .clone()
}

/// The view of a stored tracking at `now_ms` (its plan computed once and kept in `plans`).
pub fn stored_view(
    plans: &mut HashMap<Key, Arc<Plan>>,
    seed: u64,
    cat: &Catalogue,
    t: &StoredTracking,
    now_ms: i64,
) -> View {
    let dest = t.fields.get("destination_code").and_then(Value::as_str);
    let plan = plan_in(plans, seed, cat, &t.carrier_code, &t.tracking_number, dest);
    let postal = cat.get(&t.carrier_code).is_some_and(|c| c.postal);
    view(
        plan,
        t.created_ms,
        t.frozen_ms,
        t.status_override.as_deref(),
        t.modified_ms,
        postal,
        now_ms,
    )
}

/// The status and last change of a stored tracking at `now_ms`.
pub fn status_of(
    plans: &mut HashMap<Key, Arc<Plan>>,
    seed: u64,
    cat: &Catalogue,
    t: &StoredTracking,
    now_ms: i64,
) -> (TrackingStatus, i64) {
    let v = stored_view(plans, seed, cat, t, now_ms);
    (v.status, v.updated_ms)
}

impl View {
    /// The events visible at the moment of the view.
    pub fn visible(&self) -> &[Event] {
        &self.plan.events[..self.visible_len]
    }
}

impl Store {
    /// The plan of a tracking (computed once).
    pub fn plan(
        &mut self,
        seed: u64,
        cat: &Catalogue,
        carrier: &str,
        number: &str,
        dest: Option<&str>,
    ) -> Arc<Plan> {
        plan_in(&mut self.plans, seed, cat, carrier, number, dest)
    }

    /// Forgets derived plans (after a reset or a carrier change).
    pub fn forget_plan(&mut self, k: &Key) {
        self.plans.remove(k);
    }

    /// Quota left, in whole trackings.
    pub fn quota_left(&self, quota: i64) -> i64 {
        quota
            - self.quota_used_fifths.div_euclid(5)
            - i64::from(self.quota_used_fifths.rem_euclid(5) != 0)
    }
}

/// Builds the view of a plan started at `base_ms`, frozen at `frozen_ms`, at `now_ms`.
pub fn view(
    plan: Arc<Plan>,
    base_ms: i64,
    frozen_ms: Option<i64>,
    status_override: Option<&str>,
    modified_ms: Option<i64>,
    postal: bool,
    now_ms: i64,
) -> View {
    let horizon = frozen_ms.map_or(now_ms, |f| f.min(now_ms));
    let visible_len = plan
        .events
        .partition_point(|e| base_ms + e.offset_ms <= horizon);
    let visible = &plan.events[..visible_len];
    let last_event_ms = visible.last().map(|e| base_ms + e.offset_ms);
    let (mut status, mut substatus) = match visible.last() {
        Some(e) => (e.status.clone(), Some(e.substatus.clone())),
        None if now_ms - base_ms < 3_600_000 => (TrackingStatus::Pending, None),
        None => (TrackingStatus::NotFound, Some(Substatus::Notfound002)),
    };
    // No news for 30 days (express) or 60 (postal): expired.
    let expiry = if postal { 60 * DAY_MS } else { 30 * DAY_MS };
    let open = !matches!(
        status,
        TrackingStatus::Delivered | TrackingStatus::Exception | TrackingStatus::Undelivered
    );
    if plan.ending == Ending::Expires && open && last_event_ms.is_some_and(|t| horizon - t > expiry)
    {
        status = TrackingStatus::Expired;
        substatus = Some(Substatus::Unknown("expired001".into()));
    }
    if let Some(o) = status_override {
        status = o.parse().unwrap_or_else(|e| match e {});
        substatus = None;
    }
    let updated_ms = [Some(base_ms), last_event_ms, modified_ms]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(base_ms);
    View {
        plan: plan.clone(),
        base_ms,
        visible_len,
        status,
        substatus,
        updated_ms,
    }
}

fn naive(ms: i64, offset_h: i64, postal: bool) -> String {
    let t = DateTime::<Utc>::from_timestamp_millis(ms + offset_h * 3_600_000).unwrap_or_default();
    if postal {
        t.format("%Y-%m-%d %H:%M").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// `created_at` style: ISO-8601 with the account's offset.
pub fn iso(ms: i64, offset_h: i64) -> String {
    let tz = FixedOffset::east_opt((offset_h * 3600) as i32)
        .unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()));
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// What rendering needs besides the tracking.
pub struct RenderCtx<'a> {
    /// The carrier catalogue.
    pub catalogue: &'a Catalogue,
    /// The account's UTC offset.
    pub account_offset_h: i64,
    /// Now (simulated Unix ms).
    pub now_ms: i64,
}

fn carrier_field(cat: &Catalogue, code: &str, key: &str) -> Field<String> {
    cat.get(code)
        .and_then(|c| c.json.get(key))
        .and_then(Value::as_str)
        .map_or(Field::Null, |s| Field::Value(s.to_owned()))
}

fn info(ctx: &RenderCtx<'_>, v: &View, leg: Leg, carrier: &str, postal: bool) -> TrackInfo {
    let events: Vec<&Event> = v.visible().iter().filter(|e| e.leg == leg).collect();
    let milestone = |node: &str| -> Field<String> {
        events
            .iter()
            .find(|e| e.node == Some(node))
            .map_or(Field::Null, |e| {
                Field::Value(naive(v.base_ms + e.offset_ms, e.utc_offset_h, postal))
            })
    };
    let trackinfo: Vec<Checkpoint> = events
        .iter()
        .rev()
        .map(|e| Checkpoint {
            date: Field::Value(naive(v.base_ms + e.offset_ms, e.utc_offset_h, postal)),
            status_description: Field::Value(e.description.clone()),
            details: Field::Value(e.details.clone()),
            checkpoint_status: Field::Value(e.status.clone()),
            substatus: Field::Value(e.substatus.clone()),
            item_node: e.node.map_or(Field::Absent, |n| Field::Value(n.to_owned())),
            extra: Default::default(),
        })
        .collect();
    TrackInfo {
        reference_number: Field::Null,
        item_received: milestone("ItemReceived"),
        item_dispatched: milestone("ItemDispatched"),
        depart_from_airport: milestone("DepartfromAirport"),
        arrival_from_abroad: milestone("ArrivalfromAbroad"),
        customs_clearance: milestone("CustomsClearance"),
        destination_arrived: milestone("DestinationArrived"),
        weblink: carrier_field(ctx.catalogue, carrier, "homepage"),
        phone: carrier_field(ctx.catalogue, carrier, "phone"),
        carrier_code: Field::Value(carrier.to_owned()),
        trackinfo: Field::Value(trackinfo),
        extra: Default::default(),
    }
}

fn field_str(fields: &BTreeMap<String, Value>, name: &str) -> Field<String> {
    match fields.get(name) {
        Some(Value::String(s)) => Field::Value(s.clone()),
        Some(Value::Null) | None => Field::Null,
        Some(other) => Field::Value(other.to_string()),
    }
}

/// Renders a tracking (`t` may be a stored one, or a bare number for realtime).
#[allow(clippy::too_many_arguments)]
pub fn render(
    ctx: &RenderCtx<'_>,
    shape: Shape,
    id: &str,
    carrier: &str,
    number: &str,
    stored: Option<&StoredTracking>,
    v: &View,
) -> Tracking {
    let postal = ctx.catalogue.get(carrier).is_some_and(|c| c.postal);
    let empty = BTreeMap::new();
    let fields = stored.map_or(&empty, |s| &s.fields);
    let mut t = Tracking::new(carrier, number);
    t.id = Field::Value(id.to_owned());
    t.status = Field::Value(if shape == Shape::Created {
        TrackingStatus::Pending
    } else {
        v.status.clone()
    });
    let order_time = match fields.get("order_create_time") {
        Some(Value::String(s)) => Field::Value(NumberOrString::String(s.clone())),
        Some(Value::Number(n)) => Field::Value(NumberOrString::Number(n.clone())),
        _ => Field::Null,
    };
    let created = stored.map(|s| iso(s.created_ms, ctx.account_offset_h));
    match shape {
        Shape::Created | Shape::Updated => {
            t.created_at = created.map_or(Field::Null, Field::Value);
            // The 2019 capture sends the integer 0 when no order time was given.
            t.order_create_time = match order_time {
                Field::Null => Field::Value(NumberOrString::from(0u64)),
                other => other,
            };
            t.customer_email = match fields.get("customer_email") {
                Some(v) => serde_json::from_value(v.clone()).map_or(Field::Null, Field::Value),
                None => Field::Null,
            };
            t.customer_name = field_str(fields, "customer_name");
            t.customer_phone = field_str(fields, "customer_phone");
            t.order_id = field_str(fields, "order_id");
            t.comment = field_str(fields, "comment");
            t.title = field_str(fields, "title");
            t.logistics_channel = field_str(fields, "logistics_channel");
            t.destination = Field::Value(
                field_str(fields, "destination_code")
                    .into_value()
                    .unwrap_or_default(),
            );
            if shape == Shape::Updated {
                t.updated_at = Field::Value(iso(
                    stored.and_then(|s| s.modified_ms).unwrap_or(v.updated_ms),
                    ctx.account_offset_h,
                ));
                t.destination_code = field_str(fields, "destination_code");
                t.archived = Field::Value(stored.is_some_and(|s| s.archived));
            }
            return t;
        }
        Shape::Full => {
            t.track_update = Field::Value(stored.is_none_or(|s| s.frozen_ms.is_none()));
            t.created_at = created.map_or(Field::Null, Field::Value);
            t.updated_at = Field::Value(iso(v.updated_ms, ctx.account_offset_h));
            t.order_create_time = order_time;
            t.customer_email = match fields.get("customer_email") {
                Some(v) => serde_json::from_value(v.clone()).map_or(Field::Null, Field::Value),
                None => Field::Value("".into()),
            };
            t.title = Field::Value(field_str(fields, "title").into_value().unwrap_or_default());
            t.order_id = field_str(fields, "order_id");
            t.comment = field_str(fields, "comment");
            t.customer_name = field_str(fields, "customer_name");
            t.archived = Field::Value(stored.is_some_and(|s| s.archived));
            for (name, slot) in [
                ("customer_phone", &mut t.customer_phone),
                ("logistics_channel", &mut t.logistics_channel),
                ("destination_code", &mut t.destination_code),
            ] {
                if fields.contains_key(name) {
                    *slot = field_str(fields, name);
                }
            }
        }
        Shape::Realtime => {
            t.order_create_time = match order_time {
                Field::Null => Field::Value(NumberOrString::from("")),
                other => other,
            };
            t.destination_code = Field::Value(v.plan.destination.code.to_ascii_lowercase());
            t.track_update = Field::Value(true);
        }
    }
    let plan = &v.plan;
    t.original_country = Field::Value(plan.origin.name.to_owned());
    if plan.international() {
        t.destination_country = Field::Value(plan.destination.name.to_owned());
    }
    let first = v.visible().first().map(|e| v.base_ms + e.offset_ms);
    let last = v.visible().last().map(|e| v.base_ms + e.offset_ms);
    let done = matches!(v.status, TrackingStatus::Delivered);
    t.item_time_length = match (first, last) {
        (Some(f), Some(l)) => Field::Value(
            ((if done { l } else { ctx.now_ms }) - f)
                .max(0)
                .div_euclid(DAY_MS)
                + 1,
        ),
        _ => Field::Null,
    };
    t.stay_time_length =
        Field::Value(last.map_or(0, |l| (ctx.now_ms - l).max(0).div_euclid(DAY_MS)));
    t.service_code = Field::Null;
    if shape == Shape::Realtime {
        t.package_status = Field::Null;
        t.last_mile_tracking_supported = Field::Null;
    } else {
        t.status_info = Field::Null;
    }
    t.substatus = v.substatus.clone().map_or(Field::Null, Field::Value);
    t.origin_info = Field::Value(info(ctx, v, Leg::Origin, carrier, postal));
    t.destination_info = match plan.last_mile {
        Some(lm) => Field::Value(info(ctx, v, Leg::Destination, lm, true)),
        None if shape == Shape::Realtime => Field::Null,
        None => Field::Absent,
    };
    match t.latest_checkpoint().cloned() {
        Some(cp) => {
            t.last_event = Field::Value(cp.event_text());
            t.last_update_time = cp.date;
        }
        None => {
            t.last_event = Field::Null;
            t.last_update_time = Field::Null;
        }
    }
    t
}

/// The account summary `getuserinfo` answers.
pub fn user_info(store: &Store, email: &str, quota: i64) -> Value {
    json!({
        "email": email,
        "regtime": store.registered_secs.to_string(),
        "phone": "+10000000000",
        "money": 0,
        "track_number": store.quota_left(quota).max(0),
    })
}

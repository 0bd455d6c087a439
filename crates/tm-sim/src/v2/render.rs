//! How a v2 tracking looks on the wire, per endpoint: which keys, which values for unset
//! fields, and the key order the real captures show (§10 of the v2 reference).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::catalogue::Catalogue;
use crate::journey::{Event, Leg};
use crate::json::{J, Obj};
use crate::store::{DAY_MS, StoredTracking, View, iso, naive};

/// Which keys a response includes and in which order, per endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// get, list and webhook pushes: everything (capture 01's order).
    Full,
    /// create and batch create: the short record (captures 02, 03).
    Created,
    /// PUT: the short record plus the update fields.
    Updated,
    /// realtime: no account-side fields (captures 09, 10).
    Realtime,
}

const FULL: &[&str] = &[
    "id",
    "tracking_number",
    "carrier_code",
    "status",
    "track_update",
    "created_at",
    "updated_at",
    "order_create_time",
    "customer_email",
    "title",
    "order_id",
    "comment",
    "customer_name",
    "customer_phone",
    "logistics_channel",
    "destination_code",
    "archived",
    "original_country",
    "destination_country",
    "itemTimeLength",
    "stayTimeLength",
    "service_code",
    "status_info",
    "substatus",
    "origin_info",
    "destination_info",
    "lastEvent",
    "lastUpdateTime",
];

const CREATED: &[&str] = &[
    "id",
    "tracking_number",
    "carrier_code",
    "order_create_time",
    "status",
    "created_at",
    "customer_email",
    "customer_name",
    "customer_phone",
    "order_id",
    "comment",
    "title",
    "logistics_channel",
    "destination",
];

/// What `PUT` adds to the short record.
const UPDATED_EXTRA: &[&str] = &["updated_at", "destination_code", "archived"];

const REALTIME: &[&str] = &[
    "id",
    "tracking_number",
    "carrier_code",
    "order_create_time",
    "destination_code",
    "status",
    "track_update",
    "original_country",
    "destination_country",
    "itemTimeLength",
    "stayTimeLength",
    "service_code",
    "packageStatus",
    "substatus",
    "last_mile_tracking_supported",
    "origin_info",
    "destination_info",
    "lastEvent",
    "lastUpdateTime",
];

impl Shape {
    fn keys(self) -> impl Iterator<Item = &'static &'static str> {
        let (keys, extra): (&[&str], &[&str]) = match self {
            Shape::Full => (FULL, &[]),
            Shape::Created => (CREATED, &[]),
            Shape::Updated => (CREATED, UPDATED_EXTRA),
            Shape::Realtime => (REALTIME, &[]),
        };
        keys.iter().chain(extra)
    }
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

/// A tracking to render: a stored one, or a bare number (realtime of an untracked number).
pub struct Subject<'a> {
    /// 32-hex id.
    pub id: &'a str,
    /// Carrier code.
    pub carrier: &'a str,
    /// Number.
    pub number: &'a str,
    /// The stored record, if tracked.
    pub stored: Option<&'a StoredTracking>,
}

/// A stored field as the short records show it: its value, or `null`.
fn field(fields: &BTreeMap<String, Value>, name: &str) -> J {
    match fields.get(name) {
        None | Some(Value::Null) => J::Null,
        Some(v) => J::Raw(v.clone()),
    }
}

/// A stored text field, or `""` when unset (as list items show `title` and `customer_email`).
fn field_or_empty(fields: &BTreeMap<String, Value>, name: &str) -> J {
    match fields.get(name) {
        None | Some(Value::Null) => J::s(""),
        Some(v) => J::Raw(v.clone()),
    }
}

/// Renders `subject` as it stands in `view`, in `shape`.
pub fn tracking(ctx: &RenderCtx<'_>, shape: Shape, subject: &Subject<'_>, view: &View) -> Obj {
    let empty = BTreeMap::new();
    let fields = subject.stored.map_or(&empty, |s| &s.fields);
    let postal = ctx
        .catalogue
        .get(subject.carrier)
        .is_some_and(|c| c.postal());
    let status = view.v2();
    let mut v: HashMap<&'static str, J> = HashMap::with_capacity(32);
    v.insert("id", J::from(subject.id.to_owned()));
    v.insert("tracking_number", J::from(subject.number.to_owned()));
    v.insert("carrier_code", J::from(subject.carrier.to_owned()));
    v.insert(
        "status",
        J::s(if shape == Shape::Created {
            "pending"
        } else {
            status.status
        }),
    );
    let order_time = match fields.get("order_create_time") {
        None | Some(Value::Null) => None,
        Some(t) => Some(J::Raw(t.clone())),
    };
    let created = subject
        .stored
        .map(|s| J::from(iso(s.created_ms, ctx.account_offset_h)));
    let short = matches!(shape, Shape::Created | Shape::Updated);
    if short {
        v.insert("created_at", created.unwrap_or(J::Null));
        // The 2019 batch capture sends the integer 0 when no order time was given.
        v.insert("order_create_time", order_time.unwrap_or(J::from(0u64)));
        v.insert("destination", field_or_empty(fields, "destination_code"));
        // Every other key of the short record is a field as it was sent, or null.
        for name in CREATED {
            v.entry(name).or_insert_with(|| field(fields, name));
        }
        if shape == Shape::Updated {
            let modified = subject.stored.and_then(|s| s.modified_ms);
            v.insert(
                "updated_at",
                J::from(iso(
                    modified.unwrap_or(view.updated_ms),
                    ctx.account_offset_h,
                )),
            );
            v.insert("destination_code", field(fields, "destination_code"));
            v.insert(
                "archived",
                J::from(subject.stored.is_some_and(|s| s.archived)),
            );
        }
        return ordered(shape, v);
    }
    if shape == Shape::Realtime {
        v.insert("order_create_time", order_time.unwrap_or(J::s("")));
        v.insert(
            "destination_code",
            J::from(view.plan.destination.code.to_ascii_lowercase()),
        );
        v.insert("track_update", J::from(true));
        v.insert("packageStatus", J::Null);
        v.insert("last_mile_tracking_supported", J::Null);
    } else {
        let stored = subject.stored;
        v.insert(
            "track_update",
            J::from(stored.is_none_or(|s| s.frozen_ms.is_none())),
        );
        v.insert("created_at", created.unwrap_or(J::Null));
        v.insert(
            "updated_at",
            J::from(iso(view.updated_ms, ctx.account_offset_h)),
        );
        v.insert("order_create_time", order_time.unwrap_or(J::Null));
        v.insert("customer_email", field_or_empty(fields, "customer_email"));
        v.insert("title", field_or_empty(fields, "title"));
        for name in ["order_id", "comment", "customer_name"] {
            v.insert(name, field(fields, name));
        }
        // Sent only when set, as the captures that show them set them.
        for name in ["customer_phone", "logistics_channel", "destination_code"] {
            if fields.contains_key(name) {
                v.insert(name, field(fields, name));
            }
        }
        v.insert("archived", J::from(stored.is_some_and(|s| s.archived)));
        v.insert("status_info", J::Null);
    }
    let plan = &view.plan;
    v.insert("original_country", J::s(plan.origin.name));
    if plan.international() {
        v.insert("destination_country", J::s(plan.destination.name));
    }
    let visible = view.visible();
    let first = visible.first().map(|e| view.base_ms + e.offset_ms);
    let last = visible.last().map(|e| view.base_ms + e.offset_ms);
    let done = status.status == "delivered";
    v.insert(
        "itemTimeLength",
        match (first, last) {
            (Some(f), Some(l)) => J::from(
                ((if done { l } else { ctx.now_ms }) - f)
                    .max(0)
                    .div_euclid(DAY_MS)
                    + 1,
            ),
            _ => J::Null,
        },
    );
    v.insert(
        "stayTimeLength",
        J::from(last.map_or(0, |l| (ctx.now_ms - l).max(0).div_euclid(DAY_MS))),
    );
    v.insert("service_code", J::Null);
    v.insert("substatus", J::opt(status.substatus));
    let with_reference = shape != Shape::Realtime;
    let origin = info(
        ctx,
        view,
        Leg::Origin,
        subject.carrier,
        postal,
        with_reference,
    );
    v.insert("origin_info", J::from(origin.block));
    let destination = plan
        .last_mile
        .map(|lm| info(ctx, view, Leg::Destination, lm, true, with_reference));
    let mut newest = origin.newest;
    match destination {
        Some(d) => {
            let later = match (&d.newest, &newest) {
                (Some((t, _, _)), Some((n, _, _))) => t > n,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if later {
                newest = d.newest;
            }
            v.insert("destination_info", J::from(d.block));
        }
        None if shape == Shape::Realtime => {
            v.insert("destination_info", J::Null);
        }
        None => {}
    }
    match newest {
        Some((_, event_text, date)) => {
            v.insert("lastEvent", J::from(event_text));
            v.insert("lastUpdateTime", J::from(date));
        }
        None => {
            v.insert("lastEvent", J::Null);
            v.insert("lastUpdateTime", J::Null);
        }
    }
    ordered(shape, v)
}

/// The values in the shape's order; keys the shape does not list are left out.
fn ordered(shape: Shape, mut values: HashMap<&'static str, J>) -> Obj {
    let mut out = Obj::new();
    for key in shape.keys() {
        if let Some(v) = values.remove(key) {
            out.push(*key, v);
        }
    }
    out
}

/// One info block and its newest checkpoint: (time, `lastEvent` text, `Date`).
struct Info {
    block: Obj,
    newest: Option<(i64, String, String)>,
}

fn carrier_text(
    cat: &Catalogue,
    code: &str,
    pick: fn(&crate::catalogue::CarrierRecord) -> &str,
) -> J {
    cat.get(code)
        .map_or(J::Null, |c| J::from(pick(c).to_owned()))
}

/// `origin_info` / `destination_info` of `leg`: milestones, carrier links and checkpoints,
/// newest first. Posts date to the minute, express carriers to the second (capture 09).
fn info(
    ctx: &RenderCtx<'_>,
    v: &View,
    leg: Leg,
    carrier: &str,
    postal: bool,
    with_reference: bool,
) -> Info {
    let events: Vec<&Event> = v.visible().iter().filter(|e| e.leg == leg).collect();
    let date = |e: &Event| naive(v.base_ms + e.offset_ms, e.utc_offset_h, !postal);
    let milestone = |node: &str| {
        events
            .iter()
            .find(|e| e.node == Some(node))
            .map_or(J::Null, |e| J::from(date(e)))
    };
    let mut block = Obj::new();
    if with_reference {
        block.push("ReferenceNumber", J::Null);
    }
    for node in [
        "ItemReceived",
        "ItemDispatched",
        "DepartfromAirport",
        "ArrivalfromAbroad",
        "CustomsClearance",
        "DestinationArrived",
    ] {
        block.push(node, milestone(node));
    }
    block.push(
        "weblink",
        carrier_text(ctx.catalogue, carrier, |c| &c.homepage),
    );
    block.push("phone", carrier_text(ctx.catalogue, carrier, |c| &c.phone));
    block.push("carrier_code", J::from(carrier.to_owned()));
    let checkpoints: Vec<J> = events
        .iter()
        .rev()
        .map(|e| {
            J::from(
                Obj::new()
                    .with("Date", date(e))
                    .with("StatusDescription", e.description)
                    .with("Details", e.details.clone())
                    .with("checkpoint_status", e.code.v2)
                    .with("substatus", e.code.v2_sub)
                    .with_some("ItemNode", e.node),
            )
        })
        .collect();
    block.push("trackinfo", J::Arr(checkpoints));
    let newest = events.last().map(|e| {
        let text = [e.description, e.details.as_str(), &date(e)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(",");
        (v.base_ms + e.offset_ms, text, date(e))
    });
    Info { block, newest }
}

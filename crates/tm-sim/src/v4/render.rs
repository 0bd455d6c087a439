//! How a v4 tracking and a courier look on the wire: every key present (unset ones `null`), in
//! the order of the reference's real objects (CAP-AMZ, CAP-USPS), record times with an offset,
//! event times without.

use serde_json::Value;

use crate::catalogue::{CarrierRecord, Catalogue};
use crate::journey::{Event, Leg};
use crate::json::{J, Obj};
use crate::state::Sim;
use crate::store::{DAY_MS, Store, StoredTracking, View, iso};

/// v4's create and update fields and where the account keeps them (v2's name where both
/// generations have the field, so one tracking reads alike through either).
pub const FIELDS: &[(&str, &str)] = &[
    ("order_number", "order_number"),
    ("origin_country_iso2", "origin_country_iso2"),
    ("destination_country_iso2", "destination_code"),
    ("customer_name", "customer_name"),
    ("customer_email", "customer_email"),
    ("customer_sms", "customer_phone"),
    ("recipient_postcode", "recipient_postcode"),
    ("title", "title"),
    ("logistics_channel", "logistics_channel"),
    ("order_id", "order_id"),
    ("order_date", "order_create_time"),
    ("tracking_courier_account", "tracking_account_number"),
    ("tracking_postal_code", "tracking_postal_code"),
    ("tracking_origin_country", "tracking_origin_country"),
    (
        "tracking_destination_country",
        "tracking_destination_country",
    ),
    ("tracking_ship_date", "tracking_ship_date"),
    ("tracking_key", "tracking_key"),
    ("language", "lang"),
    ("note", "comment"),
    ("label", "label"),
];

/// A stored field under its v4 name: a string (v2 may have kept a number or a list), or null.
pub fn field(t: &StoredTracking, v4_name: &str) -> J {
    let stored = FIELDS
        .iter()
        .find(|(v4, _)| *v4 == v4_name)
        .map_or(v4_name, |(_, s)| s);
    match t.fields.get(stored) {
        None | Some(Value::Null) => J::Null,
        Some(Value::String(s)) => J::from(s.clone()),
        Some(Value::Array(a)) => J::from(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Some(other) => J::from(other.to_string()),
    }
}

/// The carrier-local time of an event without offset: `2023-09-15T15:00:00`.
fn local(ms: i64, offset_h: i64) -> String {
    crate::store::naive(ms, offset_h, true).replacen(' ', "T", 1)
}

/// The milestone an event marks, if any (v4's `milestone_date` keys).
fn milestone(e: &Event) -> Option<&'static str> {
    Some(match e.code.v4_sub {
        "inforeceived001" => "inforeceived_date",
        "transit001" if e.node == Some("ItemReceived") => "pickup_date",
        "pickup001" | "pickup002" => "outfordelivery_date",
        s if s.starts_with("delivered") => "delivery_date",
        "exception011" => "returning_date",
        "exception010" => "returned_date",
        _ => return None,
    })
}

/// One leg: its courier, milestones, legacy milestones and checkpoints, newest first.
fn leg(cat: &Catalogue, view: &View, which: Leg, courier: Option<&str>) -> (Obj, Option<i64>) {
    let events: Vec<&Event> = view.visible().iter().filter(|e| e.leg == which).collect();
    let at = |e: &Event| view.base_ms + e.offset_ms;
    let first_of = |pred: &dyn Fn(&Event) -> bool| {
        events
            .iter()
            .find(|e| pred(e))
            .map_or(J::Null, |e| J::from(local(at(e), e.utc_offset_h)))
    };
    let mut milestones = Obj::new();
    for key in [
        "inforeceived_date",
        "pickup_date",
        "outfordelivery_date",
        "delivery_date",
        "returning_date",
        "returned_date",
    ] {
        milestones.push(key, first_of(&|e| milestone(e) == Some(key)));
    }
    let record = courier.and_then(|c| cat.get(c));
    let text = |pick: fn(&CarrierRecord) -> &str| {
        record
            .map(pick)
            .filter(|s| !s.is_empty())
            .map_or(J::Null, |s| J::from(s.to_owned()))
    };
    let checkpoints: Vec<J> = events
        .iter()
        .rev()
        .map(|e| {
            J::from(
                Obj::new()
                    .with("checkpoint_date", local(at(e), e.utc_offset_h))
                    .with("checkpoint_delivery_status", e.code.v4)
                    .with("checkpoint_delivery_substatus", e.code.v4_sub)
                    .with("tracking_detail", e.description)
                    .with("location", e.details.clone())
                    .with("country_iso2", e.country)
                    .with("state", J::Null)
                    .with("city", e.city)
                    .with("zip", J::Null)
                    .with("raw_status", J::Null),
            )
        })
        .collect();
    let block = Obj::new()
        .with("courier_code", J::opt(courier))
        .with("courier_phone", text(|c| &c.phone))
        .with("weblink", text(|c| &c.homepage))
        .with("reference_number", J::Null)
        .with("milestone_date", milestones)
        .with(
            "pickup_date",
            first_of(&|e| milestone(e) == Some("pickup_date")),
        )
        .with(
            "departed_airport_date",
            first_of(&|e| e.code.v4_sub == "transit007"),
        )
        .with(
            "arrived_abroad_date",
            first_of(&|e| e.code.v4_sub == "transit004"),
        )
        .with(
            "customs_received_date",
            first_of(&|e| matches!(e.code.v4_sub, "transit005" | "exception006")),
        )
        .with("trackinfo", J::Arr(checkpoints));
    (block, events.last().map(|e| at(e)))
}

/// A tracking as v4 shows it at `view`.
pub fn tracking(sim: &Sim, t: &StoredTracking, view: &View) -> Obj {
    let status = view.v4();
    let plan = &view.plan;
    let visible = view.visible();
    let newest = visible.last();
    let latest_event = newest.map(|e| {
        format!(
            "{}, {}, {}",
            e.description,
            e.details,
            crate::store::naive(view.base_ms + e.offset_ms, e.utc_offset_h, true)
        )
    });
    let first_ms = visible.first().map(|e| view.base_ms + e.offset_ms);
    let done = matches!(status.status, "delivered" | "exception" | "expired");
    let end_ms = if done {
        newest.map_or(view.updated_ms, |e| view.base_ms + e.offset_ms)
    } else {
        sim.clock.now_ms()
    };
    let transit_days = first_ms.map_or(0, |f| (end_ms - f).max(0).div_euclid(DAY_MS));
    let (origin, _) = leg(&sim.catalogue, view, Leg::Origin, Some(&t.carrier_code));
    let (destination, _) = leg(&sim.catalogue, view, Leg::Destination, plan.last_mile);
    let destination_city = visible
        .iter()
        .rev()
        .find(|e| e.country == plan.destination.code)
        .map(|e| J::from(e.city.to_ascii_uppercase()));
    let origin_city = visible
        .first()
        .filter(|e| e.country == plan.origin.code)
        .map(|e| J::from(e.city.to_ascii_uppercase()));
    let mut o = Obj::new()
        .with("id", t.id.clone())
        .with("tracking_number", t.tracking_number.clone())
        .with("courier_code", t.carrier_code.clone())
        .with("order_number", field(t, "order_number"))
        .with("order_date", field(t, "order_date"))
        .with("created_at", iso(t.created_ms, 0))
        .with("update_at", iso(view.updated_ms, 0))
        .with("delivery_status", status.status)
        .with("archived", if t.archived { "archived" } else { "tracking" })
        .with("updating", view.fresh)
        .with("source", "API")
        .with("destination_country", plan.destination.code)
        .with("destination_state", J::Null)
        .with("destination_city", destination_city.unwrap_or(J::Null))
        .with("origin_country", plan.origin.code)
        .with("origin_state", J::Null)
        .with("origin_city", origin_city.unwrap_or(J::Null));
    for name in [
        "tracking_postal_code",
        "tracking_ship_date",
        "tracking_destination_country",
        "tracking_origin_country",
        "tracking_key",
        "tracking_courier_account",
        "customer_name",
        "customer_email",
        "customer_sms",
        "recipient_postcode",
        "order_id",
        "title",
        "logistics_channel",
        "note",
        "label",
    ] {
        o.push(name, field(t, name));
    }
    let delivered = status.status == "delivered";
    o = o
        .with(
            "signed_by",
            if delivered && newest.is_some_and(|e| e.code.v4_sub == "delivered003") {
                J::s("RECIPIENT")
            } else {
                J::Null
            },
        )
        .with("service_code", J::Null)
        .with("weight", J::Null)
        .with("weight_kg", J::Null)
        .with("product_type", J::Null)
        .with("pieces", J::Null)
        .with("dimension", J::Null)
        .with("previously", J::Null)
        .with(
            "destination_track_number",
            if plan.last_mile.is_some() {
                J::from(t.tracking_number.clone())
            } else {
                J::Null
            },
        )
        .with("exchange_number", J::Null)
        .with("scheduled_delivery_date", J::Null)
        .with("scheduled_address", J::Null)
        .with("substatus", J::opt(status.substatus))
        .with("status_info", J::Null)
        .with("latest_event", J::opt(latest_event))
        .with(
            "latest_checkpoint_time",
            J::opt(newest.map(|e| local(view.base_ms + e.offset_ms, e.utc_offset_h))),
        )
        .with("transit_time", transit_days)
        .with("origin_info", origin)
        .with("destination_info", destination);
    o
}

/// The v4 view of a stored tracking (v4's expiry) and its rendering.
pub fn stored(sim: &Sim, st: &mut Store, t: &StoredTracking, now_ms: i64) -> Obj {
    let view = view(sim, st, t, now_ms);
    tracking(sim, t, &view)
}

/// The v4 view of a stored tracking at `now_ms`.
pub fn view(sim: &Sim, st: &mut Store, t: &StoredTracking, now_ms: i64) -> View {
    crate::store::stored_view_expiring(
        &mut st.plans,
        sim.config.seed,
        &sim.catalogue,
        t,
        sim.config.v4.expiry_days * DAY_MS,
        now_ms,
    )
}

/// `{id, tracking_number, courier_code}`: what v4 returns of a tracking it deleted, and of
/// an existing one on 4101.
pub fn minimal(t: &StoredTracking) -> Obj {
    Obj::new()
        .with("id", t.id.clone())
        .with("tracking_number", t.tracking_number.clone())
        .with("courier_code", t.carrier_code.clone())
}

/// The `tracking_*` fields a courier requires: the carriers the references name (a ship date
/// for Deutsche Post, a postal code for PostNL 3S and Mondial Relay).
pub fn required_fields(code: &str) -> &'static [&'static str] {
    match code {
        "deutsche-post" => &["tracking_ship_date"],
        "postnl-3s" | "mondialrelay" => &["tracking_postal_code"],
        _ => &[],
    }
}

/// A courier under v4's field names, from the v2 list (one slug namespace).
pub fn courier(c: &CarrierRecord) -> Obj {
    let required = required_fields(&c.code);
    let text = |s: &str| {
        if s.is_empty() {
            J::Null
        } else {
            J::from(s.to_owned())
        }
    };
    Obj::new()
        .with("courier_name", c.name.clone())
        .with("courier_code", c.code.clone())
        .with("courier_country_iso2", J::Null)
        .with("courier_url", text(&c.homepage))
        .with("courier_phone", text(&c.phone))
        .with(
            "courier_type",
            if c.postal() { "postal" } else { "express" },
        )
        .with(
            "tracking_required_fields",
            if required.is_empty() {
                J::Null
            } else {
                J::Arr(required.iter().map(|f| J::s(f)).collect())
            },
        )
        .with("optional_fields", J::Null)
        .with("default_language", "en")
        .with("support_language", J::Arr(vec![J::s("en")]))
        .with("courier_logo", text(&c.picture))
}

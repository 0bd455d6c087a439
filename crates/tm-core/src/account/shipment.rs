//! A shipment as either generation returns it, in one shape: the fields both know by name,
//! the checkpoints in one timeline, and the generation's own tracking kept whole ([`Tracked`])
//! for what only it has and for JSON output under the API's own field names.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use tm_types::{Field, v2, v4};

/// A shipment: what both generations say of a tracking, under one set of names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shipment {
    /// The tracking's id (v4's 32-hex id; v2 sends one too, where it does).
    pub id: Option<String>,
    /// The carrier (v4: courier) code.
    pub carrier: String,
    /// The tracking number.
    pub number: String,
    /// The main status as the API spells it (`-` when absent); unknown ones are kept.
    pub status: String,
    /// The sub-status, where sent.
    pub substatus: Option<String>,
    /// The product title.
    pub title: Option<String>,
    /// The order id.
    pub order_id: Option<String>,
    /// The customer's name.
    pub customer_name: Option<String>,
    /// Where it comes from (a country name or code, as the API gives it).
    pub origin: Option<String>,
    /// Where it goes.
    pub destination: Option<String>,
    /// When the tracking was created.
    pub created: Option<DateTime<Utc>>,
    /// When it last changed (v2 `updated_at`, v4 `update_at`).
    pub updated: Option<DateTime<Utc>>,
    /// Days in transit as the API counts them.
    pub transit_days: Option<i64>,
    /// The newest event's text.
    pub last_event: Option<String>,
    /// Archived (the API stops updating it).
    pub archived: bool,
    /// Every checkpoint of both legs, newest first.
    pub checkpoints: Vec<Checkpoint>,
    /// The generation's own tracking, whole (its JSON is the API's, field names included).
    pub raw: Tracked,
}

/// One carrier event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// As the carrier gives it (local time, no zone).
    pub time: String,
    /// The same, read, when it reads.
    pub at: Option<NaiveDateTime>,
    /// What happened.
    pub text: String,
    /// Where, when known.
    pub place: Option<String>,
    /// The event's status, where sent.
    pub status: Option<String>,
    /// The event's sub-status, where sent.
    pub substatus: Option<String>,
}

/// The generation's own tracking behind a [`Shipment`].
#[derive(Debug, Clone, PartialEq)]
pub enum Tracked {
    /// A v2 tracking.
    V2(Box<v2::Tracking>),
    /// A v4 tracking.
    V4(Box<v4::Tracking>),
}

impl Serialize for Tracked {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tracked::V2(t) => t.serialize(s),
            Tracked::V4(t) => t.serialize(s),
        }
    }
}

impl Default for Tracked {
    fn default() -> Self {
        Tracked::V4(Box::default())
    }
}

/// Which tracking a command or a call names: a carrier and a number (both generations), or
/// v4's 32-hex id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ShipmentRef {
    /// A carrier (courier) code and a tracking number.
    Number {
        /// The carrier code.
        carrier: String,
        /// The tracking number.
        number: String,
    },
    /// A v4 tracking id.
    Id(String),
}

impl ShipmentRef {
    /// `carrier` `number`.
    pub fn number(carrier: impl Into<String>, number: impl Into<String>) -> Self {
        ShipmentRef::Number {
            carrier: carrier.into(),
            number: number.into(),
        }
    }

    /// From a command line's `FIRST [SECOND]`: a carrier and a number, or one 32-hex id.
    ///
    /// ```
    /// use tm_core::account::ShipmentRef;
    /// assert_eq!(ShipmentRef::parse("ups", Some("1Z9")), Ok(ShipmentRef::number("ups", "1Z9")));
    /// let id = "5dc91dffc4b2b83bc5a8f42875e15de8";
    /// assert_eq!(ShipmentRef::parse(id, None), Ok(ShipmentRef::Id(id.into())));
    /// assert!(ShipmentRef::parse("ups", None).is_err());
    /// ```
    pub fn parse(first: &str, second: Option<&str>) -> Result<Self, String> {
        match second {
            Some(number) => Ok(ShipmentRef::number(first.trim(), number.trim())),
            None if is_id(first.trim()) => Ok(ShipmentRef::Id(first.trim().to_ascii_lowercase())),
            None => Err(format!(
                "{first:?}: give CARRIER NUMBER, or a tracking's 32-hex id"
            )),
        }
    }
}

impl std::fmt::Display for ShipmentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShipmentRef::Number { carrier, number } => write!(f, "{carrier}:{number}"),
            ShipmentRef::Id(id) => f.write_str(id),
        }
    }
}

/// True for a tracking id: 32 hex digits.
pub(crate) fn is_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Shipment {
    /// `carrier:number`: how `tm watch`, the dashboard and the mirror name a shipment.
    pub fn key(&self) -> String {
        format!("{}:{}", self.carrier, self.number)
    }

    /// Which tracking this is.
    pub fn reference(&self) -> ShipmentRef {
        ShipmentRef::number(&self.carrier, &self.number)
    }

    /// The newest checkpoint's time, read.
    pub fn last_checkpoint_at(&self) -> Option<NaiveDateTime> {
        self.checkpoints.iter().filter_map(|c| c.at).max()
    }
}

fn text(f: &Field<String>) -> Option<String> {
    f.value().filter(|s| !s.is_empty()).cloned()
}

fn utc(t: Option<DateTime<chrono::FixedOffset>>) -> Option<DateTime<Utc>> {
    t.map(|t| t.with_timezone(&Utc))
}

/// Newest first; origin and destination legs interleave in time.
fn timeline(mut cps: Vec<Checkpoint>) -> Vec<Checkpoint> {
    cps.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.time.cmp(&a.time)));
    cps
}

impl From<v2::Tracking> for Shipment {
    fn from(t: v2::Tracking) -> Self {
        let checkpoints = timeline(
            t.checkpoints()
                .map(|c| Checkpoint {
                    time: c.date.as_deref().unwrap_or("").to_owned(),
                    at: c.time(),
                    text: c.status_description.as_deref().unwrap_or("").to_owned(),
                    place: text(&c.details),
                    status: c.checkpoint_status.value().map(ToString::to_string),
                    substatus: c.substatus.value().map(ToString::to_string),
                })
                .collect(),
        );
        Shipment {
            id: text(&t.id),
            status: t
                .status()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
            substatus: t.substatus.value().map(ToString::to_string),
            title: text(&t.title),
            order_id: text(&t.order_id),
            customer_name: text(&t.customer_name),
            origin: text(&t.original_country),
            destination: text(&t.destination_country).or_else(|| text(&t.destination_code)),
            created: utc(t.created_at()),
            updated: utc(t.updated_at()),
            transit_days: t.item_time_length.value().copied(),
            last_event: text(&t.last_event),
            archived: t.archived.value().copied().unwrap_or(false),
            checkpoints,
            carrier: t.carrier_code.clone(),
            number: t.tracking_number.clone(),
            raw: Tracked::V2(Box::new(t)),
        }
    }
}

impl From<v4::Tracking> for Shipment {
    fn from(t: v4::Tracking) -> Self {
        let checkpoints = timeline(
            t.checkpoints()
                .map(|c| Checkpoint {
                    time: c.checkpoint_date.as_deref().unwrap_or("").to_owned(),
                    at: c.time(),
                    text: c.tracking_detail.as_deref().unwrap_or("").to_owned(),
                    place: text(&c.location).or_else(|| text(&c.city)),
                    status: c
                        .checkpoint_delivery_status
                        .value()
                        .map(ToString::to_string),
                    substatus: c
                        .checkpoint_delivery_substatus
                        .value()
                        .map(ToString::to_string),
                })
                .collect(),
        );
        Shipment {
            id: text(&t.id),
            status: t
                .status()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
            substatus: t.substatus.value().map(ToString::to_string),
            title: text(&t.title),
            order_id: text(&t.order_id).or_else(|| text(&t.order_number)),
            customer_name: text(&t.customer_name),
            origin: text(&t.origin_country),
            destination: text(&t.destination_country),
            created: utc(t.created_at()),
            updated: utc(t.updated_at()),
            transit_days: t.transit_time.value().copied(),
            last_event: text(&t.latest_event),
            archived: t.is_archived(),
            checkpoints,
            carrier: t.courier_code.value().cloned().unwrap_or_default(),
            number: t.tracking_number.value().cloned().unwrap_or_default(),
            raw: Tracked::V4(Box::new(t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v2_tracking_becomes_one_timeline_newest_first() {
        let t: v2::Tracking = serde_json::from_str(
            r#"{"tracking_number":"RR1","carrier_code":"china-post","status":"transit",
                "origin_info":{"trackinfo":[{"Date":"2024-03-01 10:00","StatusDescription":"Accepted","Details":"Shenzhen"}]},
                "destination_info":{"trackinfo":[{"Date":"2024-03-05 09:00","StatusDescription":"Arrived","Details":"","substatus":"transit002"}]}}"#,
        )
        .unwrap();
        let s = Shipment::from(t);
        assert_eq!(s.key(), "china-post:RR1");
        assert_eq!(s.checkpoints[0].text, "Arrived");
        assert_eq!(s.checkpoints[0].place, None);
        assert_eq!(s.checkpoints[0].substatus.as_deref(), Some("transit002"));
        assert_eq!(s.checkpoints[1].place.as_deref(), Some("Shenzhen"));
        assert!(matches!(s.raw, Tracked::V2(_)));
    }

    #[test]
    fn a_v4_tracking_speaks_the_same_names() {
        let t: v4::Tracking = serde_json::from_str(
            r##"{"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"9104","courier_code":"dhl",
                "delivery_status":"delivered","order_number":"#7","latest_event":"Delivered",
                "origin_info":{"trackinfo":[{"checkpoint_date":"2024-03-05T09:00:00","tracking_detail":"Delivered","city":"Berlin","checkpoint_delivery_status":"delivered"}]}}"##,
        )
        .unwrap();
        let s = Shipment::from(t);
        assert_eq!(
            (s.key().as_str(), s.status.as_str()),
            ("dhl:9104", "delivered")
        );
        assert_eq!(s.id.as_deref(), Some("9a71ac3628f63b843820bddbc9fb7e35"));
        assert_eq!(s.order_id.as_deref(), Some("#7"));
        assert_eq!(s.checkpoints[0].place.as_deref(), Some("Berlin"));
        assert_eq!(s.checkpoints[0].status.as_deref(), Some("delivered"));
    }
}

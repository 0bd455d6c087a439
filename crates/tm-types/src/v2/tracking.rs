//! The tracking object, its origin/destination info and checkpoints.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::{Substatus, TrackingStatus};
use crate::time;
use crate::{Field, NumberOrString};

wire_struct! {
    /// A checkpoint (`trackinfo[]` element): one scan event reported by a carrier.
    pub struct Checkpoint {
        /// Naive local time, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS`; see [`Checkpoint::time`].
        "Date" => date: Field<String>,
        /// Event text in the carrier's language; double and trailing spaces are kept.
        "StatusDescription" => status_description: Field<String>,
        /// Location or extra detail, often `""`; may contain commas.
        "Details" => details: Field<String>,
        /// The event's main status (present from 2018).
        "checkpoint_status" => checkpoint_status: Field<TrackingStatus>,
        /// The event's substatus (present from 2020).
        "substatus" => substatus: Field<Substatus>,
        /// Marks a milestone event, e.g. `"ItemReceived"`.
        "ItemNode" => item_node: Field<String>,
    }
}

impl Checkpoint {
    /// The event time, parsed from `Date` (naive local time in the carrier's zone).
    pub fn time(&self) -> Option<NaiveDateTime> {
        self.date.as_deref().and_then(time::parse_naive)
    }

    /// The `lastEvent` text this checkpoint yields: non-empty `StatusDescription`, `Details`
    /// and `Date` joined with `,`.
    pub fn event_text(&self) -> String {
        [&self.status_description, &self.details, &self.date]
            .into_iter()
            .filter_map(|f| f.as_deref())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(",")
    }
}

wire_struct! {
    /// `origin_info` / `destination_info`: one carrier's milestones and checkpoints.
    ///
    /// The six milestone keys are not always present, and `trackinfo` may be `null`.
    pub struct TrackInfo {
        /// Carrier reference number.
        "ReferenceNumber" => reference_number: Field<String>,
        /// First scan time.
        "ItemReceived" => item_received: Field<String>,
        /// Dispatch time.
        "ItemDispatched" => item_dispatched: Field<String>,
        /// Departure from the airport (note the lower-case `f` on the wire).
        "DepartfromAirport" => depart_from_airport: Field<String>,
        /// Arrival abroad (lower-case `f` on the wire).
        "ArrivalfromAbroad" => arrival_from_abroad: Field<String>,
        /// Customs clearance time.
        "CustomsClearance" => customs_clearance: Field<String>,
        /// Arrival at the destination.
        "DestinationArrived" => destination_arrived: Field<String>,
        /// The carrier's web site.
        "weblink" => weblink: Field<String>,
        /// The carrier's phone number.
        "phone" => phone: Field<String>,
        /// The carrier of this leg (e.g. `usps` for the last mile).
        "carrier_code" => carrier_code: Field<String>,
        /// Checkpoints, newest first; `null` when there are none.
        "trackinfo" => trackinfo: Field<Vec<Checkpoint>>,
    }
}

impl TrackInfo {
    /// The checkpoints, or an empty slice when `trackinfo` is null or absent.
    pub fn checkpoints(&self) -> &[Checkpoint] {
        self.trackinfo.value().map_or(&[], Vec::as_slice)
    }
}

/// `customer_email`: a string (possibly empty), or an array of strings in the documentation
/// sample and the typed 51tracking client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerEmail {
    /// One address, or `""`.
    One(String),
    /// Several addresses.
    Many(Vec<String>),
}

impl CustomerEmail {
    /// The non-empty addresses.
    pub fn addresses(&self) -> Vec<&str> {
        match self {
            CustomerEmail::One(s) => [s.as_str()].into_iter().filter(|s| !s.is_empty()).collect(),
            CustomerEmail::Many(v) => v
                .iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }
}

impl From<&str> for CustomerEmail {
    fn from(s: &str) -> Self {
        CustomerEmail::One(s.to_owned())
    }
}

impl From<String> for CustomerEmail {
    fn from(s: String) -> Self {
        CustomerEmail::One(s)
    }
}

impl From<Vec<String>> for CustomerEmail {
    fn from(v: Vec<String>) -> Self {
        CustomerEmail::Many(v)
    }
}

impl Serialize for CustomerEmail {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CustomerEmail::One(v) => s.serialize_str(v),
            CustomerEmail::Many(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CustomerEmail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CustomerEmail;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an e-mail address or an array of them")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CustomerEmail, E> {
                Ok(CustomerEmail::One(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<CustomerEmail, E> {
                Ok(CustomerEmail::One(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CustomerEmail, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(16));
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(CustomerEmail::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

wire_struct! {
    /// The v2 tracking object, as returned by get, list, realtime, create (a short form) and
    /// webhooks.
    ///
    /// Every field but the number and carrier is a [`Field`], because each endpoint and era
    /// leaves different keys out. Keys unknown to this version are kept in `extra`.
    ///
    /// ```
    /// use tm_types::v2::{Tracking, TrackingStatus};
    /// let t: Tracking = serde_json::from_str(r#"{
    ///   "id": "badc8f47c16c6b595ed8541d109dbbc2", "tracking_number": "51837622007298",
    ///   "carrier_code": "bestex", "status": "delivered", "total_weight": "2kg",
    ///   "origin_info": {"trackinfo": [{"Date": "2019-08-06 18:39:14",
    ///       "StatusDescription": "Signed", "Details": "Tianjin", "checkpoint_status": "delivered"}]},
    ///   "lastEvent": "Signed,Tianjin,2019-08-06 18:39:14"}"#).unwrap();
    /// assert_eq!(t.status(), Some(&TrackingStatus::Delivered));
    /// assert_eq!(t.latest_checkpoint().unwrap().event_text(), "Signed,Tianjin,2019-08-06 18:39:14");
    /// assert_eq!(t.extra["total_weight"], "2kg"); // unknown fields are kept
    /// ```
    pub struct Tracking {
        /// 32 lower-case hex characters, stable across delete and re-create.
        "id" => id: Field<String>,
        /// The tracking number.
        "tracking_number" => tracking_number: String,
        /// The carrier code, e.g. `china-post`.
        "carrier_code" => carrier_code: String,
        /// The main status.
        "status" => status: Field<TrackingStatus>,
        /// The substatus, often `null` even when delivered.
        "substatus" => substatus: Field<Substatus>,
        /// ISO-8601 with offset; see [`Tracking::created_at`].
        "created_at" => created_at: Field<String>,
        /// ISO-8601 with offset, or null.
        "updated_at" => updated_at: Field<String>,
        /// Free-form order time: a string, `""`, `null` or the integer `0`.
        "order_create_time" => order_create_time: Field<NumberOrString>,
        /// A string, `""`, `null`, or an array of strings.
        "customer_email" => customer_email: Field<CustomerEmail>,
        /// Customer name.
        "customer_name" => customer_name: Field<String>,
        /// Customer phone.
        "customer_phone" => customer_phone: Field<String>,
        /// Order id.
        "order_id" => order_id: Field<String>,
        /// Product title.
        "title" => title: Field<String>,
        /// Comment.
        "comment" => comment: Field<String>,
        /// Logistics channel, free text.
        "logistics_channel" => logistics_channel: Field<String>,
        /// Destination as sent on create.
        "destination" => destination: Field<String>,
        /// Two-letter destination code, lower or upper case, or `""`.
        "destination_code" => destination_code: Field<String>,
        /// Archived flag.
        "archived" => archived: Field<bool> as crate::field::LenientBool,
        /// Whether TrackingMore still updates this tracking automatically.
        "track_update" => track_update: Field<bool> as crate::field::LenientBool,
        /// Origin country name (`"China"`, `""`, `"Hong Kong [CN]"`).
        "original_country" => original_country: Field<String>,
        /// Destination country name; sometimes absent.
        "destination_country" => destination_country: Field<String>,
        /// Days in transit, or null.
        "itemTimeLength" => item_time_length: Field<i64> as crate::field::LenientInt,
        /// Days since the last event.
        "stayTimeLength" => stay_time_length: Field<i64> as crate::field::LenientInt,
        /// Service code.
        "service_code" => service_code: Field<String>,
        /// Seen only as `null`; kept as raw JSON.
        "status_info" => status_info: Field<serde_json::Value>,
        /// Seen only as `null`; kept as raw JSON.
        "packageStatus" => package_status: Field<serde_json::Value>,
        /// Seen only as `null`; kept as raw JSON.
        "last_mile_tracking_supported" => last_mile_tracking_supported: Field<serde_json::Value>,
        /// Last-mile tracking number, read by one community client.
        "destination_track_number" => destination_track_number: Field<String>,
        /// Recipient name (spelled `singed_by` on the wire).
        "singed_by" => signed_by: Field<String>,
        /// The origin carrier's milestones and checkpoints.
        "origin_info" => origin_info: Field<TrackInfo>,
        /// The destination carrier's: an object, null, an object of nulls, or absent.
        "destination_info" => destination_info: Field<TrackInfo>,
        /// The newest checkpoint's description, details and date joined with `,`.
        "lastEvent" => last_event: Field<String>,
        /// The newest checkpoint's `Date`.
        "lastUpdateTime" => last_update_time: Field<String>,
    }
}

impl Tracking {
    /// A tracking with only its number and carrier set.
    pub fn new(carrier_code: impl Into<String>, tracking_number: impl Into<String>) -> Self {
        Tracking {
            carrier_code: carrier_code.into(),
            tracking_number: tracking_number.into(),
            ..Tracking::default()
        }
    }

    /// The main status, if sent.
    pub fn status(&self) -> Option<&TrackingStatus> {
        self.status.value()
    }

    /// `created_at` parsed (ISO-8601 with offset).
    pub fn created_at(&self) -> Option<DateTime<FixedOffset>> {
        self.created_at.as_deref().and_then(time::parse_offset)
    }

    /// `updated_at` parsed (ISO-8601 with offset).
    pub fn updated_at(&self) -> Option<DateTime<FixedOffset>> {
        self.updated_at.as_deref().and_then(time::parse_offset)
    }

    /// `lastUpdateTime` parsed (naive local time).
    pub fn last_update_time(&self) -> Option<NaiveDateTime> {
        self.last_update_time.as_deref().and_then(time::parse_naive)
    }

    /// Every checkpoint: origin first, then destination, each list newest first as sent.
    pub fn checkpoints(&self) -> impl Iterator<Item = &Checkpoint> {
        let origin = self
            .origin_info
            .value()
            .map_or(&[][..], TrackInfo::checkpoints);
        let dest = self
            .destination_info
            .value()
            .map_or(&[][..], TrackInfo::checkpoints);
        origin.iter().chain(dest)
    }

    /// The newest checkpoint across both the origin and destination lists (the one
    /// `lastEvent` is built from). Among equal times the first listed wins; checkpoints
    /// whose date cannot be parsed only count when none can.
    pub fn latest_checkpoint(&self) -> Option<&Checkpoint> {
        let mut best: Option<(&Checkpoint, NaiveDateTime)> = None;
        for cp in self.checkpoints() {
            if let Some(t) = cp.time()
                && best.is_none_or(|(_, bt)| t > bt)
            {
                best = Some((cp, t));
            }
        }
        best.map(|(cp, _)| cp).or_else(|| self.checkpoints().next())
    }
}

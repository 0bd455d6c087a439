//! `data` payloads of every endpoint other than the tracking object itself.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::{CarrierType, MetaCode, Tracking, TrackingStatus};
use crate::{Field, NumberOrString};

wire_struct! {
    /// A carrier from `GET /carriers`.
    pub struct Carrier {
        /// Display name, localised by the `Lang` header.
        "name" => name: Field<String>,
        /// The carrier code used everywhere else, e.g. `china-post`.
        "code" => code: String,
        /// Phone number; may be `""` or carry invisible characters.
        "phone" => phone: Field<String>,
        /// Home page, protocol-relative (`//www.dhl.com/`) or a full URL.
        "homepage" => homepage: Field<String>,
        /// `express` or `globalpost`.
        "type" => r#type: Field<CarrierType>,
        /// Logo URL, protocol-relative.
        "picture" => picture: Field<String>,
        /// Chinese name (in some lists only).
        "name_cn" => name_cn: Field<String>,
    }
}

wire_struct! {
    /// A candidate from `POST /carriers/detect`, most likely first.
    pub struct DetectedCarrier {
        /// Display name.
        "name" => name: Field<String>,
        /// Carrier code.
        "code" => code: String,
    }
}

wire_struct! {
    /// `data` of `GET /trackings/get`: one page of trackings.
    pub struct TrackingList {
        /// The page number.
        "page" => page: Field<NumberOrString>,
        /// The page size asked for.
        "limit" => limit: Field<NumberOrString>,
        /// Trackings matching the filter; a **string** in real responses.
        "total" => total: Field<NumberOrString>,
        /// Items on this page (real responses only, not in the docs).
        "count" => count: Field<NumberOrString>,
        /// The trackings on this page.
        "items" => items: Field<Vec<Tracking>>,
    }
}

impl TrackingList {
    /// `total` as a number, whether it was sent as a string or a number.
    pub fn total(&self) -> Option<u64> {
        self.total.value().and_then(NumberOrString::as_u64)
    }

    /// The items, or an empty slice.
    pub fn items(&self) -> &[Tracking] {
        self.items.value().map_or(&[], Vec::as_slice)
    }
}

wire_struct! {
    /// `data` of `POST /trackings/realtime`: an array wrapper even for one number.
    pub struct RealtimeResult {
        /// The tracking (one element in every capture).
        "items" => items: Field<Vec<Tracking>>,
    }
}

wire_struct! {
    /// A per-item error inside a batch result.
    pub struct BatchItemError {
        /// The number that failed.
        "tracking_number" => tracking_number: Field<String>,
        /// Its carrier.
        "carrier_code" => carrier_code: Field<String>,
        /// Why, e.g. 4016.
        "code" => code: Field<MetaCode>,
        /// The message, e.g. `"Tracking already exists."`.
        "message" => message: Field<String>,
    }
}

wire_struct! {
    /// `data` of `POST /trackings/batch`. Per-item errors do not fail the call.
    pub struct BatchCreateResult {
        /// Items received.
        "submitted" => submitted: Field<NumberOrString>,
        /// Items created.
        "added" => added: Field<NumberOrString>,
        /// The created trackings (short form).
        "trackings" => trackings: Field<Vec<Tracking>>,
        /// The items that were not created, with their code.
        "errors" => errors: Field<Vec<BatchItemError>>,
    }
}

wire_struct! {
    /// The `meta` nested in a per-item entry of a batch delete result.
    pub struct BatchItemMeta {
        /// Number.
        "tracking_number" => tracking_number: Field<String>,
        /// Carrier.
        "carrier_code" => carrier_code: Field<String>,
        /// Per-item outcome code.
        "code" => code: Field<MetaCode>,
        /// Per-item type.
        "type" => r#type: Field<String>,
        /// Per-item message.
        "message" => message: Field<String>,
    }
}

wire_struct! {
    /// A per-item entry of a batch delete, updatemore or notupdate result.
    ///
    /// The documentation shows `{"meta": {"tracking_number": …}}` for delete and plain
    /// `{"tracking_number": …}` for notupdate; both are read, and the rest is kept.
    pub struct BatchItem {
        /// Number (notupdate form).
        "tracking_number" => tracking_number: Field<String>,
        /// Carrier (notupdate form).
        "carrier_code" => carrier_code: Field<String>,
        /// Per-item meta (delete form).
        "meta" => meta: Field<BatchItemMeta>,
        /// Per-item code, when sent outside `meta`.
        "code" => code: Field<MetaCode>,
        /// Per-item message, when sent outside `meta`.
        "message" => message: Field<String>,
    }
}

impl BatchItem {
    /// The tracking number, from the item or its `meta`.
    pub fn number(&self) -> Option<&str> {
        self.tracking_number
            .as_deref()
            .or_else(|| self.meta.value().and_then(|m| m.tracking_number.as_deref()))
    }

    /// The carrier code, from the item or its `meta`.
    pub fn carrier(&self) -> Option<&str> {
        self.carrier_code
            .as_deref()
            .or_else(|| self.meta.value().and_then(|m| m.carrier_code.as_deref()))
    }

    /// The per-item code, from the item or its `meta`.
    pub fn code(&self) -> Option<MetaCode> {
        self.code
            .value()
            .or_else(|| self.meta.value().and_then(|m| m.code.value()))
            .copied()
    }

    /// The per-item message, from the item or its `meta`.
    pub fn message(&self) -> Option<&str> {
        self.message
            .as_deref()
            .or_else(|| self.meta.value().and_then(|m| m.message.as_deref()))
    }
}

wire_struct! {
    /// `data` of `POST /trackings/delete`, `/updatemore` and `/notupdate`.
    ///
    /// The count key differs per endpoint: `delete`, `change`, or `update`.
    pub struct BatchResult {
        /// Items received.
        "submitted" => submitted: Field<NumberOrString>,
        /// Items deleted (batch delete).
        "delete" => delete: Field<NumberOrString>,
        /// Items changed (notupdate).
        "change" => change: Field<NumberOrString>,
        /// Items updated (updatemore; shape inferred).
        "update" => update: Field<NumberOrString>,
        /// The items the server acted on.
        "trackings" => trackings: Field<Vec<BatchItem>>,
        /// The items it did not act on.
        "errors" => errors: Field<Vec<BatchItemError>>,
    }
}

wire_struct! {
    /// `data` of `POST /trackings/update` (change carrier).
    pub struct ChangeCarrierResult {
        /// Capital `U`, lower-case `t`, usually `""`.
        "Usertag" => usertag: Field<String>,
    }
}

wire_struct! {
    /// `data` of `GET /trackings/getuserinfo`.
    pub struct UserInfo {
        /// The account's login e-mail (also the webhook signing key).
        "email" => email: Field<String>,
        /// Registration time, a string of Unix seconds.
        "regtime" => regtime: Field<NumberOrString>,
        /// Phone; the doc sample prints it as a bare number.
        "phone" => phone: Field<NumberOrString>,
        /// Balance.
        "money" => money: Field<NumberOrString>,
        /// Remaining tracking quota.
        "track_number" => track_number: Field<NumberOrString>,
    }
}

wire_struct! {
    /// `data` of `GET /trackings/getstatusnumber`: how many trackings are in each status.
    pub struct StatusCounts {
        /// Pending.
        "pending" => pending: Field<NumberOrString>,
        /// Not found.
        "notfound" => notfound: Field<NumberOrString>,
        /// In transit.
        "transit" => transit: Field<NumberOrString>,
        /// Out for delivery / ready for pickup.
        "pickup" => pickup: Field<NumberOrString>,
        /// Delivered.
        "delivered" => delivered: Field<NumberOrString>,
        /// Failed attempt.
        "undelivered" => undelivered: Field<NumberOrString>,
        /// Exception.
        "exception" => exception: Field<NumberOrString>,
        /// Expired.
        "expired" => expired: Field<NumberOrString>,
    }
}

impl StatusCounts {
    /// The count for a status (unknown statuses are looked up in `extra`).
    pub fn count(&self, status: &TrackingStatus) -> Option<u64> {
        let field = match status {
            TrackingStatus::Pending => &self.pending,
            TrackingStatus::NotFound => &self.notfound,
            TrackingStatus::Transit => &self.transit,
            TrackingStatus::Pickup => &self.pickup,
            TrackingStatus::Delivered => &self.delivered,
            TrackingStatus::Undelivered => &self.undelivered,
            TrackingStatus::Exception => &self.exception,
            TrackingStatus::Expired => &self.expired,
            other => {
                return self
                    .extra
                    .get(other.as_str())
                    .and_then(|v| serde_json::from_value::<NumberOrString>(v.clone()).ok())
                    .and_then(|n| n.as_u64());
            }
        };
        field.value().and_then(NumberOrString::as_u64)
    }

    /// The sum over the eight known statuses.
    pub fn total(&self) -> u64 {
        TrackingStatus::KNOWN
            .iter()
            .filter_map(|s| self.count(s))
            .sum()
    }
}

wire_struct! {
    /// One remote-area hit from `POST /trackings/remote`.
    pub struct RemoteArea {
        /// The carrier for which this is remote, e.g. `ups`.
        "far_express_company" => far_express_company: Field<String>,
        /// Two-letter country code.
        "two_code" => two_code: Field<String>,
        /// Country name.
        "far_country" => far_country: Field<String>,
        /// Postcode or city.
        "far_city_postcode" => far_city_postcode: Field<String>,
    }
}

wire_struct! {
    /// `data` of `POST /trackings/remote`.
    pub struct RemoteResult {
        /// Items received.
        "submitted" => submitted: Field<NumberOrString>,
        /// Destinations that are not remote (shape not documented; kept as JSON).
        "other" => other: Field<Vec<serde_json::Value>>,
        /// Destinations that are remote.
        "remote" => remote: Field<Vec<RemoteArea>>,
    }
}

wire_struct! {
    /// One route's transit-time statistics from `POST /trackings/costtime`.
    ///
    /// Only the attributes below are documented; the rest of the object is kept in `extra`.
    pub struct TransitTime {
        /// Carrier.
        "carrier_code" => carrier_code: Field<String>,
        /// Origin country code.
        "original" => original: Field<String>,
        /// Destination country code.
        "destination" => destination: Field<String>,
        /// Sample size.
        "total" => total: Field<NumberOrString>,
        /// Delivered samples.
        "delivered" => delivered: Field<NumberOrString>,
        /// Share delivered in 0–7 days.
        "range1" => range1: Field<NumberOrString>,
        /// Share delivered in 7–15 days.
        "range3" => range3: Field<NumberOrString>,
        /// Share delivered in 16–30 days.
        "range4" => range4: Field<NumberOrString>,
        /// Share delivered in 31–60 days.
        "range5" => range5: Field<NumberOrString>,
    }
}

/// `data` of `POST /trackings/costtime`.
///
/// The nesting was never recovered from the documentation; an array of items is the reading
/// we model, and a single object is accepted as a one-item list.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct TransitTimeResult(pub Vec<TransitTime>);

impl<'de> Deserialize<'de> for TransitTimeResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TransitTimeResult;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of transit-time objects or one object")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(TransitTimeResult)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                TransitTime::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| TransitTimeResult(vec![t]))
            }
        }
        d.deserialize_any(V)
    }
}

wire_struct! {
    /// `data` of `POST /trackings/aircargo`.
    ///
    /// The response shape was never recovered from public material; these keys are the
    /// simulator's reading and everything else is kept in `extra`.
    pub struct AirCargoResult {
        /// The air waybill number as queried.
        "track_number" => track_number: Field<String>,
        /// Airline name.
        "airline" => airline: Field<String>,
        /// Origin airport.
        "origin" => origin: Field<String>,
        /// Destination airport.
        "destination" => destination: Field<String>,
        /// Main status.
        "status" => status: Field<TrackingStatus>,
        /// Number of pieces.
        "pieces" => pieces: Field<NumberOrString>,
        /// Weight.
        "weight" => weight: Field<NumberOrString>,
        /// Events, newest first.
        "trackinfo" => trackinfo: Field<Vec<super::Checkpoint>>,
    }
}

wire_struct! {
    /// `verifyInfo` of a webhook body.
    pub struct VerifyInfo {
        /// Unix seconds, a JSON number; hashed as its decimal string.
        "timeStr" => time_str: Field<NumberOrString>,
        /// Lower-case hex HMAC-SHA256 of `timeStr` keyed by the account e-mail.
        "signature" => signature: Field<String>,
    }
}

wire_struct! {
    /// The body TrackingMore POSTs to a webhook URL.
    ///
    /// Only `verifyInfo` is signed (not the body): check it before trusting `data`.
    pub struct WebhookPayload {
        /// Always a success meta.
        "meta" => meta: Field<super::Meta>,
        /// The tracking that changed.
        "data" => data: Field<Tracking>,
        /// Timestamp and signature.
        "verifyInfo" => verify_info: Field<VerifyInfo>,
    }
}

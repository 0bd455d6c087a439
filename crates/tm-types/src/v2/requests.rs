//! Request bodies and query filters, one type per endpoint.
//!
//! Required fields go in `new`; optional ones have chained setters. Every body type keeps an
//! `extra` map so a caller can send a field this version does not know.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{CustomerEmail, StatusInput};
use crate::Extra;

/// Body of `POST /trackings/post`, and one element of `POST /trackings/batch`.
///
/// ```
/// use tm_types::v2::CreateTrackingRequest;
/// let req = CreateTrackingRequest::new("china-post", "RN123456789CN")
///     .title("Blue mug")
///     .order_id("#1042");
/// let json = serde_json::to_value(&req).unwrap();
/// assert_eq!(json["carrier_code"], "china-post");
/// assert!(json.get("customer_name").is_none()); // unset fields are not sent
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CreateTrackingRequest {
    /// The tracking number (required).
    #[serde(default)]
    pub tracking_number: String,
    /// The carrier code (required).
    #[serde(default)]
    pub carrier_code: String,
    /// Two-letter destination country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_code: Option<String>,
    /// Product title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Logistics channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics_channel: Option<String>,
    /// Customer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Customer e-mail (one, or several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<CustomerEmail>,
    /// Customer phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_phone: Option<String>,
    /// Order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Order time, free-form (`2017/8/27 16:51`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_create_time: Option<String>,
    /// What some carriers need besides the number (ship date, postal code, …).
    #[serde(flatten)]
    pub carrier_requirements: CarrierRequirements,
    /// Response language (`en`, `cn`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// `1` disables automatic carrier correction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_correct: Option<u8>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Fields this version does not model, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CreateTrackingRequest {
    /// A request for `tracking_number` at `carrier_code`.
    pub fn new(carrier_code: impl Into<String>, tracking_number: impl Into<String>) -> Self {
        CreateTrackingRequest {
            tracking_number: tracking_number.into(),
            carrier_code: carrier_code.into(),
            ..Default::default()
        }
    }
}

setters!(CreateTrackingRequest {
    /// Sets `destination_code`.
    destination_code: String,
    /// Sets `title`.
    title: String,
    /// Sets `logistics_channel`.
    logistics_channel: String,
    /// Sets `customer_name`.
    customer_name: String,
    /// Sets `customer_email`.
    customer_email: CustomerEmail,
    /// Sets `customer_phone`.
    customer_phone: String,
    /// Sets `order_id`.
    order_id: String,
    /// Sets `order_create_time`.
    order_create_time: String,
    /// Sets `tracking_ship_date` (`YYYYMMDD`).
    tracking_ship_date in carrier_requirements: String,
    /// Sets `tracking_postal_code`.
    tracking_postal_code in carrier_requirements: String,
    /// Sets `tracking_account_number`.
    tracking_account_number in carrier_requirements: String,
    /// Sets `tracking_destination_country`.
    tracking_destination_country in carrier_requirements: String,
    /// Sets `specialNumberDestination`.
    special_number_destination in carrier_requirements: String,
    /// Sets `lang`.
    lang: String,
    /// Sets `comment`.
    comment: String,
});

value_setters!(CreateTrackingRequest {
    /// Sets `auto_correct` (`1` disables automatic carrier correction).
    auto_correct: u8,
});

/// Serialises `archived` as the strings `"true"`/`"false"` the API expects, and reads either
/// form back.
pub(crate) mod archived_flag {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_str(if *b { "true" } else { "false" }),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Flag {
            Bool(bool),
            Text(String),
            Int(i64),
        }
        Ok(match Option::<Flag>::deserialize(d)? {
            None => None,
            Some(Flag::Bool(b)) => Some(b),
            Some(Flag::Int(i)) => Some(i != 0),
            Some(Flag::Text(t)) => match t.as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                // The docs say anything else means "either": treat as not set.
                _ => None,
            },
        })
    }
}

/// Body of `PUT /trackings/{carrier}/{number}`: the fields to change.
///
/// ```
/// use tm_types::v2::{StatusInput, UpdateTrackingRequest};
/// let req = UpdateTrackingRequest::default().title("Mug").status(StatusInput::MarkDelivered).archived(true);
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"title":"Mug","archived":"true","status":"4"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UpdateTrackingRequest {
    /// Product title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Logistics channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics_channel: Option<String>,
    /// Customer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Customer e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<CustomerEmail>,
    /// Customer phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_phone: Option<String>,
    /// Order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Destination code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_code: Option<String>,
    /// Archive (`"true"`) or unarchive (`"false"`).
    #[serde(
        default,
        with = "archived_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub archived: Option<bool>,
    /// Mark delivered (4), mark exception (7) or revert (8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusInput>,
    /// Fields this version does not model, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl UpdateTrackingRequest {
    /// True when nothing would be changed.
    pub fn is_empty(&self) -> bool {
        *self == UpdateTrackingRequest::default()
    }
}

setters!(UpdateTrackingRequest {
    /// Sets `title`.
    title: String,
    /// Sets `logistics_channel`.
    logistics_channel: String,
    /// Sets `customer_name`.
    customer_name: String,
    /// Sets `customer_email`.
    customer_email: CustomerEmail,
    /// Sets `customer_phone`.
    customer_phone: String,
    /// Sets `order_id`.
    order_id: String,
    /// Sets `destination_code`.
    destination_code: String,
    /// Sets `status` (4, 7 or 8).
    status: StatusInput,
});

value_setters!(UpdateTrackingRequest {
    /// Sets `archived`.
    archived: bool,
});

/// A tracking named by carrier and number: an element of batch delete and notupdate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct TrackingRef {
    /// Tracking number.
    #[serde(default)]
    pub tracking_number: String,
    /// Carrier code.
    #[serde(default)]
    pub carrier_code: String,
}

impl TrackingRef {
    /// A reference to `tracking_number` at `carrier_code`.
    pub fn new(carrier_code: impl Into<String>, tracking_number: impl Into<String>) -> Self {
        TrackingRef {
            tracking_number: tracking_number.into(),
            carrier_code: carrier_code.into(),
        }
    }
}

impl fmt::Display for TrackingRef {
    /// `carrier:number`, the form the CLI accepts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.carrier_code, self.tracking_number)
    }
}

/// An element of `POST /trackings/updatemore`: which tracking, and what to change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UpdateMoreItem {
    /// Tracking number.
    #[serde(default)]
    pub tracking_number: String,
    /// Carrier code.
    #[serde(default)]
    pub carrier_code: String,
    /// The changes.
    #[serde(flatten)]
    pub changes: UpdateTrackingRequest,
}

impl UpdateMoreItem {
    /// Changes `changes` on the tracking `target`.
    pub fn new(target: TrackingRef, changes: UpdateTrackingRequest) -> Self {
        UpdateMoreItem {
            tracking_number: target.tracking_number,
            carrier_code: target.carrier_code,
            changes,
        }
    }
}

/// What some carriers need to find a parcel besides its number: shared by the create and
/// real-time bodies, flattened into them on the wire.
///
/// ```
/// use tm_types::v2::CreateTrackingRequest;
/// let req = CreateTrackingRequest::new("dhl", "1234567890").tracking_postal_code("10115");
/// let json = serde_json::to_value(&req).unwrap();
/// assert_eq!(json["tracking_postal_code"], "10115"); // flat, as the API reads it
/// let back: CreateTrackingRequest = serde_json::from_value(json).unwrap();
/// assert_eq!(back.carrier_requirements.tracking_postal_code.as_deref(), Some("10115"));
/// assert!(back.extra.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CarrierRequirements {
    /// Ship date `YYYYMMDD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_ship_date: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_postal_code: Option<String>,
    /// Account number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_account_number: Option<String>,
    /// Destination country (the create document's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_destination_country: Option<String>,
    /// Destination (the batch and real-time documents' name).
    #[serde(
        default,
        rename = "specialNumberDestination",
        skip_serializing_if = "Option::is_none"
    )]
    pub special_number_destination: Option<String>,
}

/// Body of `POST /carriers/detect`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DetectRequest {
    /// The number to detect a carrier for.
    #[serde(default)]
    pub tracking_number: String,
}

/// Body of `POST /trackings/realtime`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RealtimeRequest {
    /// Tracking number (required).
    #[serde(default)]
    pub tracking_number: String,
    /// Carrier code (required).
    #[serde(default)]
    pub carrier_code: String,
    /// Destination code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_code: Option<String>,
    /// What some carriers need besides the number (ship date, postal code, …).
    #[serde(flatten)]
    pub carrier_requirements: CarrierRequirements,
    /// Order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// Order time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_create_time: Option<String>,
    /// Response language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Fields this version does not model, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl RealtimeRequest {
    /// A real-time query of `tracking_number` at `carrier_code`.
    pub fn new(carrier_code: impl Into<String>, tracking_number: impl Into<String>) -> Self {
        RealtimeRequest {
            tracking_number: tracking_number.into(),
            carrier_code: carrier_code.into(),
            ..Default::default()
        }
    }
}

setters!(RealtimeRequest {
    /// Sets `destination_code`.
    destination_code: String,
    /// Sets `tracking_ship_date`.
    tracking_ship_date in carrier_requirements: String,
    /// Sets `tracking_postal_code`.
    tracking_postal_code in carrier_requirements: String,
    /// Sets `tracking_account_number`.
    tracking_account_number in carrier_requirements: String,
    /// Sets `specialNumberDestination`.
    special_number_destination in carrier_requirements: String,
    /// Sets `order`.
    order: String,
    /// Sets `order_create_time`.
    order_create_time: String,
    /// Sets `lang`.
    lang: String,
});

/// Body of `POST /trackings/update`: move a tracking to another carrier.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeCarrierRequest {
    /// Tracking number.
    #[serde(default)]
    pub tracking_number: String,
    /// The current carrier.
    #[serde(default)]
    pub carrier_code: String,
    /// The new carrier.
    #[serde(default)]
    pub update_carrier_code: String,
}

impl ChangeCarrierRequest {
    /// Moves `tracking_number` from carrier `from` to carrier `to`.
    pub fn new(
        tracking_number: impl Into<String>,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> Self {
        ChangeCarrierRequest {
            tracking_number: tracking_number.into(),
            carrier_code: from.into(),
            update_carrier_code: to.into(),
        }
    }
}

/// An element of `POST /trackings/remote`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RemoteAreaQuery {
    /// Country name or two-letter code.
    #[serde(default)]
    pub country: String,
    /// Postcode or city.
    #[serde(default)]
    pub postcode: String,
    /// Restrict to one carrier (`dhl`, `ups`, `fedex`, `tnt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
}

impl RemoteAreaQuery {
    /// Is `postcode` in `country` a remote area?
    pub fn new(country: impl Into<String>, postcode: impl Into<String>) -> Self {
        RemoteAreaQuery {
            country: country.into(),
            postcode: postcode.into(),
            company: None,
        }
    }

    /// Restricts the check to one carrier.
    #[must_use]
    pub fn company(mut self, company: impl Into<String>) -> Self {
        self.company = Some(company.into());
        self
    }
}

/// An element of `POST /trackings/costtime`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TransitTimeQuery {
    /// Carrier.
    #[serde(default)]
    pub carrier_code: String,
    /// Origin country code.
    #[serde(default)]
    pub original: String,
    /// Destination country code.
    #[serde(default)]
    pub destination: String,
}

impl TransitTimeQuery {
    /// Transit-time statistics of `carrier_code` from `original` to `destination`.
    pub fn new(
        carrier_code: impl Into<String>,
        original: impl Into<String>,
        destination: impl Into<String>,
    ) -> Self {
        TransitTimeQuery {
            carrier_code: carrier_code.into(),
            original: original.into(),
            destination: destination.into(),
        }
    }
}

/// Body of `POST /trackings/aircargo` (note `track_number`, not `tracking_number`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AirCargoRequest {
    /// The air waybill number, e.g. `172-28891936`.
    #[serde(default)]
    pub track_number: String,
}

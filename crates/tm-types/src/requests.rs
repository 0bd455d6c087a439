//! Request bodies and query filters, one type per endpoint.
//!
//! Required fields go in `new`; optional ones have chained setters. Every body type keeps an
//! `extra` map so a caller can send a field this version does not know.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{CustomerEmail, Extra, StatusInput, TrackingStatus};

/// Generates a chained setter per optional field, for fields set from a plain value
/// (numbers, flags) where `impl Into` would defeat integer-literal inference.
macro_rules! value_setters {
    ($ty:ident { $( $(#[$doc:meta])* $field:ident : $val:ty ),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $field(mut self, value: $val) -> Self {
                    self.$field = Some(value);
                    self
                }
            )*
        }
    };
}

/// Generates a chained setter per optional field.
macro_rules! setters {
    ($ty:ident { $( $(#[$doc:meta])* $field:ident : $val:ty ),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $field(mut self, value: impl Into<$val>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// Body of `POST /trackings/post`, and one element of `POST /trackings/batch`.
///
/// ```
/// use tm_types::CreateTrackingRequest;
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
    /// Ship date `YYYYMMDD`, required by some carriers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_ship_date: Option<String>,
    /// Postal code, required by some carriers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_postal_code: Option<String>,
    /// Account number, required by some carriers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_account_number: Option<String>,
    /// Destination country for carriers that need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_destination_country: Option<String>,
    /// Destination for carriers that need it (the batch/realtime docs' name).
    #[serde(
        default,
        rename = "specialNumberDestination",
        skip_serializing_if = "Option::is_none"
    )]
    pub special_number_destination: Option<String>,
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
    tracking_ship_date: String,
    /// Sets `tracking_postal_code`.
    tracking_postal_code: String,
    /// Sets `tracking_account_number`.
    tracking_account_number: String,
    /// Sets `tracking_destination_country`.
    tracking_destination_country: String,
    /// Sets `specialNumberDestination`.
    special_number_destination: String,
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
mod archived_flag {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_str(if *b { "true" } else { "false" }),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
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
/// use tm_types::{StatusInput, UpdateTrackingRequest};
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
    /// Ship date `YYYYMMDD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_ship_date: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_postal_code: Option<String>,
    /// Account number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_account_number: Option<String>,
    /// Destination for carriers that need it.
    #[serde(
        default,
        rename = "specialNumberDestination",
        skip_serializing_if = "Option::is_none"
    )]
    pub special_number_destination: Option<String>,
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
    tracking_ship_date: String,
    /// Sets `tracking_postal_code`.
    tracking_postal_code: String,
    /// Sets `tracking_account_number`.
    tracking_account_number: String,
    /// Sets `specialNumberDestination`.
    special_number_destination: String,
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

/// A query parameter that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The parameter.
    pub param: String,
    /// What was wrong.
    pub reason: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query parameter `{}`: {}", self.param, self.reason)
    }
}

impl std::error::Error for QueryError {}

fn parse_int<T: std::str::FromStr>(param: &str, value: &str) -> Result<T, QueryError> {
    value.trim().parse().map_err(|_| QueryError {
        param: param.to_owned(),
        reason: format!("{value:?} is not an integer"),
    })
}

fn split_csv(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Filters and paging of `GET /trackings/get`. Time windows are Unix seconds.
///
/// ```
/// use tm_types::{ListTrackingsRequest, TrackingStatus};
/// let req = ListTrackingsRequest::default().status(TrackingStatus::Transit).limit(2000);
/// assert_eq!(req.to_query(), vec![("limit".into(), "2000".into()), ("status".into(), "transit".into())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListTrackingsRequest {
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size, at most 2000 (server default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only trackings in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TrackingStatus>,
    /// Created at or after (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_min: Option<i64>,
    /// Created at or before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_max: Option<i64>,
    /// Updated at or after (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time_min: Option<i64>,
    /// Updated at or before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time_max: Option<i64>,
    /// Order created at or after (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_min: Option<i64>,
    /// Order created at or before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_max: Option<i64>,
    /// Response language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Only these tracking numbers (at most 40), sent comma-separated.
    #[serde(default, with = "csv_list", skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<String>,
    /// Only these order ids (at most 40), sent comma-separated.
    #[serde(default, with = "csv_list", skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<String>,
    /// `Some(true)` archived only, `Some(false)` unarchived only, `None` both.
    #[serde(
        default,
        with = "archived_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub archived: Option<bool>,
}

/// Comma-separated lists in a JSON body, read back from a string or an array.
mod csv_list {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.join(","))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum List {
            Csv(String),
            Array(Vec<String>),
        }
        Ok(match Option::<List>::deserialize(d)? {
            None => Vec::new(),
            Some(List::Csv(s)) => split_csv(&s),
            Some(List::Array(v)) => v,
        })
    }
}

setters!(ListTrackingsRequest {
    /// Sets `status`.
    status: TrackingStatus,
    /// Sets `lang`.
    lang: String,
});

value_setters!(ListTrackingsRequest {
    /// Sets `page`.
    page: u32,
    /// Sets `limit` (at most 2000).
    limit: u32,
    /// Sets `created_at_min` (Unix seconds).
    created_at_min: i64,
    /// Sets `created_at_max` (Unix seconds).
    created_at_max: i64,
    /// Sets `update_time_min` (Unix seconds).
    update_time_min: i64,
    /// Sets `update_time_max` (Unix seconds).
    update_time_max: i64,
    /// Sets `order_created_time_min` (Unix seconds).
    order_created_time_min: i64,
    /// Sets `order_created_time_max` (Unix seconds).
    order_created_time_max: i64,
    /// Sets `archived`.
    archived: bool,
});

impl ListTrackingsRequest {
    /// Sets the `numbers` filter.
    #[must_use]
    pub fn numbers<I, S>(mut self, numbers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.numbers = numbers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the `orders` filter.
    #[must_use]
    pub fn orders<I, S>(mut self, orders: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.orders = orders.into_iter().map(Into::into).collect();
        self
    }

    /// The query string pairs, in a fixed order, unset filters left out.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        let mut push = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k.to_owned(), v));
            }
        };
        push("page", self.page.map(|v| v.to_string()));
        push("limit", self.limit.map(|v| v.to_string()));
        push(
            "status",
            self.status.as_ref().map(|s| s.as_str().to_owned()),
        );
        push("created_at_min", self.created_at_min.map(|v| v.to_string()));
        push("created_at_max", self.created_at_max.map(|v| v.to_string()));
        push(
            "update_time_min",
            self.update_time_min.map(|v| v.to_string()),
        );
        push(
            "update_time_max",
            self.update_time_max.map(|v| v.to_string()),
        );
        push(
            "order_created_time_min",
            self.order_created_time_min.map(|v| v.to_string()),
        );
        push(
            "order_created_time_max",
            self.order_created_time_max.map(|v| v.to_string()),
        );
        push("lang", self.lang.clone());
        push(
            "numbers",
            (!self.numbers.is_empty()).then(|| self.numbers.join(",")),
        );
        push(
            "orders",
            (!self.orders.is_empty()).then(|| self.orders.join(",")),
        );
        push("archived", self.archived.map(|b| b.to_string()));
        q
    }

    /// Reads the query string pairs back. Unknown parameters are ignored, as the API does.
    pub fn from_query<'a, I>(pairs: I) -> Result<Self, QueryError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut r = ListTrackingsRequest::default();
        for (k, v) in pairs {
            match k {
                "page" => r.page = Some(parse_int(k, v)?),
                "limit" => r.limit = Some(parse_int(k, v)?),
                "status" if !v.is_empty() => {
                    r.status = Some(v.parse().unwrap_or_else(|e| match e {}))
                }
                "created_at_min" => r.created_at_min = Some(parse_int(k, v)?),
                "created_at_max" => r.created_at_max = Some(parse_int(k, v)?),
                "update_time_min" => r.update_time_min = Some(parse_int(k, v)?),
                "update_time_max" => r.update_time_max = Some(parse_int(k, v)?),
                "order_created_time_min" => r.order_created_time_min = Some(parse_int(k, v)?),
                "order_created_time_max" => r.order_created_time_max = Some(parse_int(k, v)?),
                "lang" => r.lang = Some(v.to_owned()),
                "numbers" => r.numbers = split_csv(v),
                "orders" => r.orders = split_csv(v),
                "archived" => {
                    r.archived = match v {
                        "true" => Some(true),
                        "false" => Some(false),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        Ok(r)
    }
}

/// Filters of `GET /trackings/getstatusnumber` (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusCountRequest {
    /// Created at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_min: Option<i64>,
    /// Created at or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_max: Option<i64>,
    /// Order created at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_min: Option<i64>,
    /// Order created at or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_max: Option<i64>,
}

value_setters!(StatusCountRequest {
    /// Sets `created_at_min`.
    created_at_min: i64,
    /// Sets `created_at_max`.
    created_at_max: i64,
    /// Sets `order_created_time_min`.
    order_created_time_min: i64,
    /// Sets `order_created_time_max`.
    order_created_time_max: i64,
});

impl StatusCountRequest {
    /// The query string pairs, unset filters left out.
    pub fn to_query(&self) -> Vec<(String, String)> {
        [
            ("created_at_min", self.created_at_min),
            ("created_at_max", self.created_at_max),
            ("order_created_time_min", self.order_created_time_min),
            ("order_created_time_max", self.order_created_time_max),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_string())))
        .collect()
    }

    /// Reads the query string pairs back; unknown parameters are ignored.
    pub fn from_query<'a, I>(pairs: I) -> Result<Self, QueryError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut r = StatusCountRequest::default();
        for (k, v) in pairs {
            match k {
                "created_at_min" => r.created_at_min = Some(parse_int(k, v)?),
                "created_at_max" => r.created_at_max = Some(parse_int(k, v)?),
                "order_created_time_min" => r.order_created_time_min = Some(parse_int(k, v)?),
                "order_created_time_max" => r.order_created_time_max = Some(parse_int(k, v)?),
                _ => {}
            }
        }
        Ok(r)
    }
}

//! v4 request bodies and the `trackings/get` filters. Required fields go in `new`; optional
//! ones have chained setters; every body keeps an `extra` map for fields this version does not
//! know.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{ArchivedStatus, DeliveryStatus};
use crate::Extra;

/// The order, customer and courier fields that create and update share.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShipmentDetails {
    /// Order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Origin country, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_country_iso2: Option<String>,
    /// Destination country, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_country_iso2: Option<String>,
    /// Customer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Customer e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// Customer phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_sms: Option<String>,
    /// Recipient postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_postcode: Option<String>,
    /// Product title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Logistics channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistics_channel: Option<String>,
    /// Order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Order date (ISO-8601 is the safe choice; the format is not documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<String>,
    /// Courier account (carrier-specific; see `Courier::required_fields`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_courier_account: Option<String>,
    /// Postal code (carrier-specific).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_postal_code: Option<String>,
    /// Origin country (carrier-specific).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_origin_country: Option<String>,
    /// Destination country (carrier-specific).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_destination_country: Option<String>,
    /// Ship date (carrier-specific; `YYYYMMDD` in v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_ship_date: Option<String>,
    /// Key (carrier-specific).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_key: Option<String>,
    /// Checkpoint language, e.g. `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Labels, comma-separated ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Chained setters for the [`ShipmentDetails`] of a request type.
macro_rules! details_setters {
    ($ty:ident) => {
        setters!($ty {
            /// Sets `order_number`.
            order_number in details: String,
            /// Sets `origin_country_iso2`.
            origin_country_iso2 in details: String,
            /// Sets `destination_country_iso2`.
            destination_country_iso2 in details: String,
            /// Sets `customer_name`.
            customer_name in details: String,
            /// Sets `customer_email`.
            customer_email in details: String,
            /// Sets `customer_sms`.
            customer_sms in details: String,
            /// Sets `recipient_postcode`.
            recipient_postcode in details: String,
            /// Sets `title`.
            title in details: String,
            /// Sets `logistics_channel`.
            logistics_channel in details: String,
            /// Sets `order_id`.
            order_id in details: String,
            /// Sets `order_date`.
            order_date in details: String,
            /// Sets `tracking_courier_account`.
            tracking_courier_account in details: String,
            /// Sets `tracking_postal_code`.
            tracking_postal_code in details: String,
            /// Sets `tracking_origin_country`.
            tracking_origin_country in details: String,
            /// Sets `tracking_destination_country`.
            tracking_destination_country in details: String,
            /// Sets `tracking_ship_date`.
            tracking_ship_date in details: String,
            /// Sets `tracking_key`.
            tracking_key in details: String,
            /// Sets `language`.
            language in details: String,
            /// Sets `note`.
            note in details: String,
            /// Sets `label`.
            label in details: String,
        });
    };
}

/// Body of `POST /trackings/create`, and one element of `POST /trackings/batch`.
///
/// ```
/// use tm_types::v4::CreateTrackingRequest;
/// let req = CreateTrackingRequest::new("usps", "9400111899562537683144").note("tests Order").language("en");
/// let json = serde_json::to_value(&req).unwrap();
/// assert_eq!(json["courier_code"], "usps");
/// assert_eq!(json["note"], "tests Order"); // flat on the wire
/// assert!(json.get("title").is_none()); // unset fields are not sent
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CreateTrackingRequest {
    /// The tracking number (required).
    #[serde(default)]
    pub tracking_number: String,
    /// The courier code (required).
    #[serde(default)]
    pub courier_code: String,
    /// Order, customer and courier fields.
    #[serde(flatten)]
    pub details: ShipmentDetails,
    /// In two SDKs, removed from the sibling API; meaning not documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_correct: Option<String>,
    /// Fields this version does not model, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl CreateTrackingRequest {
    /// A request for `tracking_number` at `courier_code`.
    pub fn new(courier_code: impl Into<String>, tracking_number: impl Into<String>) -> Self {
        CreateTrackingRequest {
            tracking_number: tracking_number.into(),
            courier_code: courier_code.into(),
            ..Default::default()
        }
    }
}

details_setters!(CreateTrackingRequest);

/// Body of `PUT /trackings/update/{id}`: every field optional.
///
/// ```
/// use tm_types::v4::{ArchivedStatus, UpdateTrackingRequest};
/// let req = UpdateTrackingRequest::default().customer_name("New name").archived_status(ArchivedStatus::Archived);
/// let json = serde_json::to_value(&req).unwrap();
/// assert_eq!(json, serde_json::json!({"customer_name": "New name", "archived_status": "archived"}));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UpdateTrackingRequest {
    /// Move the tracking to this courier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_code_new: Option<String>,
    /// Order, customer and courier fields.
    #[serde(flatten)]
    pub details: ShipmentDetails,
    /// Archive or unarchive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_status: Option<ArchivedStatus>,
    /// Fields this version does not model, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

details_setters!(UpdateTrackingRequest);

setters!(UpdateTrackingRequest {
    /// Sets `courier_code_new`.
    courier_code_new: String,
    /// Sets `archived_status`.
    archived_status: ArchivedStatus,
});

impl UpdateTrackingRequest {
    /// True when no field is set: the API would have nothing to change.
    pub fn is_empty(&self) -> bool {
        *self == UpdateTrackingRequest::default()
    }
}

/// Body of `POST /couriers/detect`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DetectRequest {
    /// The number to detect couriers for.
    #[serde(default)]
    pub tracking_number: String,
}

/// Body of `POST /awb`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AirWaybillRequest {
    /// The air waybill number, `235-69030430`.
    #[serde(default)]
    pub awb_number: String,
}

impl AirWaybillRequest {
    /// The body for `awb_number`.
    pub fn new(awb_number: impl Into<String>) -> Self {
        AirWaybillRequest {
            awb_number: awb_number.into(),
        }
    }

    /// The format every official SDK checks before sending: a 3-digit airline prefix, an
    /// optional space or hyphen, 8 digits (`^\d{3}[ -]?(\d{8})$`).
    ///
    /// ```
    /// use tm_types::v4::AirWaybillRequest;
    /// assert!(AirWaybillRequest::new("235-69030430").is_well_formed());
    /// assert!(AirWaybillRequest::new("235 69030430").is_well_formed());
    /// assert!(AirWaybillRequest::new("23569030430").is_well_formed());
    /// assert!(!AirWaybillRequest::new("235--69030430").is_well_formed());
    /// assert!(!AirWaybillRequest::new("2356903043").is_well_formed());
    /// ```
    pub fn is_well_formed(&self) -> bool {
        let b = self.awb_number.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        match b.len() {
            11 => digits(b),
            12 => digits(&b[..3]) && matches!(b[3], b' ' | b'-') && digits(&b[4..]),
            _ => false,
        }
    }
}

/// Filters and paging of `GET /trackings/get`. Dates go out as ISO-8601 in UTC (`+00:00`), the
/// form the SDKs settled on.
///
/// ```
/// use tm_types::v4::{DeliveryStatus, GetTrackingsRequest};
/// let q = GetTrackingsRequest::default()
///     .tracking_numbers(["9261290302951157303009", "9400111899562539126562"])
///     .delivery_status(DeliveryStatus::Transit)
///     .items_amount(100);
/// assert_eq!(q.to_query()[0], ("tracking_numbers".into(), "9261290302951157303009,9400111899562539126562".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetTrackingsRequest {
    /// Only these numbers, sent comma-separated.
    #[serde(
        default,
        with = "crate::query::csv_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tracking_numbers: Vec<String>,
    /// Only this courier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier_code: Option<String>,
    /// Created at or after (ISO-8601 with offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_min: Option<String>,
    /// Created at or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date_max: Option<String>,
    /// Updated at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_date_min: Option<String>,
    /// Updated at or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_date_max: Option<String>,
    /// Only this main status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<DeliveryStatus>,
    /// Only archived or only active trackings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_status: Option<ArchivedStatus>,
    /// Page size (default and maximum not documented).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_amount: Option<u32>,
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages_amount: Option<u32>,
    /// Checkpoint language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl GetTrackingsRequest {
    /// The query string pairs, in the fields' order, unset filters left out.
    ///
    /// Written out rather than going through serde (as the other filters do): this is the hot
    /// path of every v4 read, and the serde route (encode, then parse back into pairs) cost
    /// ~5 000 instructions a request. A test holds it equal to the serde route.
    pub fn to_query(&self) -> crate::QueryPairs {
        let mut q = Vec::with_capacity(4);
        let mut put = |name: &'static str, value: Option<String>| {
            if let Some(v) = value {
                q.push((name.into(), v));
            }
        };
        put(
            "tracking_numbers",
            (!self.tracking_numbers.is_empty()).then(|| self.tracking_numbers.join(",")),
        );
        put("courier_code", self.courier_code.clone());
        put("created_date_min", self.created_date_min.clone());
        put("created_date_max", self.created_date_max.clone());
        put("updated_date_min", self.updated_date_min.clone());
        put("updated_date_max", self.updated_date_max.clone());
        put(
            "delivery_status",
            self.delivery_status.as_ref().map(|s| s.as_str().to_owned()),
        );
        put(
            "archived_status",
            self.archived_status.as_ref().map(|s| s.as_str().to_owned()),
        );
        put("items_amount", self.items_amount.map(|n| n.to_string()));
        put("pages_amount", self.pages_amount.map(|n| n.to_string()));
        put("lang", self.lang.clone());
        q
    }

    /// Reads the query string pairs back. Unknown parameters are ignored, as the API does; a
    /// value that does not read names its parameter.
    pub fn from_query<'a, I>(pairs: I) -> Result<Self, crate::QueryError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        crate::query::from_pairs(pairs)
    }

    /// [`GetTrackingsRequest::to_query`] the serde way, which the written-out one must equal.
    #[doc(hidden)]
    pub fn to_query_through_serde(&self) -> crate::QueryPairs {
        crate::query::to_pairs(self)
    }
}

setters!(GetTrackingsRequest {
    /// Sets `courier_code`.
    courier_code: String,
    /// Sets `delivery_status`.
    delivery_status: DeliveryStatus,
    /// Sets `archived_status`.
    archived_status: ArchivedStatus,
    /// Sets `lang`.
    lang: String,
});

value_setters!(GetTrackingsRequest {
    /// Sets `items_amount` (page size).
    items_amount: u32,
    /// Sets `pages_amount` (page number).
    pages_amount: u32,
});

/// `2023-08-23T06:00:00+00:00`: the form the SDKs' examples send.
fn iso_utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

impl GetTrackingsRequest {
    /// Sets the `tracking_numbers` filter.
    #[must_use]
    pub fn tracking_numbers<I, S>(mut self, numbers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tracking_numbers = numbers.into_iter().map(Into::into).collect();
        self
    }

    /// Only trackings created in `[min, max]` (either end open).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let q = tm_types::v4::GetTrackingsRequest::default()
    ///     .created_between(Some(Utc.with_ymd_and_hms(2023, 8, 23, 6, 0, 0).unwrap()), None);
    /// assert_eq!(q.created_date_min.as_deref(), Some("2023-08-23T06:00:00+00:00"));
    /// ```
    #[must_use]
    pub fn created_between(
        mut self,
        min: Option<DateTime<Utc>>,
        max: Option<DateTime<Utc>>,
    ) -> Self {
        self.created_date_min = min.map(iso_utc);
        self.created_date_max = max.map(iso_utc);
        self
    }

    /// Only trackings updated in `[min, max]` (either end open).
    #[must_use]
    pub fn updated_between(
        mut self,
        min: Option<DateTime<Utc>>,
        max: Option<DateTime<Utc>>,
    ) -> Self {
        self.updated_date_min = min.map(iso_utc);
        self.updated_date_max = max.map(iso_utc);
        self
    }
}

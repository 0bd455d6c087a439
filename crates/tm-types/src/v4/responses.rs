//! v4 response bodies besides the tracking: couriers, batch results, the update result and the
//! air waybill.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DeliveryStatus, MetaCode, Substatus};
use crate::{Field, NumberOrString};

wire_struct! {
    /// A courier (`couriers/all`, `couriers/detect`). No real sample of this object was found:
    /// the loosely typed keys stay JSON values.
    ///
    /// ```
    /// let c: tm_types::v4::Courier = serde_json::from_str(
    ///     r#"{"courier_code":"dhl","courier_name":"DHL","tracking_required_fields":["tracking_postal_code"]}"#,
    /// ).unwrap();
    /// assert_eq!(c.required_fields(), ["tracking_postal_code"]);
    /// ```
    pub struct Courier {
        /// Display name.
        "courier_name" => courier_name: Field<String>,
        /// The courier code (slug), e.g. `usps`.
        "courier_code" => courier_code: Field<String>,
        /// Home country; typed loosely by the SDKs (a string, or not always).
        "courier_country_iso2" => courier_country_iso2: Field<serde_json::Value>,
        /// Home page.
        "courier_url" => courier_url: Field<String>,
        /// Phone.
        "courier_phone" => courier_phone: Field<String>,
        /// Type (`express`, `postal`, …).
        "courier_type" => courier_type: Field<String>,
        /// The `tracking_*` fields a create must carry for this courier (shape unknown: a
        /// list of names, a comma-separated string or `null`); see [`Courier::required_fields`].
        "tracking_required_fields" => tracking_required_fields: Field<serde_json::Value>,
        /// Fields the courier can use; same shape as the required ones.
        "optional_fields" => optional_fields: Field<serde_json::Value>,
        /// Default checkpoint language.
        "default_language" => default_language: Field<String>,
        /// Supported checkpoint languages.
        "support_language" => support_language: Field<serde_json::Value>,
        /// Logo URL.
        "courier_logo" => courier_logo: Field<String>,
    }
}

/// Names from a list of strings or a comma-separated string.
fn names(v: &Field<serde_json::Value>) -> Vec<String> {
    match v.value() {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str())
            .map(str::to_owned)
            .collect(),
        Some(serde_json::Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

impl Courier {
    /// The `tracking_*` field names this courier requires (empty when none or unreadable).
    pub fn required_fields(&self) -> Vec<String> {
        names(&self.tracking_required_fields)
    }

    /// The home country code, when it is a string.
    pub fn country_iso2(&self) -> Option<&str> {
        self.courier_country_iso2.value().and_then(|v| v.as_str())
    }
}

wire_struct! {
    /// One item of a batch result: `id` on success, the camelCase `errorCode` /
    /// `errorMessage` (unlike every other key of the API) on failure.
    pub struct BatchItem {
        /// The tracking id (success items; tolerated on error items).
        "id" => id: Field<String>,
        /// The tracking number.
        "tracking_number" => tracking_number: Field<String>,
        /// The courier code.
        "courier_code" => courier_code: Field<String>,
        /// Why this item failed (e.g. 4101).
        "errorCode" => error_code: Field<MetaCode>,
        /// The failure's message.
        "errorMessage" => error_message: Field<String>,
    }
}

wire_struct! {
    /// `POST /trackings/batch`'s `data`: the items registered and the items refused.
    ///
    /// ```
    /// use tm_types::v4::{BatchResult, MetaCode};
    /// let r: BatchResult = serde_json::from_str(r#"{"success":[{"id":"99f8a21408be0b436705aa84d6f91806",
    ///   "tracking_number":"1","courier_code":"usps"}],"error":[{"tracking_number":"2","courier_code":"usps",
    ///   "errorCode":4101,"errorMessage":"Tracking No. already exists."}]}"#).unwrap();
    /// assert_eq!(r.succeeded().len(), 1);
    /// assert_eq!(r.failed()[0].error_code.value(), Some(&MetaCode::TrackingExists));
    /// ```
    pub struct BatchResult {
        /// Registered.
        "success" => success: Field<Vec<BatchItem>>,
        /// Refused, each with its code.
        "error" => error: Field<Vec<BatchItem>>,
    }
}

impl BatchResult {
    /// The registered items.
    pub fn succeeded(&self) -> &[BatchItem] {
        self.success.value().map_or(&[], Vec::as_slice)
    }

    /// The refused items.
    pub fn failed(&self) -> &[BatchItem] {
        self.error.value().map_or(&[], Vec::as_slice)
    }
}

wire_struct! {
    /// `PUT /trackings/update/{id}`'s `data`. Note the asymmetry: the request says
    /// `destination_country_iso2`, this result `destination_country`.
    pub struct UpdateResult {
        /// The tracking id.
        "id" => id: Field<String>,
        /// The tracking number.
        "tracking_number" => tracking_number: Field<String>,
        /// The courier code.
        "courier_code" => courier_code: Field<String>,
        /// The new courier, when changed.
        "courier_code_new" => courier_code_new: Field<String>,
        /// Order number.
        "order_number" => order_number: Field<String>,
        /// Order date.
        "order_date" => order_date: Field<String>,
        /// Order id.
        "order_id" => order_id: Field<String>,
        /// Destination country (the request's `destination_country_iso2`).
        "destination_country" => destination_country: Field<String>,
        /// Origin country (the request's `origin_country_iso2`).
        "origin_country" => origin_country: Field<String>,
        /// Postal code.
        "tracking_postal_code" => tracking_postal_code: Field<String>,
        /// Ship date.
        "tracking_ship_date" => tracking_ship_date: Field<String>,
        /// Courier account.
        "tracking_courier_account" => tracking_courier_account: Field<String>,
        /// Destination country for the courier.
        "tracking_destination_country" => tracking_destination_country: Field<String>,
        /// Origin country for the courier.
        "tracking_origin_country" => tracking_origin_country: Field<String>,
        /// Courier key.
        "tracking_key" => tracking_key: Field<String>,
        /// Customer name.
        "customer_name" => customer_name: Field<String>,
        /// Customer e-mail.
        "customer_email" => customer_email: Field<String>,
        /// Customer phone.
        "customer_sms" => customer_sms: Field<String>,
        /// Recipient postcode.
        "recipient_postcode" => recipient_postcode: Field<String>,
        /// Title.
        "title" => title: Field<String>,
        /// Logistics channel.
        "logistics_channel" => logistics_channel: Field<String>,
        /// Note.
        "note" => note: Field<String>,
        /// Labels.
        "label" => label: Field<String>,
        /// Archive state.
        "archived_status" => archived_status: Field<String>,
    }
}

wire_struct! {
    /// One flight of an air waybill.
    pub struct Flight {
        /// Flight number (inside the item in list form, the key in map form).
        "flight_number" => flight_number: Field<String>,
        /// From (IATA).
        "depart_station" => depart_station: Field<String>,
        /// To (IATA).
        "arrival_station" => arrival_station: Field<String>,
        /// Planned departure.
        "plan_depart_time" => plan_depart_time: Field<String>,
        /// Departure.
        "depart_time" => depart_time: Field<String>,
        /// Planned arrival.
        "plan_arrival_time" => plan_arrival_time: Field<String>,
        /// Arrival.
        "arrival_time" => arrival_time: Field<String>,
        /// Pieces.
        "piece" => piece: Field<NumberOrString>,
        /// Weight.
        "weight" => weight: Field<NumberOrString>,
        /// Status.
        "status" => status: Field<String>,
    }
}

/// `flight_info`: a map from flight number (the Java and .NET SDKs) or a list (a relayed real
/// result). Both are read; each keeps its form on the way back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FlightInfo {
    /// Flight number → flight.
    Map(BTreeMap<String, Flight>),
    /// Flights in order.
    List(Vec<Flight>),
}

impl FlightInfo {
    /// Every flight with its number (from the key in map form).
    ///
    /// ```
    /// use tm_types::v4::FlightInfo;
    /// let map: FlightInfo = serde_json::from_str(r#"{"TK0721":{"depart_station":"IST"}}"#).unwrap();
    /// let list: FlightInfo = serde_json::from_str(r#"[{"flight_number":"TK0721","depart_station":"IST"}]"#).unwrap();
    /// assert_eq!(map.flights()[0].0, "TK0721");
    /// assert_eq!(list.flights()[0].0, "TK0721");
    /// ```
    pub fn flights(&self) -> Vec<(String, &Flight)> {
        match self {
            FlightInfo::Map(m) => m.iter().map(|(k, f)| (k.clone(), f)).collect(),
            FlightInfo::List(l) => l
                .iter()
                .map(|f| (f.flight_number.as_deref().unwrap_or("").to_owned(), f))
                .collect(),
        }
    }
}

wire_struct! {
    /// One event of an air waybill.
    pub struct AirWaybillEvent {
        /// Planned time.
        "plan_date" => plan_date: Field<String>,
        /// Actual time (`YYYY-MM-DD HH:MM:SS`).
        "actual_date" => actual_date: Field<String>,
        /// Event text.
        "event" => event: Field<String>,
        /// Station (IATA).
        "station" => station: Field<String>,
        /// Flight number.
        "flight_number" => flight_number: Field<String>,
        /// The IATA Cargo-IMP code (`DLV`, `ARR`, `DEP`, …).
        "status" => status: Field<String>,
        /// Pieces.
        "piece" => piece: Field<NumberOrString>,
        /// Weight.
        "weight" => weight: Field<NumberOrString>,
        /// Main status of the event.
        "checkpoint_status" => checkpoint_status: Field<DeliveryStatus>,
        /// Sub-status of the event.
        "checkpoint_substatus" => checkpoint_substatus: Field<Substatus>,
    }
}

wire_struct! {
    /// The airline of an air waybill.
    pub struct AirlineInfo {
        /// Name.
        "name" => name: Field<String>,
        /// Home page.
        "url" => url: Field<String>,
        /// Tracking URL.
        "track_url" => track_url: Field<String>,
        /// Tracking page.
        "trackpage_url" => trackpage_url: Field<String>,
    }
}

wire_struct! {
    /// `POST /awb`'s `data`: a real-time air-cargo result.
    pub struct AirWaybill {
        /// The number, `172-56546685`.
        "awb_number" => awb_number: Field<String>,
        /// Main status.
        "awb_status" => awb_status: Field<DeliveryStatus>,
        /// Sub-status.
        "awb_substatus" => awb_substatus: Field<Substatus>,
        /// Status number (an int in one SDK, a string in others).
        "status_number" => status_number: Field<NumberOrString>,
        /// Weight, e.g. `"260K"`.
        "weight" => weight: Field<NumberOrString>,
        /// Pieces.
        "piece" => piece: Field<NumberOrString>,
        /// Origin airport (IATA).
        "origin" => origin: Field<String>,
        /// Destination airport (IATA).
        "destination" => destination: Field<String>,
        /// The route's stations.
        "flight_way_station" => flight_way_station: Field<Vec<String>>,
        /// The newest event as text.
        "last_event" => last_event: Field<String>,
        /// Flights with pieces and weights.
        "flight_info_new" => flight_info_new: Field<Vec<Flight>>,
        /// Flights, as a map or a list.
        "flight_info" => flight_info: Field<FlightInfo>,
        /// Events.
        "track_info" => track_info: Field<Vec<AirWaybillEvent>>,
        /// The airline.
        "airline_info" => airline_info: Field<AirlineInfo>,
    }
}

//! The v4 tracking object: record fields, `origin_info` / `destination_info` with their
//! milestones, and checkpoints.

use chrono::{DateTime, FixedOffset, NaiveDateTime};

use super::{ArchivedStatus, DeliveryStatus, Substatus};
use crate::field::{LenientBool, LenientInt};
use crate::{Field, NumberOrString, time};

wire_struct! {
    /// A checkpoint (`trackinfo[]` element), newest first in its list.
    pub struct Checkpoint {
        /// Carrier-local time without offset: `2023-09-15T15:00:00` (v3-era data:
        /// `2021-06-11 13:11:00`); see [`Checkpoint::time`].
        "checkpoint_date" => checkpoint_date: Field<String>,
        /// The event's main status.
        "checkpoint_delivery_status" => checkpoint_delivery_status: Field<DeliveryStatus>,
        /// The event's sub-status.
        "checkpoint_delivery_substatus" => checkpoint_delivery_substatus: Field<Substatus>,
        /// The event text.
        "tracking_detail" => tracking_detail: Field<String>,
        /// Where, possibly `null`.
        "location" => location: Field<String>,
        /// Country of the event (ISO 3166-1 alpha-2).
        "country_iso2" => country_iso2: Field<String>,
        /// State of the event.
        "state" => state: Field<String>,
        /// City of the event.
        "city" => city: Field<String>,
        /// Postal code of the event.
        "zip" => zip: Field<String>,
        /// The carrier's own status code.
        "raw_status" => raw_status: Field<String>,
    }
}

impl Checkpoint {
    /// The event time (carrier-local, no offset), from either the `T` or the space form.
    ///
    /// ```
    /// let c: tm_types::v4::Checkpoint = serde_json::from_str(r#"{"checkpoint_date":"2021-06-11 13:11:00"}"#).unwrap();
    /// assert_eq!(c.time().unwrap().to_string(), "2021-06-11 13:11:00");
    /// ```
    pub fn time(&self) -> Option<NaiveDateTime> {
        self.checkpoint_date.as_deref().and_then(time::parse_naive)
    }
}

wire_struct! {
    /// `milestone_date`: when each milestone was reached (carrier-local, no offset), `null`
    /// until then.
    pub struct MilestoneDate {
        /// Information received.
        "inforeceived_date" => inforeceived_date: Field<String>,
        /// Picked up.
        "pickup_date" => pickup_date: Field<String>,
        /// Out for delivery.
        "outfordelivery_date" => outfordelivery_date: Field<String>,
        /// Delivered.
        "delivery_date" => delivery_date: Field<String>,
        /// Return started.
        "returning_date" => returning_date: Field<String>,
        /// Returned.
        "returned_date" => returned_date: Field<String>,
    }
}

wire_struct! {
    /// `origin_info` / `destination_info`: one leg's courier, milestones and checkpoints
    /// (the destination leg's courier is the last-mile one).
    pub struct LegInfo {
        /// The courier of this leg.
        "courier_code" => courier_code: Field<String>,
        /// Its phone.
        "courier_phone" => courier_phone: Field<String>,
        /// Its tracking page.
        "weblink" => weblink: Field<String>,
        /// A reference number.
        "reference_number" => reference_number: Field<String>,
        /// Milestone dates.
        "milestone_date" => milestone_date: Field<MilestoneDate>,
        /// Legacy milestone: picked up.
        "pickup_date" => pickup_date: Field<String>,
        /// Legacy milestone: left the origin airport.
        "departed_airport_date" => departed_airport_date: Field<String>,
        /// Legacy milestone: arrived abroad.
        "arrived_abroad_date" => arrived_abroad_date: Field<String>,
        /// Legacy milestone: received by customs.
        "customs_received_date" => customs_received_date: Field<String>,
        /// Legacy milestone: arrived at the destination (in the SDKs, absent from real dumps).
        "arrived_destination_date" => arrived_destination_date: Field<String>,
        /// Checkpoints, newest first.
        "trackinfo" => trackinfo: Field<Vec<Checkpoint>>,
    }
}

impl LegInfo {
    /// The checkpoints (none when `trackinfo` is absent or `null`).
    pub fn checkpoints(&self) -> &[Checkpoint] {
        self.trackinfo.value().map_or(&[], Vec::as_slice)
    }
}

wire_struct! {
    /// A tracking (`trackings/create`, `trackings/get`, delete, retrack, webhooks). Nearly every
    /// key is present with `null` for unset values; keys no SDK models (`source`,
    /// `substatusV2`, …) are kept in `extra`.
    ///
    /// ```
    /// use tm_types::v4::{DeliveryStatus, Tracking};
    /// let t: Tracking = serde_json::from_str(r#"{"id":"9a71ac3628f63b843820bddbc9fb7e35",
    ///   "tracking_number":"9104223295","courier_code":"dhl","delivery_status":"delivered",
    ///   "archived":"tracking","pieces":1,"created_at":"2023-10-24T06:48:32+00:00",
    ///   "source":"API"}"#).unwrap();
    /// assert_eq!(t.status(), Some(&DeliveryStatus::Delivered));
    /// assert_eq!(t.pieces.value().and_then(|p| p.as_u64()), Some(1)); // a number, not a string
    /// assert_eq!(t.extra["source"], "API");
    /// assert!(t.created_at().is_some());
    /// ```
    pub struct Tracking {
        /// The tracking id: 32 lower-case hex characters.
        "id" => id: Field<String>,
        /// The tracking number.
        "tracking_number" => tracking_number: Field<String>,
        /// The courier code.
        "courier_code" => courier_code: Field<String>,
        /// Order number.
        "order_number" => order_number: Field<String>,
        /// Order date.
        "order_date" => order_date: Field<String>,
        /// Created, with offset: `2023-10-25T07:02:52+00:00`.
        "created_at" => created_at: Field<String>,
        /// Last updated, with offset (spelled `update_at` on the wire).
        "update_at" => update_at: Field<String>,
        /// The main status.
        "delivery_status" => delivery_status: Field<DeliveryStatus>,
        /// `"tracking"` or `"archived"`: a string, not a boolean.
        "archived" => archived: Field<ArchivedStatus>,
        /// Whether a courier fetch is in progress.
        "updating" => updating: Field<bool> as LenientBool,
        /// Destination country (ISO2).
        "destination_country" => destination_country: Field<String>,
        /// Destination state.
        "destination_state" => destination_state: Field<String>,
        /// Destination city.
        "destination_city" => destination_city: Field<String>,
        /// Origin country (ISO2).
        "origin_country" => origin_country: Field<String>,
        /// Origin state.
        "origin_state" => origin_state: Field<String>,
        /// Origin city.
        "origin_city" => origin_city: Field<String>,
        /// Echo of the create field.
        "tracking_postal_code" => tracking_postal_code: Field<String>,
        /// Echo of the create field.
        "tracking_ship_date" => tracking_ship_date: Field<String>,
        /// Echo of the create field.
        "tracking_destination_country" => tracking_destination_country: Field<String>,
        /// Echo of the create field.
        "tracking_origin_country" => tracking_origin_country: Field<String>,
        /// Echo of the create field.
        "tracking_key" => tracking_key: Field<String>,
        /// Echo of the create field.
        "tracking_courier_account" => tracking_courier_account: Field<String>,
        /// Customer name.
        "customer_name" => customer_name: Field<String>,
        /// Customer e-mail.
        "customer_email" => customer_email: Field<String>,
        /// Customer phone.
        "customer_sms" => customer_sms: Field<String>,
        /// Recipient postcode.
        "recipient_postcode" => recipient_postcode: Field<String>,
        /// Order id.
        "order_id" => order_id: Field<String>,
        /// Product title.
        "title" => title: Field<String>,
        /// Logistics channel.
        "logistics_channel" => logistics_channel: Field<String>,
        /// Note.
        "note" => note: Field<String>,
        /// Labels, comma-separated ids (`"1,2"`).
        "label" => label: Field<String>,
        /// Who signed.
        "signed_by" => signed_by: Field<String>,
        /// Service code.
        "service_code" => service_code: Field<String>,
        /// Weight, a string or a number.
        "weight" => weight: Field<NumberOrString>,
        /// Weight in kg, a string or a number.
        "weight_kg" => weight_kg: Field<NumberOrString>,
        /// Product type.
        "product_type" => product_type: Field<String>,
        /// Pieces: the SDKs say string, real data shows a number.
        "pieces" => pieces: Field<NumberOrString>,
        /// Dimension.
        "dimension" => dimension: Field<String>,
        /// A previous tracking number.
        "previously" => previously: Field<String>,
        /// Last-mile tracking number.
        "destination_track_number" => destination_track_number: Field<String>,
        /// Exchange number.
        "exchange_number" => exchange_number: Field<String>,
        /// Scheduled delivery date.
        "scheduled_delivery_date" => scheduled_delivery_date: Field<String>,
        /// Scheduled address.
        "scheduled_address" => scheduled_address: Field<String>,
        /// The sub-status.
        "substatus" => substatus: Field<Substatus>,
        /// Status information.
        "status_info" => status_info: Field<String>,
        /// The newest checkpoint as `detail, location, YYYY-MM-DD HH:MM:SS`.
        "latest_event" => latest_event: Field<String>,
        /// The newest checkpoint's time, without offset.
        "latest_checkpoint_time" => latest_checkpoint_time: Field<String>,
        /// Days in transit.
        "transit_time" => transit_time: Field<i64> as LenientInt,
        /// The origin leg.
        "origin_info" => origin_info: Field<LegInfo>,
        /// The destination leg.
        "destination_info" => destination_info: Field<LegInfo>,
    }
}

impl Tracking {
    /// The main status, if sent.
    pub fn status(&self) -> Option<&DeliveryStatus> {
        self.delivery_status.value()
    }

    /// `created_at` parsed (ISO-8601 with offset).
    pub fn created_at(&self) -> Option<DateTime<FixedOffset>> {
        self.created_at.as_deref().and_then(time::parse_offset)
    }

    /// `update_at` parsed (ISO-8601 with offset).
    pub fn updated_at(&self) -> Option<DateTime<FixedOffset>> {
        self.update_at.as_deref().and_then(time::parse_offset)
    }

    /// `latest_checkpoint_time` parsed (carrier-local, no offset).
    pub fn latest_checkpoint_time(&self) -> Option<NaiveDateTime> {
        self.latest_checkpoint_time
            .as_deref()
            .and_then(time::parse_naive)
    }

    /// Every checkpoint of both legs, origin first, each leg newest first.
    ///
    /// ```
    /// let t: tm_types::v4::Tracking = serde_json::from_str(r#"{"origin_info":{"trackinfo":[
    ///   {"checkpoint_date":"2023-09-15T15:00:00","tracking_detail":"Delivered"}]},
    ///   "destination_info":{"trackinfo":[]}}"#).unwrap();
    /// assert_eq!(t.checkpoints().count(), 1);
    /// ```
    pub fn checkpoints(&self) -> impl Iterator<Item = &Checkpoint> {
        [&self.origin_info, &self.destination_info]
            .into_iter()
            .filter_map(Field::value)
            .flat_map(LegInfo::checkpoints)
    }

    /// Whether the tracking is archived (`archived: "archived"`).
    pub fn is_archived(&self) -> bool {
        self.archived.value() == Some(&ArchivedStatus::Archived)
    }
}

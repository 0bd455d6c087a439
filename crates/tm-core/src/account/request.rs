//! What a caller asks of an account, in one shape for both generations: a shipment to create,
//! changes to one, and which shipments to list. Each becomes the generation's request here;
//! what a generation cannot express is refused with [`Error::Unsupported`].

use chrono::DateTime;
use tm_types::{v2, v4};

use super::Capability;
use crate::{Api, Error, Result};

/// A shipment to create: the fields both generations take (v2's create fields, which v4 reads
/// through [`crate::bridge`]; nothing is dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewShipment {
    /// The carrier (courier) code.
    pub carrier: String,
    /// The tracking number.
    pub number: String,
    /// Product title.
    pub title: Option<String>,
    /// Order id.
    pub order_id: Option<String>,
    /// When the order was placed (free form, as the shop has it).
    pub order_created: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Customer e-mail.
    pub customer_email: Option<String>,
    /// Customer phone.
    pub customer_phone: Option<String>,
    /// Destination country code.
    pub destination: Option<String>,
    /// Logistics channel.
    pub logistics_channel: Option<String>,
    /// A note (v2 calls it the comment).
    pub note: Option<String>,
    /// Checkpoint language.
    pub lang: Option<String>,
    /// Let the API correct the carrier (v2).
    pub auto_correct: Option<bool>,
    /// Ship date, `YYYYMMDD` (some carriers need it).
    pub ship_date: Option<String>,
    /// Postal code (some carriers need it).
    pub postal_code: Option<String>,
    /// Account number at the carrier (some carriers need it).
    pub account_number: Option<String>,
    /// Destination country, as some carriers want it.
    pub destination_country: Option<String>,
    /// The destination's own tracking number (some carriers).
    pub special_number_destination: Option<String>,
}

impl NewShipment {
    /// A shipment of `carrier` with `number`, nothing else set.
    pub fn new(carrier: impl Into<String>, number: impl Into<String>) -> Self {
        NewShipment {
            carrier: carrier.into(),
            number: number.into(),
            ..NewShipment::default()
        }
    }

    /// The v2 create request.
    pub fn to_v2(&self) -> v2::CreateTrackingRequest {
        let mut r = v2::CreateTrackingRequest::new(&self.carrier, &self.number);
        r.title = self.title.clone();
        r.order_id = self.order_id.clone();
        r.order_create_time = self.order_created.clone();
        r.customer_name = self.customer_name.clone();
        r.customer_email = self.customer_email.clone().map(v2::CustomerEmail::from);
        r.customer_phone = self.customer_phone.clone();
        r.destination_code = self.destination.clone();
        r.logistics_channel = self.logistics_channel.clone();
        r.comment = self.note.clone();
        r.lang = self.lang.clone();
        r.auto_correct = self.auto_correct.map(u8::from);
        let req = &mut r.carrier_requirements;
        req.tracking_ship_date = self.ship_date.clone();
        req.tracking_postal_code = self.postal_code.clone();
        req.tracking_account_number = self.account_number.clone();
        req.tracking_destination_country = self.destination_country.clone();
        req.special_number_destination = self.special_number_destination.clone();
        r
    }

    /// The v4 create request (through [`crate::bridge::create_request_to_v4`]).
    pub fn to_v4(&self) -> v4::CreateTrackingRequest {
        crate::bridge::create_request_to_v4(&self.to_v2())
    }

    /// The carrier code as v4 compares it and the number trimmed: what "the same shipment"
    /// means when results are matched back to requests.
    pub fn identity(&self) -> (String, String) {
        (
            crate::bridge::courier_code(&self.carrier),
            self.number.trim().to_ascii_uppercase(),
        )
    }
}

/// A status forced through the API (v2 only: [`Capability::ForcedStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Delivered.
    Delivered,
    /// An exception.
    Exception,
    /// Back to what the carrier says.
    Revert,
}

/// Changes to one shipment; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Update {
    /// Product title.
    pub title: Option<String>,
    /// Order id.
    pub order_id: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Customer e-mail.
    pub customer_email: Option<String>,
    /// Customer phone.
    pub customer_phone: Option<String>,
    /// Destination country code.
    pub destination: Option<String>,
    /// Logistics channel.
    pub logistics_channel: Option<String>,
    /// A note (v4 only: [`Capability::Note`]).
    pub note: Option<String>,
    /// Archive (true) or unarchive (false).
    pub archived: Option<bool>,
    /// Move it to this carrier.
    pub carrier: Option<String>,
    /// Force a status (v2 only).
    pub mark: Option<Mark>,
}

impl Update {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        *self == Update::default()
    }

    /// The capabilities these changes need.
    pub(crate) fn needs(&self) -> Vec<Capability> {
        let mut needs = Vec::new();
        if self.mark.is_some() {
            needs.push(Capability::ForcedStatus);
        }
        if self.note.is_some() {
            needs.push(Capability::Note);
        }
        needs
    }

    /// The v2 field changes (the carrier moves by its own call).
    pub(crate) fn to_v2(&self) -> v2::UpdateTrackingRequest {
        v2::UpdateTrackingRequest {
            title: self.title.clone(),
            order_id: self.order_id.clone(),
            customer_name: self.customer_name.clone(),
            customer_email: self.customer_email.clone().map(v2::CustomerEmail::from),
            customer_phone: self.customer_phone.clone(),
            destination_code: self.destination.clone(),
            logistics_channel: self.logistics_channel.clone(),
            archived: self.archived,
            status: self.mark.map(|m| match m {
                Mark::Delivered => v2::StatusInput::MarkDelivered,
                Mark::Exception => v2::StatusInput::MarkException,
                Mark::Revert => v2::StatusInput::Revert,
            }),
            ..Default::default()
        }
    }

    /// The v4 changes.
    pub(crate) fn to_v4(&self) -> v4::UpdateTrackingRequest {
        let mut changes = v4::UpdateTrackingRequest::default();
        let d = &mut changes.details;
        d.title = self.title.clone();
        d.order_id = self.order_id.clone();
        d.customer_name = self.customer_name.clone();
        d.customer_email = self.customer_email.clone();
        d.customer_sms = self.customer_phone.clone();
        d.destination_country_iso2 = self.destination.clone();
        d.logistics_channel = self.logistics_channel.clone();
        d.note = self.note.clone();
        changes.courier_code_new = self.carrier.clone();
        changes.archived_status = self.archived.map(|a| {
            if a {
                v4::ArchivedStatus::Archived
            } else {
                v4::ArchivedStatus::Tracking
            }
        });
        changes
    }
}

/// Which shipments to list. The server applies what its generation can; the rest (v2's
/// carrier) is applied to what comes back ([`Filter::admits`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Filter {
    /// Only this main status (one of the generation's documented statuses).
    pub status: Option<String>,
    /// Only this carrier.
    pub carrier: Option<String>,
    /// Only these numbers (up to 40).
    pub numbers: Vec<String>,
    /// Only these order ids (v2 only: [`Capability::OrderFilter`]).
    pub orders: Vec<String>,
    /// Created at or after (Unix seconds).
    pub created_since: Option<i64>,
    /// Created at or before (Unix seconds).
    pub created_until: Option<i64>,
    /// Updated at or after (Unix seconds).
    pub updated_since: Option<i64>,
    /// Archived only (true) or unarchived only (false).
    pub archived: Option<bool>,
}

fn unix(field: &'static str, secs: Option<i64>) -> Result<Option<DateTime<chrono::Utc>>> {
    secs.map(|s| {
        DateTime::from_timestamp(s, 0).ok_or_else(|| Error::InvalidInput {
            field,
            reason: format!("{s} is not a time (Unix seconds)"),
        })
    })
    .transpose()
}

impl Filter {
    /// Whether `s` passes what the server could not apply (the carrier, for v2).
    pub fn admits(&self, s: &super::Shipment) -> bool {
        self.carrier
            .as_deref()
            .is_none_or(|c| s.carrier.eq_ignore_ascii_case(c.trim()))
    }

    /// The status, refused with the generation's list when it is not one of them.
    fn status<T>(&self, known: &[T], as_str: fn(&T) -> &str) -> Result<Option<String>> {
        let Some(s) = self.status.as_deref() else {
            return Ok(None);
        };
        let s = s.trim().to_ascii_lowercase();
        if known.iter().any(|k| as_str(k) == s) {
            return Ok(Some(s));
        }
        let names: Vec<&str> = known.iter().map(as_str).collect();
        Err(Error::InvalidInput {
            field: "status",
            reason: format!("{s:?}: expected one of {}", names.join(", ")),
        })
    }

    /// The v2 list request (a page of `limit` from `page`).
    pub(crate) fn to_v2(&self) -> Result<v2::ListTrackingsRequest> {
        let status = self
            .status(v2::TrackingStatus::KNOWN, v2::TrackingStatus::as_str)?
            .map(|s| s.parse().unwrap_or_else(|e| match e {}));
        Ok(v2::ListTrackingsRequest {
            status,
            created_at_min: self.created_since,
            created_at_max: self.created_until,
            update_time_min: self.updated_since,
            numbers: self.numbers.clone(),
            orders: self.orders.clone(),
            archived: self.archived,
            ..Default::default()
        })
    }

    /// The v4 get request.
    pub(crate) fn to_v4(&self) -> Result<v4::GetTrackingsRequest> {
        if !self.orders.is_empty() {
            return Err(Error::Unsupported {
                api: Api::V4,
                capability: Capability::OrderFilter,
            });
        }
        let status = self
            .status(v4::DeliveryStatus::KNOWN, v4::DeliveryStatus::as_str)?
            .map(|s| s.parse().unwrap_or_else(|e| match e {}));
        let mut req = v4::GetTrackingsRequest::default()
            .tracking_numbers(self.numbers.iter().cloned())
            .created_between(
                unix("created_since", self.created_since)?,
                unix("created_until", self.created_until)?,
            )
            .updated_between(unix("updated_since", self.updated_since)?, None);
        req.delivery_status = status;
        req.courier_code = self.carrier.as_deref().map(crate::bridge::courier_code);
        req.archived_status = self.archived.map(|a| {
            if a {
                v4::ArchivedStatus::Archived
            } else {
                v4::ArchivedStatus::Tracking
            }
        });
        Ok(req)
    }
}

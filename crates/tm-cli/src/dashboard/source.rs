//! The dashboard's one view of a shipment, whichever generation the account speaks, and the
//! reads and actions behind its pages, all through tm-core's clients (same limits, retries
//! and errors as every other command).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::{Backend, Failure};

/// A shipment as the pages show it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shipment {
    /// The carrier (v4: courier) code.
    pub carrier: String,
    /// The tracking number.
    pub number: String,
    /// The main status as the API spells it (`-` when absent); unknown ones are kept.
    pub status: String,
    /// The sub-status, where sent.
    pub substatus: Option<String>,
    /// The product title, where set.
    pub title: Option<String>,
    /// Where it comes from and goes to (a country name or code, as the API gives it).
    pub origin: Option<String>,
    /// See `origin`.
    pub destination: Option<String>,
    /// When the tracking was created.
    pub created: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated: Option<DateTime<Utc>>,
    /// Days in transit as the API counts them, where it does.
    pub transit_days: Option<i64>,
    /// The newest event's text.
    pub last_event: Option<String>,
    /// Archived.
    pub archived: bool,
    /// Checkpoints, newest first (only read for one shipment's page).
    pub checkpoints: Vec<Checkpoint>,
}

impl Shipment {
    /// `carrier:number`, the key `tm watch` and the live feed use.
    pub fn key(&self) -> String {
        format!("{}:{}", self.carrier, self.number)
    }
}

/// One carrier event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checkpoint {
    /// As the carrier gives it (local time, no zone).
    pub time: String,
    /// Where, when known.
    pub place: Option<String>,
    /// What happened.
    pub text: String,
    /// The event's sub-status, where sent.
    pub substatus: Option<String>,
}

/// The overview's filters, from the page's query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Deserialize)]
pub struct Filter {
    /// Only this carrier.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub carrier: Option<String>,
    /// Only this status.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub status: Option<String>,
    /// Created on or after this day (UTC), `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub from: Option<String>,
    /// Created on or before this day (UTC).
    #[serde(default, deserialize_with = "blank_is_none")]
    pub to: Option<String>,
}

/// An empty form field is no filter.
fn blank_is_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// A day of a date filter, named in the error when it is not one.
fn day(field: &str, value: &Option<String>) -> Result<Option<NaiveDate>, String> {
    value
        .as_deref()
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| format!("{field}: {v:?} is not a date (YYYY-MM-DD)"))
        })
        .transpose()
}

impl Filter {
    /// The creation window in Unix seconds (`to` includes its whole day), or what is wrong.
    pub fn window(&self) -> Result<(Option<i64>, Option<i64>), String> {
        let from = day("from", &self.from)?.map(|d| Utc.from_utc_datetime(&d.into()).timestamp());
        let to =
            day("to", &self.to)?.map(|d| Utc.from_utc_datetime(&d.into()).timestamp() + 86_399);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err("from: the first day is after the last".into());
        }
        Ok((from, to))
    }

    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether `s` passes the filters the server could not apply (the carrier, for v2).
    pub fn admits(&self, s: &Shipment) -> bool {
        self.carrier
            .as_deref()
            .is_none_or(|c| s.carrier.eq_ignore_ascii_case(c))
    }
}

/// A change to one shipment that the shipment page offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Force the status to delivered (v2 only: v4 has no forced status).
    MarkDelivered,
    /// Archive: the API stops updating it.
    Archive,
    /// Delete the tracking.
    Delete,
    /// Move it to another carrier.
    ChangeCarrier(String),
}

impl Action {
    /// From the confirmation form's fields.
    pub fn parse(action: &str, to: Option<&str>) -> Result<Action, String> {
        match action {
            "mark-delivered" => Ok(Action::MarkDelivered),
            "archive" => Ok(Action::Archive),
            "delete" => Ok(Action::Delete),
            "change-carrier" => match to.map(str::trim).filter(|t| !t.is_empty()) {
                Some(to) => Ok(Action::ChangeCarrier(to.to_ascii_lowercase())),
                None => Err("change-carrier: give the new carrier code".into()),
            },
            other => Err(format!("{other:?} is not an action")),
        }
    }

    /// The form value.
    pub fn name(&self) -> &'static str {
        match self {
            Action::MarkDelivered => "mark-delivered",
            Action::Archive => "archive",
            Action::Delete => "delete",
            Action::ChangeCarrier(_) => "change-carrier",
        }
    }

    /// What the confirmation asks.
    pub fn question(&self, key: &str) -> String {
        match self {
            Action::MarkDelivered => format!("Mark {key} as delivered?"),
            Action::Archive => format!("Archive {key}? The API stops updating it."),
            Action::Delete => format!("Delete {key}? Its history is gone for good."),
            Action::ChangeCarrier(to) => format!("Move {key} to the carrier {to}?"),
        }
    }
}

fn utc(t: Option<DateTime<chrono::FixedOffset>>) -> Option<DateTime<Utc>> {
    t.map(|t| t.with_timezone(&Utc))
}

/// A text field's value, unless absent, null or empty.
fn text(f: &tm_types::Field<String>) -> Option<String> {
    f.value().filter(|s| !s.is_empty()).cloned()
}

/// One timeline, newest first: origin and destination lists interleave in time. Read only
/// for one shipment's page (`with`); listings skip it.
fn timeline(with: bool, checkpoints: impl Iterator<Item = Checkpoint>) -> Vec<Checkpoint> {
    if !with {
        return Vec::new();
    }
    let mut cps: Vec<Checkpoint> = checkpoints.collect();
    cps.sort_by(|a, b| b.time.cmp(&a.time));
    cps
}

fn v2_shipment(t: tm_types::v2::Tracking, with_checkpoints: bool) -> Shipment {
    let checkpoints = timeline(
        with_checkpoints,
        t.checkpoints().map(|c| Checkpoint {
            time: c.date.as_deref().unwrap_or("").to_owned(),
            place: text(&c.details),
            text: c.status_description.as_deref().unwrap_or("").to_owned(),
            substatus: c.substatus.value().map(ToString::to_string),
        }),
    );
    Shipment {
        status: t
            .status()
            .map_or_else(|| "-".to_owned(), ToString::to_string),
        substatus: t.substatus.value().map(ToString::to_string),
        title: text(&t.title),
        origin: text(&t.original_country),
        destination: text(&t.destination_country).or_else(|| text(&t.destination_code)),
        created: utc(t.created_at()),
        updated: utc(t.updated_at()),
        transit_days: t.item_time_length.value().copied(),
        last_event: text(&t.last_event),
        archived: t.archived.value().copied().unwrap_or(false),
        checkpoints,
        carrier: t.carrier_code,
        number: t.tracking_number,
    }
}

fn v4_shipment(t: tm_types::v4::Tracking, with_checkpoints: bool) -> Shipment {
    let checkpoints = timeline(
        with_checkpoints,
        t.checkpoints().map(|c| Checkpoint {
            time: c.checkpoint_date.as_deref().unwrap_or("").to_owned(),
            place: text(&c.location).or_else(|| text(&c.city)),
            text: c.tracking_detail.as_deref().unwrap_or("").to_owned(),
            substatus: c
                .checkpoint_delivery_substatus
                .value()
                .map(ToString::to_string),
        }),
    );
    Shipment {
        status: t
            .status()
            .map_or_else(|| "-".to_owned(), ToString::to_string),
        substatus: t.substatus.value().map(ToString::to_string),
        title: text(&t.title),
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
    }
}

/// The largest page each generation's listing takes (the v2 document's 2000; v4's sim cap).
const PAGE: u32 = 2000;

impl Backend {
    /// `v2` or `v4`.
    pub fn generation(&self) -> &'static str {
        match self {
            Backend::V2(_) => "v2",
            Backend::V4(_) => "v4",
        }
    }

    /// The documented main statuses, in the API's order (v2's 8, v4's 9).
    pub fn statuses(&self) -> Vec<String> {
        match self {
            Backend::V2(_) => tm_types::v2::TrackingStatus::KNOWN
                .iter()
                .map(ToString::to_string)
                .collect(),
            // `created` was seen once in a real object but is not documented: counted when
            // seen, not offered as a bar of its own.
            Backend::V4(_) => tm_types::v4::DeliveryStatus::KNOWN
                .iter()
                .filter(|s| **s != tm_types::v4::DeliveryStatus::Created)
                .map(ToString::to_string)
                .collect(),
        }
    }

    /// Whether the shipment page offers `action` in this generation.
    pub fn offers(&self, action: &Action) -> bool {
        !matches!((self, action), (Backend::V4(_), Action::MarkDelivered))
    }

    /// Every shipment passing `filter`, page by page (the server applies what it can:
    /// status and creation dates, and v4's courier), in flat memory.
    pub fn shipments(
        &self,
        filter: &Filter,
    ) -> Result<BoxStream<'static, tm_core::Result<Shipment>>, String> {
        let (from, to) = filter.window()?;
        let keep = filter.clone();
        let stream = match self {
            Backend::V2(client) => {
                let status = filter
                    .status
                    .as_deref()
                    .map(|s| s.parse::<tm_types::v2::TrackingStatus>())
                    .transpose()
                    .map_err(|e| format!("status: {e}"))?;
                let req = tm_types::v2::ListTrackingsRequest {
                    limit: Some(PAGE),
                    status,
                    created_at_min: from,
                    created_at_max: to,
                    ..Default::default()
                };
                client
                    .trackings()
                    .list_all(req)
                    .map(|t| t.map(|t| v2_shipment(t, false)))
                    .boxed()
            }
            Backend::V4(client) => {
                let mut req = tm_types::v4::GetTrackingsRequest::default()
                    .created_between(
                        from.and_then(|s| DateTime::from_timestamp(s, 0)),
                        to.and_then(|s| DateTime::from_timestamp(s, 0)),
                    )
                    .items_amount(PAGE);
                req.courier_code = filter.carrier.as_deref().map(str::to_ascii_lowercase);
                req.delivery_status = filter
                    .status
                    .as_deref()
                    .map(|s| s.parse::<tm_types::v4::DeliveryStatus>())
                    .transpose()
                    .map_err(|e| format!("status: {e}"))?;
                client
                    .trackings()
                    .get_all(req)
                    .map(|t| t.map(|t| v4_shipment(t, false)))
                    .boxed()
            }
        };
        Ok(stream
            .filter(move |s| {
                let keep = s.as_ref().map_or(true, |s| keep.admits(s));
                std::future::ready(keep)
            })
            .boxed())
    }

    /// The shipments whose number is `number`, on any carrier (the search box).
    pub async fn search(&self, number: &str) -> Result<Vec<Shipment>, Failure> {
        let number = number.trim();
        Ok(match self {
            Backend::V2(client) => {
                let req = tm_types::v2::ListTrackingsRequest {
                    numbers: vec![number.to_owned()],
                    ..Default::default()
                };
                let page = client.trackings().list(&req).await?;
                page.items()
                    .iter()
                    .map(|t| v2_shipment(t.clone(), false))
                    .collect()
            }
            Backend::V4(client) => {
                let req = tm_types::v4::GetTrackingsRequest::default().tracking_numbers([number]);
                let page = client.trackings().get(&req).await?;
                page.items
                    .into_iter()
                    .map(|t| v4_shipment(t, false))
                    .collect()
            }
        })
    }

    /// One shipment with its checkpoints.
    pub async fn shipment(&self, carrier: &str, number: &str) -> Result<Shipment, Failure> {
        Ok(match self {
            Backend::V2(client) => {
                v2_shipment(client.trackings().get(carrier, number).await?, true)
            }
            Backend::V4(client) => v4_shipment(
                crate::v4cmd::find(client, carrier, Some(number), None).await?,
                true,
            ),
        })
    }

    /// Applies `action` to the shipment; what was done, for the page.
    pub async fn act(
        &self,
        carrier: &str,
        number: &str,
        action: &Action,
    ) -> Result<String, Failure> {
        let key = format!("{carrier}:{number}");
        match self {
            Backend::V2(client) => {
                use tm_types::v2::{ChangeCarrierRequest, StatusInput, UpdateTrackingRequest};
                let t = client.trackings();
                match action {
                    Action::MarkDelivered | Action::Archive => {
                        let mut changes = UpdateTrackingRequest::default();
                        if *action == Action::Archive {
                            changes.archived = Some(true);
                        } else {
                            changes.status = Some(StatusInput::MarkDelivered);
                        }
                        t.update(carrier, number, changes).await?;
                    }
                    Action::Delete => t.delete(carrier, number).await?,
                    Action::ChangeCarrier(to) => {
                        t.change_carrier(ChangeCarrierRequest::new(number, carrier, to))
                            .await?;
                    }
                }
            }
            Backend::V4(client) => {
                use tm_types::v4::{ArchivedStatus, UpdateTrackingRequest};
                let id = crate::v4cmd::find(client, carrier, Some(number), None)
                    .await?
                    .id
                    .into_value()
                    .ok_or_else(|| {
                        Failure::Refused("the API returned the tracking without its id".into())
                    })?;
                let t = client.trackings();
                match action {
                    Action::MarkDelivered => {
                        return Err(Failure::Usage(
                            "v4 has no forced status: the carrier's events decide".into(),
                        ));
                    }
                    Action::Archive | Action::ChangeCarrier(_) => {
                        let mut changes = UpdateTrackingRequest::default();
                        match action {
                            Action::ChangeCarrier(to) => {
                                changes.courier_code_new = Some(to.clone())
                            }
                            _ => changes.archived_status = Some(ArchivedStatus::Archived),
                        }
                        t.update(&id, changes).await?;
                    }
                    Action::Delete => {
                        t.delete(&id).await?;
                    }
                }
            }
        }
        Ok(match action {
            Action::MarkDelivered => format!("{key} marked delivered"),
            Action::Archive => format!("{key} archived"),
            Action::Delete => format!("{key} deleted"),
            Action::ChangeCarrier(to) => format!("{number} moved from {carrier} to {to}"),
        })
    }

    /// The trackings updated since `since` (Unix seconds, server time), as `tm watch` polls.
    pub fn updated_since(
        &self,
        since: Option<i64>,
    ) -> BoxStream<'_, tm_core::Result<crate::watch::Seen>> {
        match self {
            Backend::V2(client) => crate::watch::v2_updated_since(client, since).boxed(),
            Backend::V4(client) => crate::v4cmd::updated_since(client, since).boxed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_filters_cover_whole_days_and_name_what_is_wrong() {
        let f = Filter {
            from: Some("2024-03-01".into()),
            to: Some("2024-03-01".into()),
            ..Filter::default()
        };
        assert_eq!(
            f.window().unwrap(),
            (Some(1_709_251_200), Some(1_709_337_599))
        );
        let bad = Filter {
            from: Some("03/01/2024".into()),
            ..Filter::default()
        };
        assert!(bad.window().unwrap_err().contains("from"));
        let reversed = Filter {
            from: Some("2024-03-02".into()),
            to: Some("2024-03-01".into()),
            ..Filter::default()
        };
        assert!(reversed.window().is_err());
    }

    #[test]
    fn actions_parse_from_the_form_and_refuse_what_is_not_one() {
        assert_eq!(Action::parse("archive", None), Ok(Action::Archive));
        assert_eq!(
            Action::parse("change-carrier", Some(" FedEx ")),
            Ok(Action::ChangeCarrier("fedex".into()))
        );
        assert!(Action::parse("change-carrier", Some("")).is_err());
        assert!(
            Action::parse("drop-table", None)
                .unwrap_err()
                .contains("drop-table")
        );
    }

    #[test]
    fn a_v2_tracking_becomes_one_timeline_newest_first() {
        let t: tm_types::v2::Tracking = serde_json::from_str(
            r#"{"tracking_number":"RR1","carrier_code":"china-post","status":"transit",
                "origin_info":{"trackinfo":[{"Date":"2024-03-01 10:00","StatusDescription":"Accepted","Details":"Shenzhen"}]},
                "destination_info":{"trackinfo":[{"Date":"2024-03-05 09:00","StatusDescription":"Arrived","Details":"","substatus":"transit002"}]}}"#,
        )
        .unwrap();
        let s = v2_shipment(t, true);
        assert_eq!(s.key(), "china-post:RR1");
        assert_eq!(s.checkpoints[0].text, "Arrived");
        assert_eq!(s.checkpoints[0].place, None);
        assert_eq!(s.checkpoints[0].substatus.as_deref(), Some("transit002"));
        assert_eq!(s.checkpoints[1].place.as_deref(), Some("Shenzhen"));
    }
}

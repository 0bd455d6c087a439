//! What the dashboard's pages ask of the account: the overview's filters as the page's form
//! gives them, and the actions a shipment page offers, both carried out through
//! `tm_core::Account` (same limits, retries and errors as every other command).

use chrono::{NaiveDate, TimeZone, Utc};
use tm_core::Account;
use tm_core::account::{Capability, Mark, ShipmentRef, Update};

use crate::Failure;

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

impl Filter {
    /// The account's filter: status, carrier and the creation window.
    pub fn to_account(&self) -> Result<tm_core::account::Filter, String> {
        let (from, to) = self.window()?;
        let mut f = tm_core::account::Filter::default();
        f.status = self.status.clone();
        f.carrier = self.carrier.clone();
        f.created_since = from;
        f.created_until = to;
        Ok(f)
    }
}

/// Whether the shipment page offers `action` on `account`.
pub fn offers(account: &Account, action: &Action) -> bool {
    match action {
        Action::MarkDelivered => account.supports(Capability::ForcedStatus),
        _ => true,
    }
}

/// Applies `action` to the shipment; what was done, for the page.
pub async fn act(
    account: &Account,
    carrier: &str,
    number: &str,
    action: &Action,
) -> Result<String, Failure> {
    let r = ShipmentRef::number(carrier, number);
    let key = r.to_string();
    let mut changes = Update::default();
    match action {
        Action::MarkDelivered => changes.mark = Some(Mark::Delivered),
        Action::Archive => changes.archived = Some(true),
        Action::ChangeCarrier(to) => changes.carrier = Some(to.clone()),
        Action::Delete => {
            account.delete(&r).await?;
            return Ok(format!("{key} deleted"));
        }
    }
    account.update(&r, &changes).await?;
    Ok(match action {
        Action::MarkDelivered => format!("{key} marked delivered"),
        Action::Archive => format!("{key} archived"),
        Action::ChangeCarrier(to) => format!("{number} moved from {carrier} to {to}"),
        Action::Delete => format!("{key} deleted"),
    })
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
}

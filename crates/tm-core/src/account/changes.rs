//! Change detection: what moved since the last look, for `tm watch`, the dashboard's live
//! feed and anything that mirrors an account.

use std::collections::BTreeMap;

use super::Shipment;

/// A status change one poll found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Change {
    /// `carrier:number`.
    pub key: String,
    /// The status before, or `None` for a shipment not seen before.
    pub from: Option<String>,
    /// The status now.
    pub to: String,
    /// Its newest event's text.
    pub event: Option<String>,
    /// When it changed (Unix seconds, server time), if known.
    pub updated: Option<i64>,
    /// The shipment as the poll read it.
    pub shipment: Shipment,
}

/// What change detection remembers between polls: the newest update time seen, and the last
/// status of every shipment seen. Keep it (`tm watch` keeps it in its state database) to pick
/// up where the last poll stopped.
///
/// ```
/// use tm_core::account::Cursor;
/// let mut cursor = Cursor::starting_at(1_700_000_000);
/// assert_eq!(cursor.since(), Some(1_700_000_000));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    since: Option<i64>,
    statuses: BTreeMap<String, String>,
}

impl Cursor {
    /// A cursor that reports every shipment as new.
    pub fn new() -> Cursor {
        Cursor::default()
    }

    /// A cursor that reports changes made after `since` (Unix seconds).
    pub fn starting_at(since: i64) -> Cursor {
        Cursor {
            since: Some(since),
            statuses: BTreeMap::new(),
        }
    }

    /// A cursor as it was kept: its time and the statuses seen.
    pub fn resume(
        since: Option<i64>,
        statuses: impl IntoIterator<Item = (String, String)>,
    ) -> Cursor {
        Cursor {
            since,
            statuses: statuses.into_iter().collect(),
        }
    }

    /// The newest update time seen (Unix seconds).
    pub fn since(&self) -> Option<i64> {
        self.since
    }

    /// The last status seen of the shipment `key` (`carrier:number`).
    pub fn status_of(&self, key: &str) -> Option<&str> {
        self.statuses.get(key).map(String::as_str)
    }

    /// Takes in one shipment a poll listed: moves the cursor, and returns the change when its
    /// status differs from the last one seen (a repeat, e.g. from the overlap second, is not
    /// one).
    pub fn observe(&mut self, s: &Shipment) -> Option<Change> {
        let updated = s.updated.map(|u| u.timestamp());
        if let Some(u) = updated {
            self.since = Some(self.since.map_or(u, |s| s.max(u)));
        }
        let key = s.key();
        if self.statuses.get(&key) == Some(&s.status) {
            return None;
        }
        let from = self.statuses.insert(key.clone(), s.status.clone());
        Some(Change {
            key,
            from,
            to: s.status.clone(),
            event: s.last_event.clone(),
            updated,
            shipment: s.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(number: &str, status: &str, updated: i64) -> Shipment {
        let t = tm_types::v2::Tracking {
            carrier_code: "ups".into(),
            tracking_number: number.into(),
            status: status.parse::<tm_types::v2::TrackingStatus>().ok().into(),
            updated_at: chrono::DateTime::from_timestamp(updated, 0)
                .map(|t| t.to_rfc3339())
                .into(),
            ..Default::default()
        };
        Shipment::from(t)
    }

    #[test]
    fn a_change_is_reported_once_and_the_cursor_moves_forward() {
        let mut c = Cursor::starting_at(100);
        let first = c.observe(&shipment("1", "transit", 150)).expect("new");
        assert_eq!((first.from, first.to.as_str()), (None, "transit"));
        assert!(
            c.observe(&shipment("1", "transit", 150)).is_none(),
            "a repeat"
        );
        let moved = c
            .observe(&shipment("1", "delivered", 140))
            .expect("a change");
        assert_eq!(moved.from.as_deref(), Some("transit"));
        assert_eq!(c.since(), Some(150), "never backwards");
        let kept = Cursor::resume(c.since(), [("ups:1".to_owned(), "delivered".to_owned())]);
        assert_eq!(kept.status_of("ups:1"), Some("delivered"));
    }
}

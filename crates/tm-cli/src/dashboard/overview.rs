//! The overview's figures, folded from a stream of shipments in flat memory: counts and sums,
//! and bounded lists (the most recent, the longest stuck, the exceptions). Pure: the page
//! and its tests feed it shipments and a time.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use chrono::{DateTime, Utc};

use tm_core::account::Shipment;

/// Rows each list keeps; the rest are counted.
pub const LIST_ROWS: usize = 50;

/// What the overview shows.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// Shipments read.
    pub total: u64,
    /// Shipments per status: the documented ones in the API's order, then any other seen.
    pub per_status: Vec<(String, u64)>,
    /// Undelivered shipments without an update for the stuck threshold.
    pub stuck_count: u64,
    /// The longest stuck, oldest update first.
    pub stuck: Vec<Shipment>,
    /// Shipments in `exception`.
    pub exception_count: u64,
    /// The most recently updated exceptions.
    pub exceptions: Vec<Shipment>,
    /// Delivered on the day of `now` (UTC).
    pub delivered_today: u64,
    /// Mean days from creation to delivery over delivered shipments (the API's own count
    /// where it gives one).
    pub average_transit_days: Option<f64>,
    /// The most recently updated shipments.
    pub recent: Vec<Shipment>,
    /// Every carrier seen, for the filter.
    pub carriers: BTreeSet<String>,
    /// Items the API sent that could not be read (kept out of the figures, not dropped
    /// silently: the page says how many).
    pub unreadable: u64,
    /// The time the figures are relative to.
    pub now: Option<DateTime<Utc>>,
    /// False while the listing is still being read (the figures cover what was read).
    pub complete: bool,
}

/// A shipment ordered by its update time (unknown first), for the bounded heaps.
#[derive(Clone)]
struct ByUpdate(Shipment);

impl ByUpdate {
    fn at(&self) -> i64 {
        self.0.updated.map_or(i64::MIN, |t| t.timestamp())
    }
}

impl PartialEq for ByUpdate {
    fn eq(&self, other: &Self) -> bool {
        self.at() == other.at() && self.0.key() == other.0.key()
    }
}
impl Eq for ByUpdate {}
impl PartialOrd for ByUpdate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ByUpdate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at(), self.0.key()).cmp(&(other.at(), other.0.key()))
    }
}

/// Keeps the `LIST_ROWS` newest (or, `oldest`, the oldest) of what it is given.
#[derive(Clone)]
struct Bounded {
    oldest: bool,
    newest: BinaryHeap<Reverse<ByUpdate>>,
    older: BinaryHeap<ByUpdate>,
}

impl Bounded {
    fn new(oldest: bool) -> Bounded {
        Bounded {
            oldest,
            newest: BinaryHeap::new(),
            older: BinaryHeap::new(),
        }
    }

    fn push(&mut self, s: Shipment) {
        if self.oldest {
            self.older.push(ByUpdate(s));
            if self.older.len() > LIST_ROWS {
                self.older.pop();
            }
        } else {
            self.newest.push(Reverse(ByUpdate(s)));
            if self.newest.len() > LIST_ROWS {
                self.newest.pop();
            }
        }
    }

    fn into_vec(self) -> Vec<Shipment> {
        if self.oldest {
            self.older
                .into_sorted_vec()
                .into_iter()
                .map(|b| b.0)
                .collect()
        } else {
            self.newest
                .into_sorted_vec()
                .into_iter()
                .map(|Reverse(b)| b.0)
                .collect()
        }
    }
}

/// Folds shipments into an [`Overview`].
#[derive(Clone)]
pub struct Folder {
    now: DateTime<Utc>,
    stuck_seconds: i64,
    counts: BTreeMap<String, u64>,
    documented: Vec<String>,
    overview: Overview,
    transit_sum: f64,
    transit_n: u64,
    stuck: Bounded,
    exceptions: Bounded,
    recent: Bounded,
}

impl Folder {
    /// A fold relative to `now`, with the `documented` statuses shown even at zero, counting
    /// shipments not updated for `stuck_days` as stuck.
    pub fn new(now: DateTime<Utc>, documented: Vec<String>, stuck_days: u32) -> Folder {
        Folder {
            now,
            stuck_seconds: i64::from(stuck_days) * 86_400,
            counts: BTreeMap::new(),
            documented,
            overview: Overview {
                now: Some(now),
                ..Overview::default()
            },
            transit_sum: 0.0,
            transit_n: 0,
            stuck: Bounded::new(true),
            exceptions: Bounded::new(false),
            recent: Bounded::new(false),
        }
    }

    /// Counts an item the API sent but that could not be read.
    pub fn unreadable(&mut self) {
        self.overview.unreadable += 1;
    }

    /// Takes in one shipment.
    pub fn add(&mut self, s: Shipment) {
        let o = &mut self.overview;
        o.total += 1;
        *self.counts.entry(s.status.clone()).or_default() += 1;
        if !s.carrier.is_empty() && !o.carriers.contains(&s.carrier) {
            o.carriers.insert(s.carrier.clone());
        }
        let terminal = matches!(s.status.as_str(), "delivered" | "expired");
        if s.status == "delivered" {
            if s.updated
                .is_some_and(|u| u.date_naive() == self.now.date_naive())
            {
                o.delivered_today += 1;
            }
            let days = s
                .transit_days
                .map(|d| d as f64)
                .or_else(|| Some((s.updated? - s.created?).num_seconds() as f64 / 86_400.0));
            if let Some(d) = days.filter(|d| *d >= 0.0) {
                self.transit_sum += d;
                self.transit_n += 1;
            }
        }
        let stale = s
            .updated
            .or(s.created)
            .is_some_and(|u| (self.now - u).num_seconds() >= self.stuck_seconds);
        if !terminal && !s.archived && stale {
            o.stuck_count += 1;
            self.stuck.push(s.clone());
        }
        if s.status == "exception" {
            o.exception_count += 1;
            self.exceptions.push(s.clone());
        }
        self.recent.push(s);
    }

    /// The overview of what was read so far, for a page shown while reading goes on.
    pub fn snapshot(&self) -> Overview {
        let mut o = self.clone().finish();
        o.complete = false;
        o
    }

    /// The overview.
    pub fn finish(mut self) -> Overview {
        let mut per_status: Vec<(String, u64)> = self
            .documented
            .iter()
            .map(|s| (s.clone(), self.counts.remove(s).unwrap_or(0)))
            .collect();
        per_status.extend(self.counts);
        let mut o = self.overview;
        o.per_status = per_status;
        o.average_transit_days =
            (self.transit_n > 0).then(|| self.transit_sum / self.transit_n as f64);
        o.stuck = self.stuck.into_vec();
        o.exceptions = self.exceptions.into_vec();
        o.recent = self.recent.into_vec();
        o.complete = true;
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2024, 3, day, hour, 0, 0).unwrap()
    }

    fn shipment(n: u32, status: &str, created: u32, updated: u32) -> Shipment {
        Shipment {
            carrier: if n.is_multiple_of(2) { "ups" } else { "dhl" }.into(),
            number: format!("N{n:05}"),
            status: status.into(),
            created: Some(at(created, 0)),
            updated: Some(at(updated, 12)),
            ..Shipment::default()
        }
    }

    fn statuses() -> Vec<String> {
        ["pending", "transit", "delivered", "exception"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn counts_stuck_exceptions_delivered_today_and_transit_time() {
        let mut f = Folder::new(at(20, 18), statuses(), 7);
        f.add(shipment(1, "transit", 1, 2)); // stuck: 18 days
        f.add(shipment(2, "transit", 1, 19)); // moving
        f.add(shipment(3, "delivered", 10, 20)); // today, 10.5 days
        f.add(shipment(4, "delivered", 1, 5)); // old delivery, 4.5 days: not stuck
        f.add(shipment(5, "exception", 1, 3)); // stuck too
        f.add(shipment(6, "inforeceived", 19, 19)); // undocumented here: kept
        f.unreadable();
        assert_eq!((f.snapshot().total, f.snapshot().complete), (6, false));
        let o = f.finish();
        assert!(o.complete);
        assert_eq!(o.total, 6);
        assert_eq!(
            o.per_status,
            vec![
                ("pending".into(), 0),
                ("transit".into(), 2),
                ("delivered".into(), 2),
                ("exception".into(), 1),
                ("inforeceived".into(), 1)
            ]
        );
        assert_eq!(o.stuck_count, 2);
        assert_eq!(o.stuck[0].number, "N00001", "oldest update first");
        assert_eq!((o.exception_count, o.exceptions.len()), (1, 1));
        assert_eq!(o.delivered_today, 1);
        assert_eq!(o.average_transit_days, Some(7.5));
        assert_eq!(o.unreadable, 1);
        assert_eq!(o.carriers.len(), 2);
        assert_eq!(o.recent[0].number, "N00003", "newest update first");
    }

    #[test]
    fn the_api_s_own_transit_count_wins_and_archived_is_never_stuck() {
        let mut f = Folder::new(at(20, 0), statuses(), 7);
        let mut s = shipment(1, "delivered", 1, 11);
        s.transit_days = Some(3);
        f.add(s);
        let mut archived = shipment(2, "transit", 1, 1);
        archived.archived = true;
        f.add(archived);
        let o = f.finish();
        assert_eq!(o.average_transit_days, Some(3.0));
        assert_eq!(o.stuck_count, 0);
    }

    #[test]
    fn lists_stay_bounded_however_many_shipments_pass() {
        let mut f = Folder::new(at(28, 0), statuses(), 1);
        for n in 0..5_000 {
            f.add(shipment(n, "exception", 1, 1 + n % 20));
        }
        let o = f.finish();
        assert_eq!(
            (o.total, o.exception_count, o.stuck_count),
            (5_000, 5_000, 5_000)
        );
        assert_eq!(o.recent.len(), LIST_ROWS);
        assert_eq!(o.exceptions.len(), LIST_ROWS);
        assert_eq!(o.stuck.len(), LIST_ROWS);
        assert!(o.stuck.iter().all(|s| s.updated == Some(at(1, 12))));
        assert!(o.recent.iter().all(|s| s.updated == Some(at(20, 12))));
    }
}

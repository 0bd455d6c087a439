//! The simulator's state — one account's trackings, quota and counters — and where a tracking
//! stands at a given simulated time. How a tracking looks on the wire is each generation's
//! rendering's business.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalogue::Catalogue;
use crate::journey::{self, Ending, Event, Plan};

/// A day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// A stored tracking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTracking {
    /// Creation order.
    pub seq: u64,
    /// 32-hex id.
    pub id: String,
    /// Number as sent.
    pub tracking_number: String,
    /// Carrier code, lower case.
    pub carrier_code: String,
    /// Creation time (simulated Unix ms).
    pub created_ms: i64,
    /// Last change through the API (simulated Unix ms).
    pub modified_ms: Option<i64>,
    /// Optional create/update fields as sent (`title`, `customer_email`, …).
    pub fields: BTreeMap<String, Value>,
    /// Archived flag.
    pub archived: bool,
    /// When automatic updates were stopped (notupdate).
    pub frozen_ms: Option<i64>,
    /// A status set by `PUT` (4 delivered, 7 exception); 8 clears it.
    pub status_override: Option<String>,
    /// The status last announced by webhook.
    pub notified_status: Option<String>,
    /// When v4 retracked it (an expired tracking's journey starts again from then).
    #[serde(default)]
    pub retracked_ms: Option<i64>,
}

/// The key of a tracking: carrier and upper-cased number.
pub type Key = (String, String);

/// The key of `carrier` and `number`.
pub fn key(carrier: &str, number: &str) -> Key {
    (
        carrier.trim().to_ascii_lowercase(),
        number.trim().to_ascii_uppercase(),
    )
}

/// Everything the simulator remembers.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    /// Next creation sequence number.
    pub next_seq: u64,
    /// Trackings by key.
    #[serde(with = "tracking_map")]
    pub trackings: BTreeMap<Key, StoredTracking>,
    /// First creation time of every key ever created (ids and `created_at` survive re-creation).
    #[serde(with = "first_created_map")]
    pub first_created: BTreeMap<Key, i64>,
    /// Quota used so far, in fifths (detect and remote cost 1/5).
    pub quota_used_fifths: i64,
    /// When the account was registered (simulated Unix s).
    pub registered_secs: i64,
    /// Simulated time at the last save (Unix ms).
    pub saved_sim_ms: Option<i64>,
    /// Real time at the last save (Unix ms).
    pub saved_real_ms: Option<i64>,
    /// Plans by key (derived; not saved).
    #[serde(skip)]
    pub(crate) plans: HashMap<Key, Arc<Plan>>,
}

mod tracking_map {
    use super::*;
    pub fn serialize<S: serde::Serializer>(
        m: &BTreeMap<Key, StoredTracking>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.values())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Key, StoredTracking>, D::Error> {
        let v: Vec<StoredTracking> = Deserialize::deserialize(d)?;
        Ok(v.into_iter()
            .map(|t| (key(&t.carrier_code, &t.tracking_number), t))
            .collect())
    }
}

mod first_created_map {
    use super::*;
    pub fn serialize<S: serde::Serializer>(
        m: &BTreeMap<Key, i64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(m.iter().map(|((c, n), ms)| (c, n, ms)))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Key, i64>, D::Error> {
        let v: Vec<(String, String, i64)> = Deserialize::deserialize(d)?;
        Ok(v.into_iter().map(|(c, n, ms)| ((c, n), ms)).collect())
    }
}

/// A tracking as of one moment.
#[derive(Debug)]
pub struct View {
    /// The journey.
    pub plan: Arc<Plan>,
    /// When the journey started (simulated Unix ms).
    pub base_ms: i64,
    visible_len: usize,
    /// True when no news came for longer than the carrier's expiry.
    pub expired: bool,
    /// A status forced through the API (v2 `PUT status` 4 or 7).
    pub forced: Option<String>,
    /// Last change (simulated Unix ms).
    pub updated_ms: i64,
    /// Still within the first hour, before the carrier answered.
    pub fresh: bool,
}

/// A status and sub-status in one generation's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The main status.
    pub status: &'static str,
    /// The sub-status, if the generation has one for it.
    pub substatus: Option<&'static str>,
}

impl View {
    /// The events visible at the moment of the view, oldest first.
    pub fn visible(&self) -> &[Event] {
        &self.plan.events[..self.visible_len]
    }

    /// The status as v2 reports it.
    pub fn v2(&self) -> Status {
        self.forced_status()
            .or_else(|| self.expiry())
            .unwrap_or_else(|| self.latest(self.visible().last(), |c| (c.v2, c.v2_sub)))
    }

    /// An expired tracking's status, the same in both generations.
    fn expiry(&self) -> Option<Status> {
        self.expired.then_some(Status {
            status: "expired",
            substatus: Some("expired001"),
        })
    }

    /// The status `last` (the newest visible event) gives in the words `pick` chooses; with
    /// none, `pending` while fresh and `notfound` after.
    fn latest(
        &self,
        last: Option<&Event>,
        pick: fn(&journey::Code) -> (&'static str, &'static str),
    ) -> Status {
        match last {
            Some(e) => {
                let (status, sub) = pick(&e.code);
                Status {
                    status,
                    substatus: Some(sub),
                }
            }
            None if self.fresh => Status {
                status: "pending",
                substatus: None,
            },
            None => Status {
                status: "notfound",
                substatus: Some("notfound002"),
            },
        }
    }

    /// The status as v4 reports it: `inforeceived` and the richer sub-statuses, and a return
    /// to the sender (`exception010`/`011`) stays `exception` whatever comes after it.
    pub fn v4(&self) -> Status {
        if let Some(s) = self.forced_status().or_else(|| self.expiry()) {
            return s;
        }
        let visible = self.visible();
        if let Some(sticky) = visible
            .iter()
            .rev()
            .find(|e| crate::journey::is_sticky_exception(e.code.v4_sub))
        {
            let last = visible.last().map_or(sticky, |l| l);
            let sub = if last.code.v4 == "exception" {
                last.code.v4_sub
            } else {
                sticky.code.v4_sub
            };
            return Status {
                status: "exception",
                substatus: Some(sub),
            };
        }
        self.latest(visible.last(), |c| (c.v4, c.v4_sub))
    }

    fn forced_status(&self) -> Option<Status> {
        let f = self.forced.as_deref()?;
        Some(Status {
            status: match f {
                "delivered" => "delivered",
                "exception" => "exception",
                _ => return None,
            },
            substatus: None,
        })
    }
}

/// Builds the view of a plan started at `base_ms`, frozen at `frozen_ms`, at `now_ms`;
/// `expiry_ms` is how long without news makes an open shipment expired.
pub fn view(
    plan: Arc<Plan>,
    base_ms: i64,
    frozen_ms: Option<i64>,
    forced: Option<&str>,
    modified_ms: Option<i64>,
    expiry_ms: i64,
    now_ms: i64,
) -> View {
    let horizon = frozen_ms.map_or(now_ms, |f| f.min(now_ms));
    let visible_len = plan
        .events
        .partition_point(|e| base_ms + e.offset_ms <= horizon);
    let last = plan.events[..visible_len].last();
    let last_event_ms = last.map(|e| base_ms + e.offset_ms);
    let open = last.is_none_or(|e| !matches!(e.code.v2, "delivered" | "exception" | "undelivered"));
    let expired = plan.ending == Ending::Expires
        && open
        && last_event_ms.is_some_and(|t| horizon - t > expiry_ms);
    let updated_ms = [Some(base_ms), last_event_ms, modified_ms]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(base_ms);
    View {
        plan,
        base_ms,
        visible_len,
        expired,
        forced: forced.map(str::to_owned),
        updated_ms,
        fresh: now_ms - base_ms < 3_600_000,
    }
}

/// The expiry of v2: 30 days without news for express carriers, 60 for posts.
pub fn v2_expiry_ms(postal: bool) -> i64 {
    if postal { 60 * DAY_MS } else { 30 * DAY_MS }
}

/// The view of a stored tracking at `now_ms` with v2's expiry (its plan computed once and
/// kept in `plans`).
pub fn stored_view(
    plans: &mut HashMap<Key, Arc<Plan>>,
    seed: u64,
    cat: &Catalogue,
    t: &StoredTracking,
    now_ms: i64,
) -> View {
    let postal = cat.get(&t.carrier_code).is_some_and(|c| c.postal());
    stored_view_expiring(plans, seed, cat, t, v2_expiry_ms(postal), now_ms)
}

/// The view of a stored tracking at `now_ms`, expired after `expiry_ms` without news (v4:
/// 30 days for every carrier). A retracked tracking's journey runs from its retrack.
pub fn stored_view_expiring(
    plans: &mut HashMap<Key, Arc<Plan>>,
    seed: u64,
    cat: &Catalogue,
    t: &StoredTracking,
    expiry_ms: i64,
    now_ms: i64,
) -> View {
    let dest = t.fields.get("destination_code").and_then(Value::as_str);
    let plan = plan_in(plans, seed, cat, &t.carrier_code, &t.tracking_number, dest);
    view(
        plan,
        t.retracked_ms.unwrap_or(t.created_ms),
        t.frozen_ms,
        t.status_override.as_deref(),
        t.modified_ms,
        expiry_ms,
        now_ms,
    )
}

/// The plan of `number` at `carrier`, computed once and kept in `plans`.
pub fn plan_in(
    plans: &mut HashMap<Key, Arc<Plan>>,
    seed: u64,
    cat: &Catalogue,
    carrier: &str,
    number: &str,
    dest: Option<&str>,
) -> Arc<Plan> {
    plans
        .entry(key(carrier, number))
        .or_insert_with(|| {
            let postal = cat.get(carrier).is_some_and(|c| c.postal());
            Arc::new(journey::plan(seed, carrier, postal, number, dest))
        })
        .clone()
}

impl Store {
    /// Forgets derived plans (after a reset or a carrier change).
    pub fn forget_plan(&mut self, k: &Key) {
        self.plans.remove(k);
    }

    /// A new tracking of `carrier` `number`, created at `now_ms` (or when it was first
    /// created, if it was deleted since: the id and the journey stay), counted against the
    /// quota and given the next creation number. Not yet stored: the caller decides.
    pub fn admit(
        &mut self,
        seed: u64,
        carrier: String,
        number: String,
        fields: BTreeMap<String, Value>,
        now_ms: i64,
    ) -> StoredTracking {
        let k = key(&carrier, &number);
        let created_ms = *self.first_created.entry(k).or_insert(now_ms);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.quota_used_fifths += 5;
        StoredTracking {
            seq,
            id: journey::tracking_id(seed, &carrier, &number),
            tracking_number: number,
            carrier_code: carrier,
            created_ms,
            modified_ms: None,
            fields,
            archived: false,
            frozen_ms: None,
            status_override: None,
            notified_status: Some("pending".into()),
            retracked_ms: None,
        }
    }

    /// Quota left, in whole trackings.
    pub fn quota_left(&self, quota: i64) -> i64 {
        quota
            - self.quota_used_fifths.div_euclid(5)
            - i64::from(self.quota_used_fifths.rem_euclid(5) != 0)
    }
}

/// Naive local time of `ms` in a zone `offset_h` hours from UTC, to the minute or second.
pub fn naive(ms: i64, offset_h: i64, seconds: bool) -> String {
    let t = DateTime::<Utc>::from_timestamp_millis(ms + offset_h * 3_600_000).unwrap_or_default();
    if seconds {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// `created_at` style: ISO-8601 with the account's offset.
pub fn iso(ms: i64, offset_h: i64) -> String {
    let tz = FixedOffset::east_opt((offset_h * 3600) as i32)
        .unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()));
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

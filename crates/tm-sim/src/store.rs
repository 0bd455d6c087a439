//! The simulator's state — one account's trackings, quota and counters — and where a tracking
//! stands at a given simulated time. How a tracking looks on the wire is each generation's
//! rendering's business.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::SimError;
use crate::catalogue::Catalogue;
use crate::clock::{Anchor, SimClock};
use crate::db::{Db, News};
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

/// The account's counters: one row in a database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    /// Next creation sequence number.
    pub next_seq: u64,
    /// Quota used so far, in fifths (detect and remote cost 1/5).
    pub quota_used_fifths: i64,
    /// When the account was registered (simulated Unix s).
    pub registered_secs: i64,
}

/// Everything the simulator remembers about the account.
///
/// In memory, this is the whole account. With a database (`db.rs`), it is what one
/// transaction read or wrote, dropped when it ends, unless a handler scanned the account:
/// then every row stays cached and is kept current through the rows' revisions. Handlers use
/// the methods below, which load what they name; every change is recorded so that the
/// commit writes exactly the rows it touched.
#[derive(Debug, Default)]
pub struct Store {
    account: Account,
    /// Live trackings by key (in memory: all of them).
    trackings: BTreeMap<Key, StoredTracking>,
    /// First creation time of every key ever created (ids and `created_at` survive
    /// re-creation).
    first_created: BTreeMap<Key, i64>,
    /// Plans by key (derived; never stored).
    pub(crate) plans: HashMap<Key, Arc<Plan>>,
    /// The database behind the cache, if any.
    backing: Option<Backing>,
    /// Something changed in this transaction.
    changed: bool,
}

/// A store's database and what the current transaction did with it.
#[derive(Debug)]
struct Backing {
    db: Db,
    /// The clock as the database has it.
    anchor: Anchor,
    /// Every row is cached (a handler scanned the account).
    complete: bool,
    /// Keys written in this transaction.
    dirty: BTreeSet<Key>,
    account_dirty: bool,
    /// Keys read from the database in this transaction (found or not).
    looked_up: HashSet<Key>,
    /// A read that failed in this transaction: the commit reports it.
    failure: Option<SimError>,
    /// The transaction holds the write lock (one opened to read may not write).
    write: bool,
}

/// The trackings and the plans, borrowed apart: what a scan over the account needs.
pub struct Scan<'a> {
    /// Every live tracking by key.
    pub trackings: &'a BTreeMap<Key, StoredTracking>,
    /// The plans.
    pub plans: &'a mut HashMap<Key, Arc<Plan>>,
}

impl Store {
    /// An empty account in memory, registered at `registered_secs`.
    pub fn in_memory(registered_secs: i64) -> Store {
        Store {
            account: Account {
                registered_secs,
                ..Account::default()
            },
            ..Store::default()
        }
    }

    /// The account kept in `db`, whose clock is `anchor`.
    pub(crate) fn in_database(db: Db, anchor: Anchor) -> Store {
        Store {
            backing: Some(Backing {
                db,
                anchor,
                complete: false,
                dirty: BTreeSet::new(),
                account_dirty: false,
                looked_up: HashSet::new(),
                failure: None,
                write: false,
            }),
            ..Store::default()
        }
    }

    /// The account's instance in its database (a new one after each reset).
    pub fn instance(&self) -> Option<&str> {
        self.backing.as_ref().map(|b| b.db.instance())
    }

    /// Starts a transaction: with a database, takes the write lock (`write`) or a read
    /// snapshot, and catches up with what other processes committed (their trackings,
    /// counters and clock).
    pub(crate) fn begin(&mut self, clock: &SimClock, write: bool) -> Result<(), SimError> {
        let Some(b) = &mut self.backing else {
            return Ok(());
        };
        b.write = write;
        match b.db.begin(write)? {
            News::None => {}
            News::Reset { account, anchor } => {
                self.account = account;
                self.trackings.clear();
                self.first_created.clear();
                self.plans.clear();
                b.complete = false;
                b.anchor = anchor;
                clock.rebase(&anchor);
            }
            News::Changed {
                account,
                anchor,
                rows,
            } => {
                self.account = account;
                if anchor != b.anchor {
                    b.anchor = anchor;
                    clock.rebase(&anchor);
                }
                for row in rows {
                    self.plans.remove(&row.key);
                    if b.complete {
                        self.first_created
                            .insert(row.key.clone(), row.first_created_ms);
                        match row.tracking {
                            Some(t) => self.trackings.insert(row.key, t),
                            None => self.trackings.remove(&row.key),
                        };
                    }
                }
            }
        }
        Ok(())
    }

    /// Ends the transaction: with a database, writes every row it changed under one new
    /// revision and commits, or reports the failure (nothing of the transaction is kept
    /// then). True when something changed.
    pub(crate) fn commit(&mut self) -> Result<bool, SimError> {
        let changed = std::mem::take(&mut self.changed);
        let Some(b) = &mut self.backing else {
            return Ok(changed);
        };
        if let Some(e) = b.failure.take() {
            self.discard();
            return Err(e);
        }
        let written = if b.dirty.is_empty() && !b.account_dirty {
            None
        } else if !b.write {
            // A handler that reads through `Sim::read` changed something: a bug, refused
            // rather than written without the write lock.
            self.discard();
            return Err(SimError::State {
                path: std::path::PathBuf::new(),
                problem: crate::StateProblem::Other,
                message: "a reading transaction tried to write".into(),
            });
        } else {
            let rev = b.db.rev() + 1;
            let write = || -> Result<(), SimError> {
                for k in &b.dirty {
                    let first = self.first_created.get(k).copied().unwrap_or_default();
                    b.db.put_row(k, self.trackings.get(k), first, rev)?;
                }
                b.db.put_account(&self.account, &b.anchor, rev)
            };
            if let Err(e) = write() {
                self.discard();
                return Err(e);
            }
            Some(rev)
        };
        if let Err(e) = b.db.commit_at(written) {
            self.discard();
            return Err(e);
        }
        self.end_transaction();
        Ok(changed || written.is_some())
    }

    /// Abandons the transaction: with a database, rolls it back and drops whatever the cache
    /// holds (it may have been changed), so the next transaction reads the database again.
    pub(crate) fn discard(&mut self) {
        let Some(b) = &mut self.backing else {
            return;
        };
        b.db.rollback();
        b.complete = false;
        b.failure = None;
        self.trackings.clear();
        self.first_created.clear();
        self.plans.clear();
        self.end_transaction();
    }

    /// What a transaction leaves behind: nothing of a partial cache (its plans included), so
    /// a process that only reads and writes single trackings (an import, say) keeps flat
    /// memory however large the account.
    fn end_transaction(&mut self) {
        let Some(b) = &mut self.backing else {
            return;
        };
        b.dirty.clear();
        b.account_dirty = false;
        b.looked_up.clear();
        if !b.complete {
            self.trackings.clear();
            self.first_created.clear();
            self.plans.clear();
        }
    }

    /// A failure to read the database in this transaction, if any (taken).
    pub(crate) fn take_failure(&mut self) -> Option<SimError> {
        self.backing.as_mut().and_then(|b| b.failure.take())
    }

    /// Loads the row of `k` into the cache, once per transaction.
    fn load(&mut self, k: &Key) {
        let Some(b) = &mut self.backing else {
            return;
        };
        if b.complete || b.failure.is_some() || !b.looked_up.insert(k.clone()) {
            return;
        }
        match b.db.row(k) {
            Ok(Some(row)) => {
                self.first_created
                    .insert(row.key.clone(), row.first_created_ms);
                if let Some(t) = row.tracking {
                    self.trackings.insert(row.key, t);
                }
            }
            Ok(None) => {}
            Err(e) => b.failure = Some(e),
        }
    }

    /// Loads every row (keeping what this transaction already changed).
    fn load_all(&mut self) {
        let Some(b) = &mut self.backing else {
            return;
        };
        if b.complete || b.failure.is_some() {
            return;
        }
        match b.db.all_rows() {
            Ok(rows) => {
                for row in rows {
                    if b.dirty.contains(&row.key) {
                        continue;
                    }
                    self.first_created
                        .insert(row.key.clone(), row.first_created_ms);
                    if let Some(t) = row.tracking {
                        self.trackings.insert(row.key, t);
                    }
                }
                b.complete = true;
            }
            Err(e) => b.failure = Some(e),
        }
    }

    /// Records a change of `k`.
    fn touch(&mut self, k: &Key) {
        self.changed = true;
        if let Some(b) = &mut self.backing {
            b.dirty.insert(k.clone());
        }
    }

    /// The tracking of `k`.
    pub fn get(&mut self, k: &Key) -> Option<&StoredTracking> {
        self.load(k);
        self.trackings.get(k)
    }

    /// True when `k` is tracked.
    pub fn contains(&mut self, k: &Key) -> bool {
        self.get(k).is_some()
    }

    /// The tracking of `k`, to change (the change is kept at the commit).
    pub fn get_mut(&mut self, k: &Key) -> Option<&mut StoredTracking> {
        if !self.contains(k) {
            return None;
        }
        self.touch(k);
        self.trackings.get_mut(k)
    }

    /// Stores `t` under its carrier and number (its key's first creation is kept).
    pub fn insert(&mut self, t: StoredTracking) {
        let k = key(&t.carrier_code, &t.tracking_number);
        self.load(&k);
        self.touch(&k);
        self.first_created.entry(k.clone()).or_insert(t.created_ms);
        self.trackings.insert(k, t);
    }

    /// Removes the tracking of `k` (its id and first creation time stay).
    pub fn remove(&mut self, k: &Key) -> Option<StoredTracking> {
        self.load(k);
        let t = self.trackings.remove(k)?;
        self.touch(k);
        Some(t)
    }

    /// The tracking with this id (ids compare without case).
    pub fn by_id(&mut self, id: &str) -> Option<StoredTracking> {
        if let Some(b) = &mut self.backing
            && !b.complete
            && b.failure.is_none()
        {
            match b.db.row_by_id(id) {
                Ok(Some(row)) => {
                    let k = row.key.clone();
                    if b.looked_up.insert(k.clone()) {
                        self.first_created.insert(k.clone(), row.first_created_ms);
                        if let Some(t) = row.tracking {
                            self.trackings.insert(k.clone(), t);
                        }
                    }
                    return self.trackings.get(&k).cloned();
                }
                Ok(None) => return None,
                Err(e) => {
                    b.failure = Some(e);
                    return None;
                }
            }
        }
        self.trackings
            .values()
            .find(|t| t.id.eq_ignore_ascii_case(id))
            .cloned()
    }

    /// Every tracking, with the plans beside them.
    pub fn scan(&mut self) -> Scan<'_> {
        self.load_all();
        Scan {
            trackings: &self.trackings,
            plans: &mut self.plans,
        }
    }

    /// How many trackings exist.
    pub fn len(&mut self) -> usize {
        match &mut self.backing {
            Some(b) if !b.complete => match b.db.count() {
                Ok(n) => n,
                Err(e) => {
                    b.failure = Some(e);
                    0
                }
            },
            _ => self.trackings.len(),
        }
    }

    /// The account's counters.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The account's counters, to change (kept at the commit).
    pub fn account_mut(&mut self) -> &mut Account {
        self.changed = true;
        if let Some(b) = &mut self.backing {
            b.account_dirty = true;
        }
        &mut self.account
    }

    /// Records the clock after it was moved, so every process sharing the account moves too.
    pub(crate) fn clock_moved(&mut self, anchor: Anchor) {
        if let Some(b) = &mut self.backing {
            b.anchor = anchor;
            b.account_dirty = true;
        }
        self.changed = true;
    }

    /// Forgets every tracking and counter: a new account registered at `registered_secs`.
    pub(crate) fn reset(&mut self, registered_secs: i64) {
        self.account = Account {
            registered_secs,
            ..Account::default()
        };
        self.trackings.clear();
        self.first_created.clear();
        self.plans.clear();
        self.changed = true;
        if let Some(b) = &mut self.backing {
            b.dirty.clear();
            b.looked_up.clear();
            b.complete = false;
            if let Err(e) = b.db.reset(&self.account, &b.anchor) {
                b.failure = Some(e);
            }
        }
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
        self.load(&k);
        let created_ms = self.first_created.get(&k).copied().unwrap_or(now_ms);
        let account = self.account_mut();
        let seq = account.next_seq;
        account.next_seq += 1;
        account.quota_used_fifths += 5;
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
        let used = self.account.quota_used_fifths;
        quota - used.div_euclid(5) - i64::from(used.rem_euclid(5) != 0)
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

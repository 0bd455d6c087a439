//! Creating any number of shipments so that an interruption at any point loses nothing and
//! creates nothing twice: each row's outcome is kept in a [`Journal`] once the API confirmed
//! it, a rerun skips the rows the journal has and sends the rest, and a row whose outcome was
//! unknown meets "already exists" the second time (counted as such).
//!
//! The journal is a small trait: `tm` keeps it in its SQLite state database (keyed by the
//! account and the file's content); [`MemoryJournal`] keeps it in memory, for tests.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::{Account, NewShipment};
use crate::{Error, ItemOutcome};

/// A row's final outcome: what the API confirmed about it (or the client refused before
/// sending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Created.
    Created,
    /// It already existed (possibly created by an earlier, interrupted run).
    AlreadyExists,
    /// The API refused it.
    Rejected,
    /// Refused before sending (it breaks a documented rule).
    Invalid,
}

impl Outcome {
    /// `created`, `already_exists`, `rejected` or `invalid`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::AlreadyExists => "already_exists",
            Outcome::Rejected => "rejected",
            Outcome::Invalid => "invalid",
        }
    }

    /// From its label.
    pub fn from_label(label: &str) -> Option<Outcome> {
        Some(match label {
            "created" => Outcome::Created,
            "already_exists" => Outcome::AlreadyExists,
            "rejected" => Outcome::Rejected,
            "invalid" => Outcome::Invalid,
            _ => return None,
        })
    }
}

/// What a batch said of one item.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settled {
    /// Its final outcome; `None` when the API did not confirm one (not sent, failed, not
    /// mentioned): it is sent again on a rerun.
    pub outcome: Option<Outcome>,
    /// Why, for a refused, invalid or unconfirmed item.
    pub reason: Option<String>,
    /// The error of a call that failed as a whole.
    pub error: Option<Arc<Error>>,
}

impl Settled {
    pub(super) fn from_outcome<C>(o: ItemOutcome<C>) -> Settled {
        let reason = o.reason();
        let (outcome, error) = match o {
            ItemOutcome::Created(_) | ItemOutcome::Applied => (Some(Outcome::Created), None),
            ItemOutcome::AlreadyExists => (Some(Outcome::AlreadyExists), None),
            ItemOutcome::Rejected { .. } => (Some(Outcome::Rejected), None),
            ItemOutcome::Invalid { .. } => (Some(Outcome::Invalid), None),
            ItemOutcome::Failed(e) => (None, Some(e)),
            ItemOutcome::NotSent | ItemOutcome::Unconfirmed => (None, None),
        };
        Settled {
            outcome,
            reason,
            error,
        }
    }
}

/// One row's final outcome, as a journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalEntry {
    /// The row number (data rows from 1).
    pub row: u64,
    /// The carrier as the row gave it.
    pub carrier: String,
    /// The number as the row gave it.
    pub number: String,
    /// What happened.
    pub outcome: Outcome,
    /// Why, for a refused or invalid row.
    pub reason: Option<String>,
}

impl JournalEntry {
    /// The entry of `row` with `outcome`.
    pub fn new(
        row: u64,
        carrier: &str,
        number: &str,
        outcome: Outcome,
        reason: Option<String>,
    ) -> Self {
        JournalEntry {
            row,
            carrier: carrier.to_owned(),
            number: number.to_owned(),
            outcome,
            reason,
        }
    }
}

/// Why a journal could not be read or written: the import stops, having claimed nothing it
/// did not keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JournalError(pub String);

/// Where an import keeps each row's final outcome.
#[async_trait]
pub trait Journal: Send + Sync {
    /// The rows from `first` to `last` (inclusive) that have a final outcome.
    async fn done_between(&self, first: u64, last: u64) -> Result<HashSet<u64>, JournalError>;
    /// Keeps `entries`, all or none, before this returns.
    async fn record(&self, entries: &[JournalEntry]) -> Result<(), JournalError>;
}

/// A journal in memory (for tests, and for imports that need not survive the process).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use tm_core::account::{Journal, JournalEntry, MemoryJournal, Outcome};
/// let journal = MemoryJournal::default();
/// journal.record(&[JournalEntry::new(1, "ups", "1Z9", Outcome::Created, None)]).await.unwrap();
/// assert_eq!(journal.done_between(1, 10).await.unwrap().len(), 1);
/// # }
/// ```
#[derive(Debug, Default)]
pub struct MemoryJournal {
    rows: Mutex<BTreeMap<u64, JournalEntry>>,
}

impl MemoryJournal {
    /// Every entry, by row.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.rows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }
}

#[async_trait]
impl Journal for MemoryJournal {
    async fn done_between(&self, first: u64, last: u64) -> Result<HashSet<u64>, JournalError> {
        let rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        Ok(rows.range(first..=last).map(|(r, _)| *r).collect())
    }

    async fn record(&self, entries: &[JournalEntry]) -> Result<(), JournalError> {
        let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
        for e in entries {
            rows.insert(e.row, e.clone());
        }
        Ok(())
    }
}

/// What one [`Account::import`] run did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ImportRun {
    /// Rows sent in this run.
    pub sent: usize,
    /// The error of a call that failed as a whole: the run stopped there, its rows and the
    /// rest not done (a rerun sends them).
    pub failure: Option<Arc<Error>>,
}

/// Why an import stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum ImportError<E> {
    /// A row could not be read.
    #[error("{0}")]
    Rows(E),
    /// The journal could not be read or written.
    #[error("the import journal: {0}")]
    Journal(#[from] JournalError),
}

impl Account {
    /// Creates every row of `rows` not yet in `journal`, batch by batch at the generation's
    /// batch size, keeping each confirmed outcome in the journal before the next batch is
    /// sent. `sent` is told how many rows each batch carried (a progress bar). A call that
    /// fails as a whole stops the run ([`ImportRun::failure`]); its rows stay unconfirmed and
    /// a rerun sends them.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let v2 = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":1,"added":1,"trackings":[{"tracking_number":"1Z9","carrier_code":"ups"}],"errors":[]}}"#);
    /// use tm_core::account::{Account, MemoryJournal, NewShipment, Outcome};
    /// let account = Account::from(v2);
    /// let journal = MemoryJournal::default();
    /// let rows = [Ok::<_, String>((1, NewShipment::new("ups", "1Z9")))];
    /// let run = account.import(rows, &journal, |_| {}).await.unwrap();
    /// assert!(run.failure.is_none());
    /// assert_eq!(journal.entries()[0].outcome, Outcome::Created);
    /// // Again: the row is done, nothing is sent.
    /// let again = account.import([Ok::<_, String>((1, NewShipment::new("ups", "1Z9")))], &journal, |_| {}).await.unwrap();
    /// assert_eq!(again.sent, 0);
    /// # }
    /// ```
    pub async fn import<I, E>(
        &self,
        rows: I,
        journal: &dyn Journal,
        mut sent: impl FnMut(usize),
    ) -> Result<ImportRun, ImportError<E>>
    where
        I: IntoIterator<Item = Result<(u64, NewShipment), E>>,
    {
        let batch = self.config().batch_size.max(1);
        let mut rows = rows.into_iter();
        let mut run = ImportRun::default();
        let mut pending: Vec<(u64, NewShipment)> = Vec::with_capacity(batch);
        let mut window: Vec<(u64, NewShipment)> = Vec::with_capacity(batch);
        let mut more = true;
        while more {
            // The next rows, `batch` at a time; those the journal has are skipped.
            window.clear();
            while window.len() < batch {
                match rows.next() {
                    Some(row) => window.push(row.map_err(ImportError::Rows)?),
                    None => {
                        more = false;
                        break;
                    }
                }
            }
            if let (Some(first), Some(last)) = (window.first(), window.last()) {
                let done = journal.done_between(first.0, last.0).await?;
                pending.extend(window.drain(..).filter(|(row, _)| !done.contains(row)));
            }
            while pending.len() >= batch || (!more && !pending.is_empty()) {
                let chunk: Vec<(u64, NewShipment)> =
                    pending.drain(..pending.len().min(batch)).collect();
                let n = chunk.len();
                let failure = self.send_batch(chunk, journal).await?;
                run.sent += n;
                sent(n);
                if let Some(e) = failure {
                    run.failure = Some(e);
                    return Ok(run);
                }
            }
        }
        Ok(run)
    }

    /// Sends one batch and keeps every outcome the API confirmed; the error of a call that
    /// failed as a whole.
    async fn send_batch(
        &self,
        chunk: Vec<(u64, NewShipment)>,
        journal: &dyn Journal,
    ) -> Result<Option<Arc<Error>>, JournalError> {
        let (ids, items): (Vec<_>, Vec<_>) = chunk
            .into_iter()
            .map(|(row, s)| ((row, s.carrier.clone(), s.number.clone()), s))
            .unzip();
        let settled = self.create_many(items).await;
        let mut failure = None;
        let mut confirmed = Vec::with_capacity(settled.len());
        for ((row, carrier, number), item) in ids.into_iter().zip(settled) {
            if let Some(e) = item.error {
                failure.get_or_insert(e);
            }
            if let Some(outcome) = item.outcome {
                confirmed.push(JournalEntry::new(
                    row,
                    &carrier,
                    &number,
                    outcome,
                    item.reason,
                ));
            }
        }
        // Kept before the next batch is sent: a crash after this point never sends them again.
        journal.record(&confirmed).await?;
        Ok(failure)
    }
}

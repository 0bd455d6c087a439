//! Any number of items in, one outcome per item out.
//!
//! The API takes at most 40 items per call and reports per-item results inside a success
//! envelope. The engine here ([`run_chunks`]) validates the input, splits it, sends chunk
//! after chunk, and maps every input item to exactly one [`ItemOutcome`], in input order:
//! nothing is dropped, nothing is counted twice. Reading one API's per-item answers is that
//! API's module's job.

use std::future::Future;
use std::sync::Arc;

use tm_types::v2::{Tracking, TrackingRef};

use crate::{ApiCode, Error, Result};

/// What happened to one item of a batch. `C` is what a created item comes back as: the v2
/// tracking by default, `v4::BatchItem` (its id) for v4.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ItemOutcome<C = Box<Tracking>> {
    /// Created; the item as the API returned it.
    Created(C),
    /// The tracking already existed (v2 4016, v4 4101), possibly created by an earlier attempt
    /// of this very call: either way it exists now, and it was not created twice.
    AlreadyExists,
    /// The update, deletion or stop was applied.
    Applied,
    /// The API refused this item.
    Rejected {
        /// Per-item code, if given.
        code: Option<ApiCode>,
        /// Per-item message.
        message: String,
    },
    /// Not sent: the item breaks a documented rule (e.g. an empty tracking number).
    Invalid {
        /// What was wrong.
        reason: String,
    },
    /// The call carrying this item failed as a whole; the item may or may not have been
    /// applied if the error says it may have been sent.
    Failed(Arc<Error>),
    /// Not sent, because an earlier chunk failed.
    NotSent,
    /// Sent in a call that succeeded, but the response did not mention it.
    Unconfirmed,
}

impl<C> ItemOutcome<C> {
    /// True for created, already existed and applied.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert!(report.items[0].outcome.is_success());
    /// assert!(!report.items[1].outcome.is_success());
    /// # }
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            ItemOutcome::Created(_) | ItemOutcome::AlreadyExists | ItemOutcome::Applied
        )
    }

    /// A short lower-case label: `created`, `already_exists`, `applied`, `rejected`,
    /// `invalid`, `failed`, `not_sent`, `unconfirmed`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert_eq!(report.items[0].outcome.label(), "created");
    /// assert_eq!(report.items[1].outcome.label(), "rejected");
    /// # }
    /// ```
    pub fn label(&self) -> &'static str {
        match self {
            ItemOutcome::Created(_) => "created",
            ItemOutcome::AlreadyExists => "already_exists",
            ItemOutcome::Applied => "applied",
            ItemOutcome::Rejected { .. } => "rejected",
            ItemOutcome::Invalid { .. } => "invalid",
            ItemOutcome::Failed(_) => "failed",
            ItemOutcome::NotSent => "not_sent",
            ItemOutcome::Unconfirmed => "unconfirmed",
        }
    }

    /// The reason of a rejected, invalid or failed item.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert_eq!(report.items[1].outcome.reason().as_deref(), Some("4015: bad carrier"));
    /// # }
    /// ```
    pub fn reason(&self) -> Option<String> {
        match self {
            ItemOutcome::Rejected { code, message } => Some(match code {
                Some(c) => format!("{c}: {message}"),
                None => message.clone(),
            }),
            ItemOutcome::Invalid { reason } => Some(reason.clone()),
            ItemOutcome::Failed(e) => Some(e.to_string()),
            ItemOutcome::NotSent => Some("not sent: an earlier chunk failed".into()),
            ItemOutcome::Unconfirmed => Some("the response did not mention this item".into()),
            _ => None,
        }
    }
}

/// One input item and what happened to it.
#[derive(Debug, Clone)]
pub struct ItemReport<C = Box<Tracking>> {
    /// The item, by carrier (v4: courier) code and number.
    pub target: TrackingRef,
    /// What happened.
    pub outcome: ItemOutcome<C>,
}

/// Counts per outcome kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// Created.
    pub created: usize,
    /// Already existed.
    pub already_existed: usize,
    /// Applied.
    pub applied: usize,
    /// Rejected by the API.
    pub rejected: usize,
    /// Refused before sending.
    pub invalid: usize,
    /// In a failed call.
    pub failed: usize,
    /// Not sent after a failure.
    pub not_sent: usize,
    /// Not mentioned by the response.
    pub unconfirmed: usize,
}

impl BatchCounts {
    /// Every item counted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert_eq!(report.counts().total(), 2);
    /// # }
    /// ```
    pub fn total(&self) -> usize {
        self.created
            + self.already_existed
            + self.applied
            + self.rejected
            + self.invalid
            + self.failed
            + self.not_sent
            + self.unconfirmed
    }
}

/// The outcome of every input item, in input order.
#[derive(Debug, Clone)]
pub struct BatchReport<C = Box<Tracking>> {
    /// One entry per input item.
    pub items: Vec<ItemReport<C>>,
    /// API calls made.
    pub calls: usize,
}

impl<C> Default for BatchReport<C> {
    fn default() -> Self {
        BatchReport {
            items: Vec::new(),
            calls: 0,
        }
    }
}

impl<C> BatchReport<C> {
    /// Counts per outcome kind.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// let c = report.counts();
    /// assert_eq!((c.created, c.rejected), (1, 1));
    /// # }
    /// ```
    pub fn counts(&self) -> BatchCounts {
        let mut c = BatchCounts::default();
        for i in &self.items {
            match i.outcome {
                ItemOutcome::Created(_) => c.created += 1,
                ItemOutcome::AlreadyExists => c.already_existed += 1,
                ItemOutcome::Applied => c.applied += 1,
                ItemOutcome::Rejected { .. } => c.rejected += 1,
                ItemOutcome::Invalid { .. } => c.invalid += 1,
                ItemOutcome::Failed(_) => c.failed += 1,
                ItemOutcome::NotSent => c.not_sent += 1,
                ItemOutcome::Unconfirmed => c.unconfirmed += 1,
            }
        }
        c
    }

    /// True when every item succeeded (created, existed or applied).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert!(!report.is_complete());
    /// # }
    /// ```
    pub fn is_complete(&self) -> bool {
        self.items.iter().all(|i| i.outcome.is_success())
    }

    /// The error that stopped the batch, if one did.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert!(report.error().is_none(), "no call failed; one item was rejected");
    /// # }
    /// ```
    pub fn error(&self) -> Option<&Arc<Error>> {
        self.items.iter().find_map(|i| match &i.outcome {
            ItemOutcome::Failed(e) => Some(e),
            _ => None,
        })
    }
}

/// Refuses a direct batch call with more items than one call takes.
pub(crate) fn check_batch_len(len: usize, max: usize) -> Result<()> {
    if len > max {
        return Err(Error::invalid(
            "items",
            format!(
                "{len} items exceed the batch maximum of {max}; use the *_many methods to split them"
            ),
        ));
    }
    Ok(())
}

/// Validates, chunks and sends `items`; maps every item to one outcome in input order.
///
/// `invalid` refuses an item before sending (its reason becomes [`ItemOutcome::Invalid`]);
/// `send` sends one chunk and returns one outcome per item of it, in order. After a chunk
/// fails as a whole, the rest are not sent.
pub(crate) async fn run_chunks<I, C, F, Fut>(
    batch_size: usize,
    items: Vec<I>,
    target: impl Fn(&I) -> TrackingRef,
    invalid: impl Fn(&I) -> Option<String>,
    mut send: F,
    mut on_chunk: impl FnMut(&[ItemReport<C>]),
) -> BatchReport<C>
where
    I: Clone,
    C: Clone,
    F: FnMut(Vec<I>) -> Fut,
    Fut: Future<Output = Result<Vec<ItemOutcome<C>>>>,
{
    let mut slots: Vec<Option<ItemOutcome<C>>> = vec![None; items.len()];
    let mut valid: Vec<usize> = Vec::with_capacity(items.len());
    let mut refused = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match invalid(item) {
            Some(reason) => {
                let outcome = ItemOutcome::Invalid { reason };
                slots[i] = Some(outcome.clone());
                refused.push(ItemReport {
                    target: target(item),
                    outcome,
                });
            }
            None => valid.push(i),
        }
    }
    if !refused.is_empty() {
        on_chunk(&refused);
    }
    let mut calls = 0;
    let mut failed = false;
    for chunk_idx in valid.chunks(batch_size.max(1)) {
        if failed {
            for &i in chunk_idx {
                slots[i] = Some(ItemOutcome::NotSent);
            }
            continue;
        }
        let chunk: Vec<I> = chunk_idx.iter().map(|&i| items[i].clone()).collect();
        calls += 1;
        let outcomes = match send(chunk).await {
            Ok(o) if o.len() == chunk_idx.len() => o,
            Ok(o) => {
                tracing::error!(
                    expected = chunk_idx.len(),
                    got = o.len(),
                    "batch outcome count mismatch"
                );
                vec![ItemOutcome::Unconfirmed; chunk_idx.len()]
            }
            Err(e) => {
                failed = true;
                vec![ItemOutcome::Failed(Arc::new(e)); chunk_idx.len()]
            }
        };
        let done: Vec<ItemReport<C>> = chunk_idx
            .iter()
            .zip(outcomes)
            .map(|(&i, outcome)| {
                slots[i] = Some(outcome.clone());
                ItemReport {
                    target: target(&items[i]),
                    outcome,
                }
            })
            .collect();
        on_chunk(&done);
    }
    BatchReport {
        items: items
            .iter()
            .zip(slots)
            .map(|(item, slot)| ItemReport {
                target: target(item),
                outcome: slot.unwrap_or(ItemOutcome::Unconfirmed),
            })
            .collect(),
        calls,
    }
}

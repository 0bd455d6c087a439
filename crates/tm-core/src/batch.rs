//! Any number of items in, one outcome per item out.
//!
//! The API takes at most 40 items per call and reports per-item results inside a success
//! envelope. The helpers here split the input, send chunk after chunk, and map every input
//! item to exactly one [`Outcome`], in input order: nothing is dropped, nothing is counted twice.

use std::sync::Arc;

use tm_types::{
    BatchCreateResult, BatchItemError, BatchResult, CreateTrackingRequest, MetaCode,
    NumberOrString, Tracking, TrackingRef,
};

use crate::Error;

/// What happened to one item of a batch.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// Created; the tracking as the API returned it.
    Created(Box<Tracking>),
    /// The tracking already existed (4016), possibly created by an earlier attempt of this very
    /// call: either way it exists now, and it was not created twice.
    AlreadyExisted,
    /// The update, deletion or stop was applied.
    Applied,
    /// The API refused this item.
    Rejected {
        /// Per-item code, if given.
        code: Option<MetaCode>,
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

impl Outcome {
    /// True for created, already existed and applied.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert!(report.items[0].outcome.is_success());
    /// assert!(!report.items[1].outcome.is_success());
    /// # }
    /// ```
    pub fn is_success(&self) -> bool {
        matches!(
            self,
            Outcome::Created(_) | Outcome::AlreadyExisted | Outcome::Applied
        )
    }

    /// A short lower-case label: `created`, `already_existed`, `applied`, `rejected`,
    /// `invalid`, `failed`, `not_sent`, `unconfirmed`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert_eq!(report.items[0].outcome.label(), "created");
    /// assert_eq!(report.items[1].outcome.label(), "rejected");
    /// # }
    /// ```
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Created(_) => "created",
            Outcome::AlreadyExisted => "already_existed",
            Outcome::Applied => "applied",
            Outcome::Rejected { .. } => "rejected",
            Outcome::Invalid { .. } => "invalid",
            Outcome::Failed(_) => "failed",
            Outcome::NotSent => "not_sent",
            Outcome::Unconfirmed => "unconfirmed",
        }
    }

    /// The reason of a rejected, invalid or failed item.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert_eq!(report.items[1].outcome.reason().as_deref(), Some("4015: bad carrier"));
    /// # }
    /// ```
    pub fn reason(&self) -> Option<String> {
        match self {
            Outcome::Rejected { code, message } => Some(match code {
                Some(c) => format!("{c}: {message}"),
                None => message.clone(),
            }),
            Outcome::Invalid { reason } => Some(reason.clone()),
            Outcome::Failed(e) => Some(e.to_string()),
            Outcome::NotSent => Some("not sent: an earlier chunk failed".into()),
            Outcome::Unconfirmed => Some("the response did not mention this item".into()),
            _ => None,
        }
    }
}

/// One input item and what happened to it.
#[derive(Debug, Clone)]
pub struct ItemOutcome {
    /// The item, by carrier and number.
    pub target: TrackingRef,
    /// What happened.
    pub outcome: Outcome,
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
    /// use tm_core::types::CreateTrackingRequest;
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
#[derive(Debug, Clone, Default)]
pub struct BatchReport {
    /// One entry per input item.
    pub items: Vec<ItemOutcome>,
    /// API calls made.
    pub calls: usize,
}

impl BatchReport {
    /// Counts per outcome kind.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// let c = report.counts();
    /// assert_eq!((c.created, c.rejected), (1, 1));
    /// # }
    /// ```
    pub fn counts(&self) -> BatchCounts {
        let mut c = BatchCounts::default();
        for i in &self.items {
            match i.outcome {
                Outcome::Created(_) => c.created += 1,
                Outcome::AlreadyExisted => c.already_existed += 1,
                Outcome::Applied => c.applied += 1,
                Outcome::Rejected { .. } => c.rejected += 1,
                Outcome::Invalid { .. } => c.invalid += 1,
                Outcome::Failed(_) => c.failed += 1,
                Outcome::NotSent => c.not_sent += 1,
                Outcome::Unconfirmed => c.unconfirmed += 1,
            }
        }
        c
    }

    /// True when every item succeeded (created, existed or applied).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::CreateTrackingRequest;
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
    /// use tm_core::types::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// assert!(report.error().is_none(), "no call failed; one item was rejected");
    /// # }
    /// ```
    pub fn error(&self) -> Option<&Arc<Error>> {
        self.items.iter().find_map(|i| match &i.outcome {
            Outcome::Failed(e) => Some(e),
            _ => None,
        })
    }
}

/// A response entry: who it is about and its code.
struct Entry {
    number: Option<String>,
    carrier: Option<String>,
    code: Option<MetaCode>,
    message: Option<String>,
    tracking: Option<Tracking>,
    used: bool,
}

impl From<BatchItemError> for Entry {
    fn from(e: BatchItemError) -> Self {
        Entry {
            number: e.tracking_number.into_value(),
            carrier: e.carrier_code.into_value(),
            code: e.code.into_value(),
            message: e.message.into_value(),
            tracking: None,
            used: false,
        }
    }
}

impl Entry {
    fn is_for(&self, target: &TrackingRef) -> bool {
        !self.used
            && self
                .number
                .as_deref()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(target.tracking_number.trim()))
            && self
                .carrier
                .as_deref()
                .is_none_or(|c| c.trim().eq_ignore_ascii_case(target.carrier_code.trim()))
    }
}

fn take<'a>(entries: &'a mut [Entry], target: &TrackingRef) -> Option<&'a mut Entry> {
    let e = entries.iter_mut().find(|e| e.is_for(target))?;
    e.used = true;
    Some(e)
}

/// Maps a batch-create response onto its chunk.
pub(crate) fn create_outcomes(
    chunk: &[CreateTrackingRequest],
    result: BatchCreateResult,
) -> Vec<Outcome> {
    let mut created: Vec<Entry> = result
        .trackings
        .into_value()
        .unwrap_or_default()
        .into_iter()
        .map(|t| Entry {
            number: Some(t.tracking_number.clone()),
            carrier: Some(t.carrier_code.clone()),
            code: None,
            message: None,
            tracking: Some(t),
            used: false,
        })
        .collect();
    let mut errors: Vec<Entry> = result
        .errors
        .into_value()
        .unwrap_or_default()
        .into_iter()
        .map(Entry::from)
        .collect();
    chunk
        .iter()
        .map(|item| {
            let target = TrackingRef::new(&item.carrier_code, &item.tracking_number);
            if let Some(e) = take(&mut created, &target) {
                return Outcome::Created(Box::new(e.tracking.take().unwrap_or_default()));
            }
            match take(&mut errors, &target) {
                Some(e) if e.code == Some(MetaCode::TrackingExists) => Outcome::AlreadyExisted,
                Some(e) => Outcome::Rejected {
                    code: e.code,
                    message: e.message.take().unwrap_or_default(),
                },
                None => Outcome::Unconfirmed,
            }
        })
        .collect()
}

/// Maps an updatemore / delete / notupdate response onto its chunk. With `gone_means_done`
/// (a resent delete), a 4017 counts as applied: the earlier attempt removed it.
pub(crate) fn change_outcomes(
    chunk: &[TrackingRef],
    result: BatchResult,
    gone_means_done: bool,
) -> Vec<Outcome> {
    let count = [&result.delete, &result.change, &result.update]
        .into_iter()
        .find_map(|f| f.value().and_then(NumberOrString::as_u64));
    let mut entries: Vec<Entry> = result
        .trackings
        .into_value()
        .unwrap_or_default()
        .into_iter()
        .map(|i| Entry {
            number: i.number().map(str::to_owned),
            carrier: i.carrier().map(str::to_owned),
            code: i.code(),
            message: i.message().map(str::to_owned),
            tracking: None,
            used: false,
        })
        .chain(
            result
                .errors
                .into_value()
                .unwrap_or_default()
                .into_iter()
                // An entry in `errors` failed even when it names no code.
                .map(|e| Entry {
                    code: e.code.value().copied().or(Some(MetaCode::InvalidRequest)),
                    ..Entry::from(e)
                }),
        )
        .collect();
    // A response with counts but no per-item list: all applied if the count covers the chunk.
    if entries.is_empty() && count == Some(chunk.len() as u64) {
        return vec![Outcome::Applied; chunk.len()];
    }
    chunk
        .iter()
        .map(|target| match take(&mut entries, target) {
            None => Outcome::Unconfirmed,
            Some(e) => match e.code {
                None => Outcome::Applied,
                Some(c) if c.is_success() => Outcome::Applied,
                Some(MetaCode::TrackingNotFound) if gone_means_done => Outcome::Applied,
                Some(c) => Outcome::Rejected {
                    code: Some(c),
                    message: e
                        .message
                        .take()
                        .unwrap_or_else(|| c.description().to_owned()),
                },
            },
        })
        .collect()
}

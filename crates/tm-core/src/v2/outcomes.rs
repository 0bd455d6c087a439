//! Reading v2's batch answers item by item: which of a chunk's items were created, changed,
//! refused, or not mentioned.

use tm_types::{
    NumberOrString,
    v2::{
        BatchCreateResult, BatchItemError, BatchResult, CreateTrackingRequest, MetaCode, Tracking,
        TrackingRef,
    },
};

use crate::batch::ItemOutcome;

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
) -> Vec<ItemOutcome> {
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
                return ItemOutcome::Created(Box::new(e.tracking.take().unwrap_or_default()));
            }
            match take(&mut errors, &target) {
                Some(e) if e.code == Some(MetaCode::TrackingExists) => ItemOutcome::AlreadyExists,
                Some(e) => ItemOutcome::Rejected {
                    code: e.code.map(Into::into),
                    message: e.message.take().unwrap_or_default(),
                },
                None => ItemOutcome::Unconfirmed,
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
) -> Vec<ItemOutcome> {
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
        return vec![ItemOutcome::Applied; chunk.len()];
    }
    chunk
        .iter()
        .map(|target| match take(&mut entries, target) {
            None => ItemOutcome::Unconfirmed,
            Some(e) => match e.code {
                None => ItemOutcome::Applied,
                Some(c) if c.is_success() => ItemOutcome::Applied,
                Some(MetaCode::TrackingNotFound) if gone_means_done => ItemOutcome::Applied,
                Some(c) => ItemOutcome::Rejected {
                    code: Some(c.into()),
                    message: e
                        .message
                        .take()
                        .unwrap_or_else(|| c.description().to_owned()),
                },
            },
        })
        .collect()
}

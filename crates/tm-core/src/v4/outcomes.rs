//! Reading v4's batch answer item by item: `success` items are created (with their id),
//! `error` items carry a camelCase `errorCode`; 4101 means the tracking exists.

use tm_types::v4::{BatchItem, BatchResult, CreateTrackingRequest, MetaCode};

use crate::batch::ItemOutcome;

fn same(a: Option<&str>, b: &str) -> bool {
    a.is_some_and(|a| a.trim().eq_ignore_ascii_case(b.trim()))
}

/// Takes the first unused entry naming `number` (and `courier`, when the entry names one).
fn take(entries: &mut [Option<BatchItem>], courier: &str, number: &str) -> Option<BatchItem> {
    entries
        .iter_mut()
        .find(|e| {
            e.as_ref().is_some_and(|e| {
                same(e.tracking_number.as_deref(), number)
                    && e.courier_code
                        .as_deref()
                        .is_none_or(|c| same(Some(c), courier))
            })
        })
        .and_then(Option::take)
}

/// Maps a batch-create answer onto its chunk, in chunk order.
pub(crate) fn create_outcomes(
    chunk: &[CreateTrackingRequest],
    result: BatchResult,
) -> Vec<ItemOutcome<BatchItem>> {
    let mut created: Vec<Option<BatchItem>> = result
        .success
        .into_value()
        .unwrap_or_default()
        .into_iter()
        .map(Some)
        .collect();
    let mut refused: Vec<Option<BatchItem>> = result
        .error
        .into_value()
        .unwrap_or_default()
        .into_iter()
        .map(Some)
        .collect();
    chunk
        .iter()
        .map(|item| {
            if let Some(ok) = take(&mut created, &item.courier_code, &item.tracking_number) {
                return ItemOutcome::Created(ok);
            }
            match take(&mut refused, &item.courier_code, &item.tracking_number) {
                Some(e) if e.error_code.value() == Some(&MetaCode::TrackingExists) => {
                    ItemOutcome::AlreadyExists
                }
                Some(e) => {
                    let code = e.error_code.into_value();
                    ItemOutcome::Rejected {
                        code: code.map(Into::into),
                        message: e.error_message.into_value().unwrap_or_else(|| {
                            code.and_then(MetaCode::message)
                                .unwrap_or("refused")
                                .to_owned()
                        }),
                    }
                }
                None => ItemOutcome::Unconfirmed,
            }
        })
        .collect()
}

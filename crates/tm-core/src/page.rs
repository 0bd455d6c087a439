//! What both generations' listings share: a tracking of a page that did not decode is kept
//! raw with its error instead of costing the page.

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{DecodeError, Error, Result, excerpt};
use crate::operation::Operation;

/// A tracking of a page that did not decode: where it was, the JSON as sent, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct UndecodedItem {
    /// Its place on the page, from 0.
    pub index: usize,
    /// The item as the API sent it.
    pub raw: Value,
    /// What did not decode, with the JSON path from `data`.
    pub error: DecodeError,
}

/// Decodes each of `items` as `T`: the ones that decode, and the others kept raw with their
/// error (its path prefixed with `at`, e.g. `data.items`).
pub(crate) fn decode_items<T: DeserializeOwned>(
    op: Operation,
    items: Vec<Value>,
    at: &str,
) -> (Vec<T>, Vec<UndecodedItem>) {
    let mut good = Vec::with_capacity(items.len());
    let mut undecoded = Vec::new();
    for (index, raw) in items.into_iter().enumerate() {
        match serde_path_to_error::deserialize::<_, T>(&raw) {
            Ok(t) => good.push(t),
            Err(e) => {
                let mut error = DecodeError::new(
                    op,
                    format!("{at}[{index}].{}", e.path()),
                    e.inner().to_string(),
                );
                error.excerpt = excerpt(raw.to_string().as_bytes(), 200);
                tracing::warn!(index, path = %error.path, "a tracking of the page did not decode; kept raw");
                undecoded.push(UndecodedItem { index, raw, error });
            }
        }
    }
    (good, undecoded)
}

/// A page's items in their order on the page: the decoded ones, and an
/// [`Error::Undecoded`] where one did not.
fn in_page_order<T>(items: Vec<T>, undecoded: Vec<UndecodedItem>) -> VecDeque<Result<T>> {
    let mut undecoded = undecoded.into_iter().peekable();
    let mut out = VecDeque::new();
    for t in items {
        while let Some(bad) = undecoded.next_if(|u| u.index == out.len()) {
            out.push_back(Err(Error::Undecoded(Box::new(bad))));
        }
        out.push_back(Ok(t));
    }
    out.extend(undecoded.map(|bad| Err(Error::Undecoded(Box::new(bad)))));
    out
}

/// One page's decoded items and the ones that did not decode.
pub(crate) type PageItems<T> = (Vec<T>, Vec<UndecodedItem>);

/// A listing read page by page (each generation's pager).
pub(crate) trait PageSource: Send + 'static {
    /// What a page holds.
    type Item: Send + 'static;
    /// The next page's decoded items and the ones that did not decode; `None` after the last.
    fn next_items(&mut self) -> impl Future<Output = Option<Result<PageItems<Self::Item>>>> + Send;
}

/// Every item of every remaining page as a stream, one page in memory: an item that does not
/// decode is an [`Error::Undecoded`] in its place and the stream goes on; any other error ends
/// it.
pub(crate) fn item_stream<P: PageSource>(
    pages: P,
) -> impl Stream<Item = Result<P::Item>> + Send + 'static {
    futures::stream::unfold(
        (pages, VecDeque::<Result<P::Item>>::new()),
        |(mut pages, mut buffered)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Some((item, (pages, buffered)));
                }
                match pages.next_items().await? {
                    Ok((items, undecoded)) => buffered = in_page_order(items, undecoded),
                    Err(e) => return Some((Err(e), (pages, buffered))),
                }
            }
        },
    )
}

/// A listing's position, shared by both generations' pagers: the page to fetch next, the
/// pages and items read, the cap on pages, and whether it has ended.
#[derive(Debug)]
pub(crate) struct Cursor {
    op: Operation,
    /// The page to fetch next.
    pub(crate) next: u32,
    fetched: u32,
    /// Items read so far.
    pub(crate) seen: u64,
    max_pages: u32,
    /// True once the last page was read or an error ended the listing.
    pub(crate) done: bool,
}

impl Cursor {
    pub(crate) fn new(op: Operation, first: u32, max_pages: u32) -> Self {
        Cursor {
            op,
            next: first.max(1),
            fetched: 0,
            seen: 0,
            max_pages,
            done: false,
        }
    }

    /// The page number to fetch now; `None` after the end; the cap's error once `max_pages`
    /// pages were read with more to come.
    pub(crate) fn begin(&mut self) -> Option<Result<u32>> {
        if self.done {
            return None;
        }
        if self.fetched >= self.max_pages {
            return self.fail(format!(
                "reached the cap of {} pages with more to come ({} items read)",
                self.fetched, self.seen
            ));
        }
        Some(Ok(self.next))
    }

    /// Records a page of `n` items read; returns its number.
    pub(crate) fn record(&mut self, n: u64) -> u32 {
        let page = self.next;
        self.seen += n;
        self.fetched += 1;
        self.next = self.next.saturating_add(1);
        page
    }

    /// Ends the listing with `e`.
    pub(crate) fn end_with<T>(&mut self, e: Error) -> Option<Result<T>> {
        self.done = true;
        Some(Err(e))
    }

    /// Ends the listing with a pagination error at the page to fetch next.
    pub(crate) fn fail<T>(&mut self, reason: String) -> Option<Result<T>> {
        let e = Error::Pagination {
            operation: self.op,
            page: self.next,
            reason,
        };
        self.end_with(e)
    }
}

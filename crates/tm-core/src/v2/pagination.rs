//! Reading a listing to the end, one page in memory at a time.

use std::collections::VecDeque;

use futures::Stream;
use tm_types::{
    NumberOrString,
    v2::{ListTrackingsRequest, Tracking},
};

use super::{Client, ListPage};
use crate::{Error, Operation, Result};

/// The page size used when the filter sets none: the documented maximum.
pub const DEFAULT_PAGE_LIMIT: u32 = tm_types::v2::MAX_PAGE_LIMIT;

/// Reads the pages of a listing in order, re-sending the caller's filters with every page.
///
/// It stops after the last page: when as many items as `total` were seen (whether `total`
/// came as a string or a number), or — without a usable `total` — after a short page. A page
/// that is empty while `total` promises more, or more pages than the client's `max_pages`,
/// end it with an [`Error::Pagination`] rather than a silently short result.
#[derive(Debug)]
pub struct Paginator {
    client: Client,
    filter: ListTrackingsRequest,
    next: u32,
    fetched: u32,
    seen: u64,
    /// Items on the pages before the first one read, counted against `total`.
    skipped: u64,
    done: bool,
}

impl Paginator {
    pub(crate) fn new(client: Client, mut filter: ListTrackingsRequest) -> Self {
        let next = filter.page.unwrap_or(1).max(1);
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
        filter.limit = Some(limit);
        Paginator {
            client,
            filter,
            next,
            fetched: 0,
            seen: 0,
            skipped: u64::from(next - 1) * u64::from(limit),
            done: false,
        }
    }

    /// Items seen so far.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"page":1,"limit":2000,"total":"1","items":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// let mut pages = client.trackings().pages(Default::default());
    /// while let Some(page) = pages.next_page().await { page?; }
    /// assert_eq!(pages.seen(), 1);
    /// # Ok(()) }
    /// ```
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The next page, `None` after the last one (or after an error).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"page":1,"limit":2000,"total":"1","items":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// let mut pages = client.trackings().pages(Default::default());
    /// let first = pages.next_page().await.unwrap()?;
    /// assert_eq!(first.total(), Some(1));
    /// assert!(pages.next_page().await.is_none(), "that was the last page");
    /// # Ok(()) }
    /// ```
    pub async fn next_page(&mut self) -> Option<Result<ListPage>> {
        if self.done {
            return None;
        }
        let op = Operation::V2TrackingsList;
        if self.fetched >= self.client.config().max_pages {
            self.done = true;
            return Some(Err(Error::Pagination {
                operation: op,
                page: self.next,
                reason: format!(
                    "reached the cap of {} pages with more to come ({} items read)",
                    self.fetched, self.seen
                ),
            }));
        }
        let mut filter = self.filter.clone();
        filter.page = Some(self.next);
        let page = match self.client.trackings().list(&filter).await {
            Ok(p) => p,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let n = page.len() as u64;
        let requested = u64::from(filter.limit.unwrap_or(DEFAULT_PAGE_LIMIT));
        let limit = page
            .list
            .limit
            .value()
            .and_then(NumberOrString::as_u64)
            .filter(|l| *l > 0)
            .unwrap_or(requested);
        self.seen += n;
        self.fetched += 1;
        let page_no = self.next;
        self.next = self.next.saturating_add(1);
        let covered = self.skipped + self.seen;
        match page.total() {
            Some(total) if n == 0 && covered < total => {
                self.done = true;
                return Some(Err(Error::Pagination {
                    operation: op,
                    page: page_no,
                    reason: format!(
                        "page {page_no} is empty but total says {total} and only {covered} are accounted for"
                    ),
                }));
            }
            Some(total) => self.done = n == 0 || covered >= total,
            None => self.done = n < limit,
        }
        Some(Ok(page))
    }

    /// Every item of every remaining page as a stream; at most one page is held in memory. An
    /// item that does not decode is an [`Error::Undecoded`] in its place, and the stream goes
    /// on after it; any other error ends the stream.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"page":1,"limit":2000,"total":"1","items":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// let mut pages = client.trackings().pages(Default::default());
    /// use futures::TryStreamExt;
    /// let items: Vec<_> = pages.into_items().try_collect().await?;
    /// assert_eq!(items[0].tracking_number, "RN1");
    /// # Ok(()) }
    /// ```
    pub fn into_items(self) -> impl Stream<Item = Result<Tracking>> + Send + 'static {
        futures::stream::unfold(
            (self, VecDeque::<Result<Tracking>>::new()),
            |(mut pages, mut buffered)| async move {
                loop {
                    if let Some(item) = buffered.pop_front() {
                        return Some((item, (pages, buffered)));
                    }
                    match pages.next_page().await? {
                        Ok(page) => buffered = in_page_order(page),
                        Err(e) => return Some((Err(e), (pages, buffered))),
                    }
                }
            },
        )
    }
}

/// A page's items in their order on the page: the decoded ones, and an error where one did not.
fn in_page_order(page: ListPage) -> VecDeque<Result<Tracking>> {
    let mut undecoded = page.undecoded.into_iter().peekable();
    let mut out = VecDeque::new();
    for t in page.list.items.into_value().unwrap_or_default() {
        while let Some(bad) = undecoded.next_if(|u| u.index == out.len()) {
            out.push_back(Err(Error::Undecoded(Box::new(bad))));
        }
        out.push_back(Ok(t));
    }
    out.extend(undecoded.map(|bad| Err(Error::Undecoded(Box::new(bad)))));
    out
}

//! Reading a listing to the end, one page in memory at a time.

use futures::Stream;
use tm_types::{
    NumberOrString,
    v2::{ListTrackingsRequest, Tracking},
};

use super::{Client, ListPage};
use crate::page::Cursor;
use crate::{Operation, Result};

/// The page size used when the filter sets none: the documented maximum.
pub const DEFAULT_PAGE_LIMIT: u32 = tm_types::v2::MAX_PAGE_LIMIT;

/// Reads the pages of a listing in order, re-sending the caller's filters with every page.
///
/// It stops after the last page: when as many items as `total` were seen (whether `total`
/// came as a string or a number), or — without a usable `total` — after a short page. A page
/// that is empty while `total` promises more, or more pages than the client's `max_pages`,
/// end it with an [`Error::Pagination`](crate::Error::Pagination) rather than a silently short result.
#[derive(Debug)]
pub struct Paginator {
    client: Client,
    filter: ListTrackingsRequest,
    cursor: Cursor,
    /// Items on the pages before the first one read, counted against `total`.
    skipped: u64,
}

impl Paginator {
    pub(crate) fn new(client: Client, mut filter: ListTrackingsRequest) -> Self {
        let next = filter.page.unwrap_or(1).max(1);
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
        filter.limit = Some(limit);
        let max_pages = client.config().max_pages;
        Paginator {
            client,
            filter,
            cursor: Cursor::new(Operation::V2TrackingsList, next, max_pages),
            skipped: u64::from(next - 1) * u64::from(limit),
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
        self.cursor.seen
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
        let page_no = match self.cursor.begin()? {
            Ok(n) => n,
            Err(e) => return Some(Err(e)),
        };
        let mut filter = self.filter.clone();
        filter.page = Some(page_no);
        let page = match self.client.trackings().list(&filter).await {
            Ok(p) => p,
            Err(e) => return self.cursor.end_with(e),
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
        self.cursor.record(n);
        let covered = self.skipped + self.cursor.seen;
        match page.total() {
            Some(total) if n == 0 && covered < total => {
                self.cursor.next = page_no;
                return self.cursor.fail(format!(
                    "page {page_no} is empty but total says {total} and only {covered} are accounted for"
                ));
            }
            Some(total) => self.cursor.done = n == 0 || covered >= total,
            None => self.cursor.done = n < limit,
        }
        Some(Ok(page))
    }

    /// Every item of every remaining page as a stream; at most one page is held in memory. An
    /// item that does not decode is an [`Error::Undecoded`](crate::Error::Undecoded) in its place, and the stream goes
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
        crate::page::item_stream(self)
    }
}

impl crate::page::PageSource for Paginator {
    type Item = Tracking;
    async fn next_items(&mut self) -> Option<Result<crate::page::PageItems<Tracking>>> {
        Some(self.next_page().await?.map(|page| {
            (
                page.list.items.into_value().unwrap_or_default(),
                page.undecoded,
            )
        }))
    }
}

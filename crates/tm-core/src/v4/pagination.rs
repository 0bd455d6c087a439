//! One page of `GET /trackings/get`, and reading every page to the end with one page in
//! memory. v4 sends no totals: a page shorter than the page size is the last.

use futures::Stream;
use serde_json::Value;
use tm_transport::HttpResponse;
use tm_types::v4::{GetTrackingsRequest, Tracking};

use super::Client;
use crate::decode::decode;
use crate::page::{Cursor, UndecodedItem, decode_items};
use crate::{Error, Operation, Result};

/// The page size (`items_amount`) used when the filter sets none. The API's default and
/// maximum are not documented; 100 is small enough to be within any plausible cap (a page
/// shorter than asked ends the listing, so a cap below the size asked would end it early).
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// One page of trackings: those that decoded, those that did not (kept raw with their error),
/// and the items the server listed as rejected (the sibling API's `{success, rejected}` form,
/// read too).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
/// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},"data":[
/// #   {"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"1","courier_code":"dhl"},
/// #   {"id":"9a71ac3628f63b843820bddbc9fb7e36","tracking_number":"2","courier_code":"dhl","origin_info":"oops"}]}"#);
/// let page = client.trackings().get(&Default::default()).await?;
/// assert_eq!(page.items.len(), 1);
/// assert_eq!(page.undecoded[0].error.path, "data[1].origin_info");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct TrackingsPage {
    /// The trackings that decoded, in page order.
    pub items: Vec<Tracking>,
    /// The items that did not decode.
    pub undecoded: Vec<UndecodedItem>,
    /// Items a server listed under `rejected`, as sent.
    pub rejected: Vec<Value>,
}

impl TrackingsPage {
    /// Items on the page, decoded or not.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[{"id":"a"},{"id":"b","updating":"maybe"}]}"#);
    /// let page = client.trackings().get(&Default::default()).await?;
    /// assert_eq!((page.len(), page.items.len()), (2, 1));
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.items.len() + self.undecoded.len()
    }

    /// True for a page without items.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[]}"#);
    /// assert!(client.trackings().get(&Default::default()).await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a page: one pass over a flat array; item by item when an item fails or when `data`
/// is the `{success, rejected}` form.
pub(crate) fn decode_page(op: Operation, resp: &HttpResponse) -> Result<TrackingsPage> {
    match decode::<Option<Vec<Tracking>>>(op, resp) {
        Ok(items) => Ok(TrackingsPage {
            items: items.unwrap_or_default(),
            ..TrackingsPage::default()
        }),
        Err(Error::Decode(d)) => {
            let whole = || Error::Decode(d.clone());
            let data: Value = decode(op, resp).map_err(|_| whole())?;
            let (items, at, rejected) = match data {
                Value::Array(items) => (items, "data", Vec::new()),
                Value::Object(mut o) => match (o.remove("success"), o.remove("rejected")) {
                    (Some(Value::Array(items)), rejected) => (
                        items,
                        "data.success",
                        match rejected {
                            Some(Value::Array(r)) => r,
                            _ => Vec::new(),
                        },
                    ),
                    _ => return Err(whole()),
                },
                _ => return Err(whole()),
            };
            let (items, undecoded) = decode_items::<Tracking>(op, items, at);
            Ok(TrackingsPage {
                items,
                undecoded,
                rejected,
            })
        }
        Err(e) => Err(e),
    }
}

/// Reads the pages of a `trackings/get` listing in order, re-sending the caller's filters with
/// every page (`pages_amount` 1, 2, …). It stops after a page shorter than the page size; more
/// pages than the client's `max_pages`, or a page repeating the previous one (a server that
/// ignores `pages_amount`), end it with an [`Error::Pagination`](crate::Error::Pagination) instead of a wrong result.
#[derive(Debug)]
pub struct Pages {
    client: Client,
    filter: GetTrackingsRequest,
    cursor: Cursor,
    last_first_id: Option<String>,
}

impl Pages {
    pub(crate) fn new(client: Client, mut filter: GetTrackingsRequest) -> Self {
        let next = filter.pages_amount.unwrap_or(1).max(1);
        filter.items_amount = Some(filter.items_amount.unwrap_or(DEFAULT_PAGE_SIZE).max(1));
        let max_pages = client.config().max_pages;
        Pages {
            client,
            filter,
            cursor: Cursor::new(Operation::V4TrackingsGet, next, max_pages),
            last_first_id: None,
        }
    }

    /// Items seen so far.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[{"id":"a","tracking_number":"1"}]}"#);
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
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[]}"#);
    /// let mut pages = client.trackings().pages(Default::default());
    /// assert!(pages.next_page().await.unwrap()?.is_empty());
    /// assert!(pages.next_page().await.is_none(), "an empty page is the last");
    /// # Ok(()) }
    /// ```
    pub async fn next_page(&mut self) -> Option<Result<TrackingsPage>> {
        let page_no = match self.cursor.begin()? {
            Ok(n) => n,
            Err(e) => return Some(Err(e)),
        };
        let mut filter = self.filter.clone();
        filter.pages_amount = Some(page_no);
        let page = match self.client.trackings().get(&filter).await {
            Ok(p) => p,
            Err(e) => return self.cursor.end_with(e),
        };
        let size = u64::from(self.filter.items_amount.unwrap_or(DEFAULT_PAGE_SIZE));
        let n = page.len() as u64;
        let first_id = page.items.first().and_then(|t| t.id.value().cloned());
        if n > 0 && first_id.is_some() && first_id == self.last_first_id {
            return self.cursor.fail(format!(
                "page {page_no} starts with the same tracking as page {}: the server ignores pages_amount",
                page_no - 1
            ));
        }
        self.last_first_id = first_id;
        self.cursor.record(n);
        self.cursor.done = n < size;
        Some(Ok(page))
    }

    /// Every item of every remaining page as a stream; at most one page is held in memory. An
    /// item that does not decode is an [`Error::Undecoded`](crate::Error::Undecoded) in its place, and the stream goes
    /// on after it; any other error ends the stream.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[{"id":"a","tracking_number":"1"}]}"#);
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.trackings().pages(Default::default()).into_items().try_collect().await?;
    /// assert_eq!(all[0].tracking_number.as_deref(), Some("1"));
    /// # Ok(()) }
    /// ```
    pub fn into_items(self) -> impl Stream<Item = Result<Tracking>> + Send + 'static {
        crate::page::item_stream(self)
    }
}

impl crate::page::PageSource for Pages {
    type Item = Tracking;
    async fn next_items(&mut self) -> Option<Result<crate::page::PageItems<Tracking>>> {
        Some(
            self.next_page()
                .await?
                .map(|page| (page.items, page.undecoded)),
        )
    }
}

//! One page of a listing, and reading it so that one tracking that does not decode does not
//! lose the others: the page decodes in one pass; only when an item fails is it read again
//! item by item, the failures kept raw with their errors.

use serde_json::Value;
use tm_transport::HttpResponse;
use tm_types::v2::{Tracking, TrackingList};

use crate::decode::decode;
use crate::error::{DecodeError, Error, Result};
use crate::operation::Operation;
use crate::page::{UndecodedItem, decode_items};

/// One page of `GET /trackings/get`: the trackings that decoded, and those that did not.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
/// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"page":1,"limit":100,"total":"2","items":[
/// #   {"tracking_number":"RN1","carrier_code":"dhl"},{"tracking_number":"RN2","carrier_code":"dhl","itemTimeLength":"three"}]}}"#);
/// let page = client.trackings().list(&Default::default()).await?;
/// assert_eq!(page.items().len(), 1);
/// let bad = &page.undecoded[0];
/// assert_eq!((bad.index, bad.raw["tracking_number"].as_str()), (1, Some("RN2")));
/// assert_eq!(bad.error.path, "data.items[1].itemTimeLength");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListPage {
    /// The page as sent, its `items` holding the trackings that decoded.
    pub list: TrackingList,
    /// The items that did not decode, in page order.
    pub undecoded: Vec<UndecodedItem>,
}

impl ListPage {
    /// The trackings that decoded.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"total":"1","items":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// let page = client.trackings().list(&Default::default()).await?;
    /// assert_eq!(page.items()[0].tracking_number, "RN1");
    /// # Ok(()) }
    /// ```
    pub fn items(&self) -> &[Tracking] {
        self.list.items()
    }

    /// `total`, whether it was sent as a string or a number.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"total":"56","items":[]}}"#);
    /// assert_eq!(client.trackings().list(&Default::default()).await?.total(), Some(56));
    /// # Ok(()) }
    /// ```
    pub fn total(&self) -> Option<u64> {
        self.list.total()
    }

    /// Items on the page, decoded or not.
    pub fn len(&self) -> usize {
        self.items().len() + self.undecoded.len()
    }

    /// True for a page without items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a list page: in one pass, or — when an item does not decode — item by item.
pub(crate) fn decode_page(op: Operation, resp: &HttpResponse) -> Result<ListPage> {
    match decode::<TrackingList>(op, resp) {
        Ok(list) => Ok(ListPage {
            list,
            undecoded: Vec::new(),
        }),
        Err(Error::Decode(d)) if d.path.starts_with("data.items[") => item_by_item(op, resp, *d),
        Err(e) => Err(e),
    }
}

fn item_by_item(op: Operation, resp: &HttpResponse, whole: DecodeError) -> Result<ListPage> {
    let Ok(mut data) = decode::<Value>(op, resp) else {
        return Err(Error::Decode(Box::new(whole)));
    };
    let items = match data.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => items,
        _ => return Err(Error::Decode(Box::new(whole))),
    };
    let mut list: TrackingList =
        serde_json::from_value(data).map_err(|_| Error::Decode(Box::new(whole.clone())))?;
    let (good, undecoded) = decode_items::<Tracking>(op, items, "data.items");
    list.items = good.into();
    Ok(ListPage { list, undecoded })
}

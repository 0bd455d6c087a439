//! `client.account()`: the account's quota and its trackings per status.

use tm_types::v2::{StatusCountRequest, StatusCounts, UserInfo};

use super::Client;
use crate::{Error, Operation, Result};

/// Account endpoints. Get one with [`Client::account`].
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    pub(crate) client: &'a Client,
}

impl Account<'_> {
    /// The account's e-mail, balance and remaining quota (`GET /trackings/getuserinfo`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"email":"ops@shop.example","regtime":"1469097290","phone":"+8612345678910","money":999,"track_number":9999}}"#);
    /// let info = client.account().user_info().await?;
    /// assert_eq!(info.track_number.value().and_then(|n| n.as_u64()), Some(9999));
    /// # Ok(()) }
    /// ```
    pub async fn user_info(&self) -> Result<UserInfo> {
        let op = Operation::V2AccountUserInfo;
        self.client.execute(op, self.client.request_at(op)).await
    }

    /// How many trackings are in each status (`GET /trackings/getstatusnumber`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"pending":1,"notfound":0,"transit":4,"pickup":0,"delivered":7,"undelivered":0,"exception":1,"expired":0}}"#);
    /// use tm_core::types::v2::{StatusCountRequest, TrackingStatus};
    /// let counts = client.account().status_counts(&StatusCountRequest::default()).await?;
    /// assert_eq!(counts.count(&TrackingStatus::Delivered), Some(7));
    /// assert_eq!(counts.total(), 13);
    /// # Ok(()) }
    /// ```
    pub async fn status_counts(&self, filter: &StatusCountRequest) -> Result<StatusCounts> {
        if let (Some(min), Some(max)) = (filter.created_at_min, filter.created_at_max)
            && min > max
        {
            return Err(Error::invalid("created_at_min", "is after created_at_max"));
        }
        let op = Operation::V2AccountStatusCounts;
        let mut req = self.client.request_at(op);
        req.query = filter.to_query();
        self.client.execute(op, req).await
    }
}

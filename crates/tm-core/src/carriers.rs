//! `client.carriers()` and `client.account()`: reference data and account information.

use std::sync::Arc;

use tm_transport::Method;
use tm_types::{
    Carrier, DetectRequest, DetectedCarrier, MetaCode, StatusCountRequest, StatusCounts, UserInfo,
};

use crate::client::{Client, ops, require};
use crate::{Error, Result};

/// Carrier endpoints. Get one with [`Client::carriers`].
#[derive(Debug, Clone, Copy)]
pub struct Carriers<'a> {
    pub(crate) client: &'a Client,
}

impl Carriers<'_> {
    /// Every carrier (`GET /carriers`), cached in the client for its carrier-cache TTL.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200,"type":"Success","message":"Success"},
    /// #   "data":[{"name":"DHL","code":"dhl","type":"express"},{"name":"China Post","code":"china-post","type":"globalpost"}]}"#);
    /// let carriers = client.carriers().list().await?;
    /// assert!(carriers.iter().any(|c| c.code == "china-post"));
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Arc<Vec<Carrier>>> {
        self.cached(None).await
    }

    /// Every carrier with names localised by the `Lang` header (`en`, `cn`, `tw`, `es`, `ru`,
    /// `it`), cached per language.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":[{"name":"中国邮政","code":"china-post"}]}"#);
    /// let carriers = client.carriers().list_in_language("cn").await?;
    /// assert_eq!(carriers[0].name.as_deref(), Some("中国邮政"));
    /// # Ok(()) }
    /// ```
    pub async fn list_in_language(&self, lang: &str) -> Result<Arc<Vec<Carrier>>> {
        require("lang", lang)?;
        self.cached(Some(lang.to_owned())).await
    }

    /// The carrier with this code, from the cached list.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":[{"name":"UPS","code":"ups"}]}"#);
    /// let ups = client.carriers().find("ups").await?;
    /// assert_eq!(ups.and_then(|c| c.name.into_value()).as_deref(), Some("UPS"));
    /// # Ok(()) }
    /// ```
    pub async fn find(&self, code: &str) -> Result<Option<Carrier>> {
        let all = self.list().await?;
        Ok(all
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
            .cloned())
    }

    /// Drops the cached lists; the next call fetches afresh.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":[{"code":"dhl"}]}"#);
    /// client.carriers().list().await?; // fetched, then cached
    /// client.carriers().invalidate_cache();
    /// client.carriers().list().await?; // fetched again
    /// # Ok(()) }
    /// ```
    pub fn invalidate_cache(&self) {
        self.client
            .inner
            .carrier_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    async fn cached(&self, lang: Option<String>) -> Result<Arc<Vec<Carrier>>> {
        let ttl = self.client.config().carrier_cache_ttl;
        {
            let cache = self
                .client
                .inner
                .carrier_cache
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some((at, list)) = cache.get(&lang) {
                if at.elapsed() < ttl {
                    return Ok(list.clone());
                }
            }
        }
        let op = ops::CARRIERS_LIST;
        let mut req = self.client.request(op, Method::Get, "/carriers".into());
        if let Some(l) = &lang {
            req = req.header("Lang", l.clone());
        }
        let list: Arc<Vec<Carrier>> = Arc::new(self.client.execute(op, req).await?);
        self.client
            .inner
            .carrier_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(lang, (tokio::time::Instant::now(), list.clone()));
        Ok(list)
    }

    /// The carriers a number may belong to, most likely first (`POST /carriers/detect`). An
    /// undetectable number (4032) gives an empty list.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":[{"name":"China post","code":"china-post"}]}"#);
    /// let candidates = client.carriers().detect("RN123456789CN").await?;
    /// assert_eq!(candidates[0].code, "china-post");
    /// # Ok(()) }
    /// ```
    pub async fn detect(&self, tracking_number: &str) -> Result<Vec<DetectedCarrier>> {
        require("tracking_number", tracking_number)?;
        let op = ops::CARRIERS_DETECT;
        let body = DetectRequest {
            tracking_number: tracking_number.to_owned(),
        };
        let req = self
            .client
            .json_request(op, Method::Post, "/carriers/detect".into(), &body)?;
        match self.client.execute(op, req).await {
            Err(e) if e.api_code() == Some(MetaCode::CannotDetect) => Ok(Vec::new()),
            other => other,
        }
    }
}

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
        let op = ops::USER_INFO;
        self.client
            .execute(
                op,
                self.client
                    .request(op, Method::Get, "/trackings/getuserinfo".into()),
            )
            .await
    }

    /// How many trackings are in each status (`GET /trackings/getstatusnumber`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"pending":1,"notfound":0,"transit":4,"pickup":0,"delivered":7,"undelivered":0,"exception":1,"expired":0}}"#);
    /// use tm_core::types::{StatusCountRequest, TrackingStatus};
    /// let counts = client.account().status_counts(&StatusCountRequest::default()).await?;
    /// assert_eq!(counts.count(&TrackingStatus::Delivered), Some(7));
    /// assert_eq!(counts.total(), 13);
    /// # Ok(()) }
    /// ```
    pub async fn status_counts(&self, filter: &StatusCountRequest) -> Result<StatusCounts> {
        if let (Some(min), Some(max)) = (filter.created_at_min, filter.created_at_max) {
            if min > max {
                return Err(Error::invalid("created_at_min", "is after created_at_max"));
            }
        }
        let op = ops::STATUS_COUNTS;
        let mut req = self
            .client
            .request(op, Method::Get, "/trackings/getstatusnumber".into());
        req.query = filter.to_query();
        self.client.execute(op, req).await
    }
}

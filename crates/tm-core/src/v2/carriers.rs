//! `client.carriers()`: the carrier list (cached) and carrier detection.

use std::sync::Arc;

use tm_types::v2::{Carrier, DetectRequest, DetectedCarrier, MetaCode};

use super::Client;
use crate::path::require;
use crate::{Operation, Result};

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
            if let Some((at, list)) = cache.get(&lang)
                && at.elapsed() < ttl
            {
                return Ok(list.clone());
            }
        }
        let op = Operation::V2CarriersList;
        let mut req = self.client.request_at(op);
        if let Some(l) = &lang {
            req = req.header("lang", l.clone());
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
        let op = Operation::V2CarriersDetect;
        let body = DetectRequest {
            tracking_number: tracking_number.to_owned(),
        };
        let req = self.client.json_request(op, &body)?;
        match self.client.execute(op, req).await {
            Err(e) if e.api_code() == Some(MetaCode::CannotDetect.into()) => Ok(Vec::new()),
            other => other,
        }
    }
}

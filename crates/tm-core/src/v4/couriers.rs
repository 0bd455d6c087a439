//! `client.couriers()`: the courier list (cached) and courier detection.

use std::sync::Arc;

use tm_types::v4::{Courier, DetectRequest, MetaCode};

use super::Client;
use crate::path::require;
use crate::{Operation, Result};

/// Courier endpoints. Get one with [`Client::couriers`].
#[derive(Debug, Clone, Copy)]
pub struct Couriers<'a> {
    pub(crate) client: &'a Client,
}

impl Couriers<'_> {
    /// Every courier (`GET /couriers/all`), cached in the client for its carrier-cache TTL.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},
    /// #   "data":[{"courier_code":"usps","courier_name":"USPS"},{"courier_code":"dhl","courier_name":"DHL"}]}"#);
    /// let couriers = client.couriers().list().await?;
    /// assert!(couriers.iter().any(|c| c.courier_code.as_deref() == Some("dhl")));
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Arc<Vec<Courier>>> {
        let ttl = self.client.config().carrier_cache_ttl;
        if let Some((at, list)) = &*self.cache()
            && at.elapsed() < ttl
        {
            return Ok(list.clone());
        }
        let op = Operation::V4CouriersList;
        let list: Arc<Vec<Courier>> = Arc::new(
            self.client
                .stack()
                .execute(op, self.client.stack().request_at(op))
                .await?,
        );
        *self.cache() = Some((tokio::time::Instant::now(), list.clone()));
        Ok(list)
    }

    /// The courier with this code (compared without regard to case), from the cached list.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},
    /// #   "data":[{"courier_code":"usps","courier_name":"USPS","tracking_required_fields":null}]}"#);
    /// let usps = client.couriers().find("USPS").await?.expect("listed");
    /// assert!(usps.required_fields().is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn find(&self, code: &str) -> Result<Option<Courier>> {
        let all = self.list().await?;
        Ok(all
            .iter()
            .find(|c| {
                c.courier_code
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(code.trim()))
            })
            .cloned())
    }

    /// Drops the cached list; the next call fetches afresh.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[]}"#);
    /// client.couriers().list().await?;
    /// client.couriers().invalidate_cache();
    /// # Ok(()) }
    /// ```
    pub fn invalidate_cache(&self) {
        *self.cache() = None;
    }

    fn cache(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<(tokio::time::Instant, Arc<Vec<Courier>>)>> {
        self.client
            .inner
            .courier_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The couriers a number may belong to, likeliest first (`POST /couriers/detect`, free in
    /// v4). An undetectable number (4121) gives an empty list.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},"data":[{"courier_code":"usps"}]}"#);
    /// let candidates = client.couriers().detect("92612903029511573030094531").await?;
    /// assert_eq!(candidates[0].courier_code.as_deref(), Some("usps"));
    /// # Ok(()) }
    /// ```
    pub async fn detect(&self, tracking_number: &str) -> Result<Vec<Courier>> {
        require("tracking_number", tracking_number)?;
        let op = Operation::V4CouriersDetect;
        let body = DetectRequest {
            tracking_number: tracking_number.to_owned(),
        };
        let req = self.client.stack().json_request_at(op, &body)?;
        match self.client.stack().execute(op, req).await {
            Err(e) if e.api_code() == Some(MetaCode::CannotDetectCourier.into()) => Ok(Vec::new()),
            other => other,
        }
    }
}

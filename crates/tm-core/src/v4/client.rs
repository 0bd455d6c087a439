//! The v4 client: the transport stack, the courier cache, and the resource handlers.

use std::sync::{Arc, Mutex};

use tm_types::v4::Courier;

use crate::stack::Stack;

pub(crate) struct Inner {
    pub(crate) stack: Stack,
    pub(crate) courier_cache: Mutex<Option<(tokio::time::Instant, Arc<Vec<Courier>>)>>,
}

/// The TrackingMore v4 client. Built like the v2 one (one [`ClientBuilder`](crate::ClientBuilder), one
/// [`Config`](crate::Config), one [`Error`](crate::Error)), on the v4 profile: base URL
/// `https://api.trackingmore.com/v4`, header `Tracking-Api-Key`, 10 requests per second
/// overall and 3 per second for create, two minutes' pause after a 429. Cheap to clone: clones
/// share one connection pool, one rate limiter and one courier cache.
///
/// ```
/// let client = tm_core::v4::Client::builder().api_key("k").build().unwrap();
/// assert_eq!(client.config().base_url, "https://api.trackingmore.com/v4");
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

client_basics!(Client, "v4::Client", "tm_core::v4::Client");

impl Client {
    pub(crate) fn from_stack(stack: Stack) -> Client {
        Client {
            inner: Arc::new(Inner {
                stack,
                courier_cache: Mutex::new(None),
            }),
        }
    }

    /// The courier list and detection.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},"data":[{"courier_code":"usps","courier_name":"USPS"}]}"#);
    /// let couriers = client.couriers().list().await?;
    /// # assert_eq!(couriers.len(), 1); Ok(()) }
    /// ```
    pub fn couriers(&self) -> super::Couriers<'_> {
        super::Couriers { client: self }
    }

    /// Creating, reading, changing, retracking and deleting trackings.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},"data":[]}"#);
    /// let page = client.trackings().get(&Default::default()).await?;
    /// # assert!(page.is_empty()); Ok(()) }
    /// ```
    pub fn trackings(&self) -> super::Trackings<'_> {
        super::Trackings { client: self }
    }

    /// Air waybills (air cargo), in real time.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},"data":{"awb_number":"235-69030430"}}"#);
    /// let awb = client.air_waybills().get("235-69030430").await?;
    /// # assert_eq!(awb.awb_number.as_deref(), Some("235-69030430")); Ok(()) }
    /// ```
    pub fn air_waybills(&self) -> super::AirWaybills<'_> {
        super::AirWaybills { client: self }
    }

    /// The transport stack the resources send through.
    pub(crate) fn stack(&self) -> &Stack {
        &self.inner.stack
    }
}

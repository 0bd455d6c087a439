//! The v2 client: the transport stack, the carrier cache, and the resource handlers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tm_transport::{HttpRequest, HttpResponse};
use tm_types::v2::Carrier;

use crate::Result;
use crate::operation::Operation;
use crate::stack::Stack;

/// Carrier lists by `Lang`, with the time each was fetched.
pub(crate) type CarrierCache =
    Mutex<HashMap<Option<String>, (tokio::time::Instant, Arc<Vec<Carrier>>)>>;

pub(crate) struct Inner {
    pub(crate) stack: Stack,
    pub(crate) carrier_cache: CarrierCache,
}

/// The TrackingMore v2 client. Cheap to clone: clones share one connection pool, one rate
/// limiter, one retry budget and one carrier cache.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = tm_core::v2::Client::from_env()?; // TRACKINGMORE_API_KEY
/// let t = client.trackings().get("china-post", "RN123456789CN").await?;
/// println!("{:?} {}", t.status(), t.last_event.as_deref().unwrap_or(""));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

client_basics!(Client, "Client", "tm_core::v2::Client");

impl Client {
    pub(crate) fn from_stack(stack: Stack) -> Client {
        Client {
            inner: Arc::new(Inner {
                stack,
                carrier_cache: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Carrier list and detection.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":[{"code":"dhl"}]}"#);
    /// let carriers = client.carriers().list().await?;
    /// # assert_eq!(carriers.len(), 1); Ok(()) }
    /// ```
    pub fn carriers(&self) -> super::Carriers<'_> {
        super::Carriers { client: self }
    }

    /// Creating, reading, changing, listing and deleting trackings.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"tracking_number":"1234567890","carrier_code":"dhl"}}"#);
    /// let t = client.trackings().get("dhl", "1234567890").await?;
    /// # assert_eq!(t.carrier_code, "dhl"); Ok(()) }
    /// ```
    pub fn trackings(&self) -> super::Trackings<'_> {
        super::Trackings { client: self }
    }

    /// Account information and status counts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"email":"ops@shop.example","track_number":100}}"#);
    /// let info = client.account().user_info().await?;
    /// # assert_eq!(info.email.as_deref(), Some("ops@shop.example")); Ok(()) }
    /// ```
    pub fn account(&self) -> super::Account<'_> {
        super::Account { client: self }
    }

    /// A request for `op` at `path`.
    pub(crate) fn request(&self, op: Operation, path: String) -> HttpRequest {
        self.inner.stack.request(op, path)
    }

    /// A request for `op` at its own (parameterless) path.
    pub(crate) fn request_at(&self, op: Operation) -> HttpRequest {
        self.inner.stack.request_at(op)
    }

    /// A request for `op` at its own path with a JSON body.
    pub(crate) fn json_request<B: Serialize + ?Sized>(
        &self,
        op: Operation,
        body: &B,
    ) -> Result<HttpRequest> {
        self.inner.stack.json_request_at(op, body)
    }

    /// Sends through the stack.
    pub(crate) async fn send(&self, op: Operation, request: HttpRequest) -> Result<HttpResponse> {
        self.inner.stack.send(op, request).await
    }

    /// Sends and decodes a success envelope's `data` as `T`.
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        op: Operation,
        request: HttpRequest,
    ) -> Result<T> {
        self.inner.stack.execute(op, request).await
    }
}

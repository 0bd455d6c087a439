//! # tm-core — the TrackingMore clients
//!
//! This layer owns the API: every operation, named once in [`Operation`] with its method,
//! path, resend safety and rate class; the API's rules (the documented limits, the cool-off
//! after a 429, which codes mean "retry": [`v2::rules`]); every v2 endpoint as a typed method
//! grouped by resource ([`Client::carriers`], [`Client::trackings`], [`Client::account`]); one
//! [`Error`] type; pagination ([`Paginator`], `list_all`); batching with per-item outcomes
//! ([`BatchReport`]); and webhook verification ([`webhook`]).
//!
//! It must not know reqwest: HTTP goes through [`tm_transport::Transport`], so tests and users
//! can swap the backend (`ClientBuilder::transport`). The transport layer knows no
//! TrackingMore rule; this one hands it the classes, limits and policy.
//!
//! Files: `operation.rs` (the operation table), `config.rs` (building), `key.rs`, `stack.rs` (the
//! transport stack and requests), `decode.rs` (reading responses), `error.rs`, `batch.rs`
//! (the chunking engine and per-item outcomes), `path.rs` (path encoding), `v2/` (the client,
//! its resources, `rules.rs`), `webhook.rs`.
//!
//! What it turns into predictable Rust:
//! - errors arrive as HTTP 200 with a `meta.code`: they become [`Error::Api`] with the code;
//! - throttling (meta or HTTP 429) is retried after `Retry-After` or the documented cool-off;
//! - a create resent after a timeout that meets 4016 is "already exists", never a failure, and
//!   a delete resent into 4017 is "deleted";
//! - `total` as a string, lists longer than a page, more than 40 items: handled for you.
//!
//! ```no_run
//! # async fn run() -> tm_core::Result<()> {
//! use futures::TryStreamExt;
//! use tm_core::{Client, types::v2::{CreateTrackingRequest, ListTrackingsRequest, TrackingStatus}};
//!
//! let client = Client::builder().api_key("your-key").build()?;
//! let report = client
//!     .trackings()
//!     .create_many((1..=100).map(|i| CreateTrackingRequest::new("china-post", format!("RN{i:09}CN"))))
//!     .await;
//! println!("{:?}", report.counts());
//! let in_transit: Vec<_> = client
//!     .trackings()
//!     .list_all(ListTrackingsRequest::default().status(TrackingStatus::Transit))
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

mod batch;
mod config;
mod decode;
mod error;
mod key;
mod operation;
mod path;
mod profile;
mod stack;
pub mod v2;
pub mod webhook;

pub use batch::{BatchCounts, BatchReport, ItemOutcome, ItemReport};
pub use config::{
    ClientBuilder, Config, ENV_API_KEY, ENV_BASE_URL, ENV_MAX_ATTEMPTS, ENV_TIMEOUT_SECS,
};
pub use error::{ApiError, ConfigError, DecodeError, Error, Result};
pub use key::ApiKey;
pub use operation::{Api, Operation, Resend};
pub use v2::rules::{API_KEY_HEADER, BASE_URL as DEFAULT_BASE_URL};
pub use v2::{Account, Carriers, Client, CreateOutcome, DEFAULT_PAGE_LIMIT, Paginator, Trackings};
pub use webhook::{WebhookError, WebhookVerifier};

/// The transport layer, re-exported (for custom backends, retry and rate-limit settings).
pub use tm_transport as transport;
/// The wire types, re-exported.
pub use tm_types as types;

/// A client whose every call is answered with `body` (HTTP 200), for the runnable examples in
/// these docs. Not for use outside documentation.
#[doc(hidden)]
pub fn doc_client(body: &'static str) -> Client {
    #[derive(Debug)]
    struct Canned(&'static str);
    #[async_trait::async_trait]
    impl tm_transport::Transport for Canned {
        async fn send(
            &self,
            _request: &tm_transport::HttpRequest,
        ) -> std::result::Result<tm_transport::HttpResponse, tm_transport::TransportError> {
            Ok(tm_transport::HttpResponse::new(200, self.0))
        }
    }
    Client::builder()
        .api_key("doc-example-key")
        .transport(Canned(body))
        .without_rate_limits()
        .build()
        .unwrap_or_else(|e| unreachable!("the doc client's settings are valid: {e}"))
}

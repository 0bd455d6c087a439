//! # tm-core — the TrackingMore clients, v2 and v4, and one account over both
//!
//! This layer owns the API, both generations: every operation, named once in [`Operation`]
//! (`v2.trackings.get`, `v4.trackings.get`, …) with its method, path, resend safety and rate
//! classes; each API's rules (documented limits, the cool-off after a 429, which codes mean
//! "retry": [`v2::rules`], [`v4::rules`]); every endpoint as a typed method grouped by resource
//! on [`v2::Client`] and [`v4::Client`]; one [`Error`] type whose API errors carry either
//! generation's code ([`ApiCode`]); pagination; batching with per-item outcomes
//! ([`BatchReport`]); webhook verification ([`webhook`], [`webhook::v4`]); the v2 → v4
//! [`bridge`]; and [`Account`], the generation-neutral layer ([`account`]): one shipment
//! shape, one filter, change detection and resumable imports, whichever generation the key
//! speaks.
//!
//! It must not know reqwest: HTTP goes through [`tm_transport::Transport`], so tests and users
//! can swap the backend (`ClientBuilder::transport`). The transport layer knows no
//! TrackingMore rule; this one hands it the classes, limits and policy.
//!
//! Files: `operation.rs` (the operation table), `config.rs` (building either client from a
//! profile, `profile.rs`), `key.rs`, `stack.rs` (the transport stack and requests), `decode.rs`
//! (reading responses of both generations), `error.rs`, `batch.rs` (the chunking engine and
//! per-item outcomes), `page.rs` (items of a page that did not decode), `path.rs` (path
//! encoding), `v2/` and `v4/` (each client, its resources, its `rules.rs`), `account/` (the
//! neutral layer), `webhook/`, `bridge.rs`.
//!
//! What it turns into predictable Rust:
//! - v2 errors arrive as HTTP 200 with a `meta.code`, v4 errors with a mirrored status and a
//!   meta body: both become [`Error::Api`] with the typed code;
//! - throttling (meta or HTTP 429) is retried after `Retry-After` or the documented cool-off;
//! - a create resent after a timeout that meets "already exists" (4016, 4101) is never a
//!   failure, and a delete resent into "not found" is "deleted";
//! - `total` as a string, lists longer than a page, more than 40 items: handled for you.
//!
//! ```no_run
//! # async fn run() -> tm_core::Result<()> {
//! use futures::TryStreamExt;
//! use tm_core::Account;
//! use tm_core::account::{Filter, NewShipment};
//!
//! // Either generation's client; everything after this line is the same for both.
//! let account = Account::from(tm_core::v4::Client::builder().api_key("your-key").build()?);
//! let rows = (1..=100).map(|i| NewShipment::new("china-post", format!("RN{i:09}CN")));
//! let settled = account.create_many(rows.collect()).await;
//! println!("{} confirmed", settled.iter().filter(|s| s.outcome.is_some()).count());
//! let mut in_transit = Filter::default();
//! in_transit.status = Some("transit".into());
//! let shipments: Vec<_> = account.shipments(&in_transit)?.try_collect().await?;
//! # Ok(()) }
//! ```

#[macro_use]
mod config;
pub mod account;
mod batch;
pub mod bridge;
mod decode;
mod error;
mod key;
mod operation;
mod page;
mod path;
mod profile;
mod stack;
pub mod v2;
pub mod v4;
pub mod webhook;

pub use account::Account;
pub use batch::{BatchCounts, BatchReport, ItemOutcome, ItemReport};
pub use config::{
    ClientBuilder, Config, ENV_API_KEY, ENV_BASE_URL, ENV_MAX_ATTEMPTS, ENV_TIMEOUT_SECS,
};
pub use error::{ApiCode, ApiError, ConfigError, DecodeError, Error, Result};
pub use key::ApiKey;
pub use operation::{Api, Operation, Resend};
pub use page::UndecodedItem;
pub use webhook::WebhookError;

/// The transport layer, re-exported (for custom backends, retry and rate-limit settings).
pub use tm_transport as transport;
/// The wire types, re-exported.
pub use tm_types as types;

/// Answers every request with one body, with the HTTP status a v4 server would send for its
/// `meta.code` (v2 bodies are always sent with 200).
#[derive(Debug)]
struct Canned {
    body: &'static str,
    v4: bool,
}

#[async_trait::async_trait]
impl tm_transport::Transport for Canned {
    async fn send(
        &self,
        _request: &tm_transport::HttpRequest,
    ) -> std::result::Result<tm_transport::HttpResponse, tm_transport::TransportError> {
        let status = if self.v4 {
            serde_json::from_str::<tm_types::v4::RawEnvelope<'_>>(self.body)
                .ok()
                .and_then(|e| e.meta.code.http_status())
                .unwrap_or(200)
        } else {
            200
        };
        Ok(tm_transport::HttpResponse::new(status, self.body))
    }
}

/// A client whose every call is answered with `body` (HTTP 200), for the runnable examples in
/// these docs. Not for use outside documentation.
#[doc(hidden)]
pub fn doc_client(body: &'static str) -> v2::Client {
    v2::Client::builder()
        .api_key("doc-example-key")
        .transport(Canned { body, v4: false })
        .without_rate_limits()
        .build()
        .unwrap_or_else(|e| unreachable!("the doc client's settings are valid: {e}"))
}

/// A v4 client whose every call is answered with `body` and the HTTP status v4 mirrors its
/// code into, for the runnable examples in these docs. Not for use outside documentation.
#[doc(hidden)]
pub fn doc_client_v4(body: &'static str) -> v4::Client {
    v4::Client::builder()
        .api_key("doc-example-key")
        .transport(Canned { body, v4: true })
        .without_rate_limits()
        .build()
        .unwrap_or_else(|e| unreachable!("the doc client's settings are valid: {e}"))
}

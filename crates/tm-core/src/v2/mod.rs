//! TrackingMore v2: the client, its resources, and the API's rules.
//!
//! ```no_run
//! # async fn run() -> tm_core::Result<()> {
//! use futures::TryStreamExt;
//! use tm_core::types::v2::{CreateTrackingRequest, ListTrackingsRequest, TrackingStatus};
//! use tm_core::v2::Client;
//!
//! let client = Client::builder().api_key("your-key").build()?;
//! client
//!     .trackings()
//!     .create(CreateTrackingRequest::new("china-post", "RN123456789CN"))
//!     .await?;
//! let in_transit: Vec<_> = client
//!     .trackings()
//!     .list_all(ListTrackingsRequest::default().status(TrackingStatus::Transit))
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

mod account;
mod batches;
mod carriers;
mod client;
mod outcomes;
mod page;
mod pagination;
pub mod rules;
mod trackings;

pub use crate::page::UndecodedItem;
pub use account::Account;
pub use carriers::Carriers;
pub use client::Client;
pub use page::ListPage;
pub use pagination::{DEFAULT_PAGE_LIMIT, Paginator};
pub use trackings::{CreateOutcome, Trackings};

/// The v2 webhook verifier (see [`crate::webhook`]).
pub use crate::webhook::WebhookVerifier;

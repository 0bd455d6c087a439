//! TrackingMore v4: the client, its resources, and the API's rules.
//!
//! ```no_run
//! # async fn run() -> tm_core::Result<()> {
//! use futures::TryStreamExt;
//! use tm_core::types::v4::{CreateTrackingRequest, DeliveryStatus, GetTrackingsRequest};
//! use tm_core::v4::{Client, CreateOutcome};
//!
//! let client = Client::builder().api_key("your-key").build()?;
//! // Create (the real-time call: the tracking comes back with its results).
//! match client.trackings().create(CreateTrackingRequest::new("usps", "9400111899562537683144")).await? {
//!     CreateOutcome::Created(t) => println!("{} is {:?}", t.id.as_deref().unwrap_or(""), t.status()),
//!     CreateOutcome::AlreadyExists(_) => println!("already tracked"),
//! }
//! // Every tracking in transit, one page in memory at a time.
//! let in_transit: Vec<_> = client
//!     .trackings()
//!     .get_all(GetTrackingsRequest::default().delivery_status(DeliveryStatus::Transit))
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

mod air_waybills;
mod client;
mod couriers;
mod outcomes;
mod pagination;
pub mod rules;
mod trackings;

pub use air_waybills::AirWaybills;
pub use client::Client;
pub use couriers::Couriers;
pub use pagination::{DEFAULT_PAGE_SIZE, Pages, TrackingsPage};
pub use trackings::{CreateOutcome, Trackings};

/// The v4 webhook verifier (see [`crate::webhook::v4`]).
pub use crate::webhook::v4::WebhookVerifier;

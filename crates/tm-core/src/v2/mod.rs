//! TrackingMore v2: the client, its resources, and the API's rules.
//!
//! `tm_core::Client` is this module's [`Client`]; everything here is also re-exported at the
//! crate root.

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

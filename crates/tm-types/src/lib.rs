//! # tm-types — the TrackingMore wire model, both generations
//!
//! This layer owns every shape that crosses the wire: [`v2`] (the generation the original
//! document describes) and [`v4`] (the one accounts use today), each with its envelope and
//! meta codes, tracking object, checkpoints, carriers or couriers, batch results and one
//! request type per endpoint. What both share lives here at the root: the three-state
//! [`Field`], the lenient [`NumberOrString`], the generic [`Envelope`], query strings and
//! [`time`] parsing.
//!
//! It must not know HTTP or do I/O: the transport, the clients and the tooling build on it.
//!
//! Three rules keep it robust against a server that changed over the years:
//! - a response field's three wire states (absent, `null`, value) are kept apart by [`Field`];
//! - keys a type does not model land in its `extra` map and are written back on serialize;
//! - enums that look closed keep unknown values (`v2::TrackingStatus::Unknown`,
//!   `v4::MetaCode::Other`).
//!
//! ```
//! use tm_types::{v2, v4};
//! let old: v2::Envelope<serde_json::Value> =
//!     serde_json::from_str(r#"{"meta":{"code":4016,"type":"Bad Request","message":"Tracking already exists."},"data":[]}"#).unwrap();
//! let new: v4::Envelope<serde_json::Value> =
//!     serde_json::from_str(r#"{"meta":{"code":4101,"message":"Tracking No. already exists."},"data":null}"#).unwrap();
//! assert_eq!(old.meta.code, v2::MetaCode::TrackingExists);
//! assert_eq!(new.meta.code, v4::MetaCode::TrackingExists);
//! assert_eq!(new.meta.code.http_status(), Some(400)); // v4 mirrors the outcome in the status
//! ```

#[macro_use]
mod macros;

mod envelope;
pub mod field;
mod query;
pub mod time;
pub mod v2;
pub mod v4;

pub use envelope::{Envelope, RawEnvelope};
pub use field::{Extra, Field, NumberOrString};
pub use query::{QueryError, QueryPairs};

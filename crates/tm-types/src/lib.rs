//! # tm-types — the TrackingMore v2 wire model
//!
//! This layer owns every shape that crosses the wire: the `{meta, data}` [`Envelope`],
//! [`MetaCode`]s, the [`Tracking`] object with its mixed casing, checkpoints, carriers, batch
//! results, list pages, webhook payloads and one request type per endpoint.
//!
//! It must not know HTTP or do I/O: the transport, the client and the simulator build on it.
//!
//! Three rules keep it robust against a server that changed over the years:
//! - a response field's three wire states (absent, `null`, value) are kept apart by [`Field`];
//! - keys a type does not model land in its `extra` map and are written back on serialize;
//! - enums that look closed keep unknown values (`TrackingStatus::Unknown`, `MetaCode::Other`).
//!
//! ```
//! use tm_types::{Envelope, MetaCode, TrackingList};
//! let body = r#"{"meta":{"code":200,"type":"Success","message":"Success"},
//!   "data":{"page":1,"limit":4,"total":"3","count":3,"items":[]}}"#;
//! let env: Envelope<TrackingList> = serde_json::from_str(body).unwrap();
//! assert_eq!(env.meta.code, MetaCode::Success);
//! assert_eq!(env.data.unwrap().total(), Some(3)); // `total` is a string on the wire
//! ```

#[macro_use]
mod macros;

mod envelope;
pub mod field;
mod query;
mod requests;
mod responses;
mod status;
pub mod time;
mod tracking;

pub use envelope::{Envelope, Meta, MetaCode, RawEnvelope};
pub use field::{Extra, Field, NumberOrString};
pub use query::{ListTrackingsRequest, QueryError, StatusCountRequest};
pub use requests::{
    AirCargoRequest, CarrierRequirements, ChangeCarrierRequest, CreateTrackingRequest,
    DetectRequest, RealtimeRequest, RemoteAreaQuery, TrackingRef, TransitTimeQuery, UpdateMoreItem,
    UpdateTrackingRequest,
};
pub use responses::{
    AirCargoResult, BatchCreateResult, BatchItem, BatchItemError, BatchItemMeta, BatchResult,
    Carrier, ChangeCarrierResult, DetectedCarrier, RealtimeResult, RemoteArea, RemoteResult,
    StatusCounts, TrackingList, TransitTime, TransitTimeResult, UserInfo, VerifyInfo,
    WebhookPayload,
};
pub use status::{CarrierType, StatusInput, Substatus, TrackingStatus};
pub use tracking::{Checkpoint, CustomerEmail, TrackInfo, Tracking};

/// The documented maximum number of items per batch call (create, delete, updatemore,
/// notupdate); the server answers meta 202 past it.
pub const MAX_BATCH: usize = 40;

/// The documented maximum page size of `GET /trackings/get`.
pub const MAX_PAGE_LIMIT: u32 = 2000;

/// The documented maximum number of values in the `numbers` and `orders` list filters.
pub const MAX_FILTER_VALUES: usize = 40;

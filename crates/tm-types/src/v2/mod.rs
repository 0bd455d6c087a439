//! TrackingMore v2 (`https://api.trackingmore.com/v2`, `Trackingmore-Api-Key`): every request
//! and response body of its 18 endpoints, its meta codes (errors arrive inside HTTP 200), the
//! tracking object with its mixed casing, statuses and webhook payloads.
//!
//! ```
//! use tm_types::v2::{Envelope, MetaCode, TrackingList};
//! let body = r#"{"meta":{"code":200,"type":"Success","message":"Success"},
//!   "data":{"page":1,"limit":4,"total":"3","count":3,"items":[]}}"#;
//! let env: Envelope<TrackingList> = serde_json::from_str(body).unwrap();
//! assert_eq!(env.meta.code, MetaCode::Success);
//! assert_eq!(env.data.unwrap().total(), Some(3)); // `total` is a string on the wire
//! ```

mod meta;
mod query;
mod requests;
mod responses;
mod status;
mod tracking;

pub use meta::{Envelope, Meta, MetaCode, RawEnvelope};
pub use query::{ListTrackingsRequest, StatusCountRequest};
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

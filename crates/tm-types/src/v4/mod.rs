//! TrackingMore v4 (`https://api.trackingmore.com/v4`, `Tracking-Api-Key`): the bodies of its
//! nine endpoints, its meta codes (mirrored into the HTTP status), the tracking object with
//! `origin_info` / `destination_info`, couriers, batch results, the update result, the air
//! waybill, nine main statuses and their sub-statuses.
//!
//! Where the reference is unsure (the SDKs say string, real data a number; a map or a list),
//! both forms are read and kept as sent.
//!
//! ```
//! use tm_types::v4::{DeliveryStatus, Envelope, MetaCode, Tracking};
//! let body = r#"{"meta":{"code":200,"message":"Request response is successful"},
//!   "data":[{"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"9104223295",
//!   "courier_code":"dhl","delivery_status":"delivered","archived":"tracking"}]}"#;
//! let env: Envelope<Vec<Tracking>> = serde_json::from_str(body).unwrap();
//! assert_eq!(env.meta.code, MetaCode::Success);
//! assert_eq!(env.data.unwrap()[0].status(), Some(&DeliveryStatus::Delivered));
//! ```

mod meta;
mod requests;
mod responses;
mod status;
mod tracking;

pub use meta::{Envelope, Meta, MetaCode, RawEnvelope};
pub use requests::{
    AirWaybillRequest, CreateTrackingRequest, DetectRequest, GetTrackingsRequest, ShipmentDetails,
    UpdateTrackingRequest,
};
pub use responses::{
    AirWaybill, AirWaybillEvent, AirlineInfo, BatchItem, BatchResult, Courier, Flight, FlightInfo,
    UpdateResult,
};
pub use status::{ArchivedStatus, DeliveryStatus, Substatus};
pub use tracking::{Checkpoint, LegInfo, MilestoneDate, Tracking};

/// The documented maximum number of trackings per `POST /trackings/batch` (4103 past it).
pub const MAX_BATCH: usize = 40;

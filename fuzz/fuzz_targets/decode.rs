//! Any bytes into every response decoder: an error or a value, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tm_types::v2::*;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Envelope<TrackingList>>(data);
    let _ = serde_json::from_slice::<Envelope<RealtimeResult>>(data);
    let _ = serde_json::from_slice::<Envelope<BatchCreateResult>>(data);
    let _ = serde_json::from_slice::<Envelope<BatchResult>>(data);
    let _ = serde_json::from_slice::<Envelope<Vec<Carrier>>>(data);
    let _ = serde_json::from_slice::<Envelope<UserInfo>>(data);
    let _ = serde_json::from_slice::<Envelope<StatusCounts>>(data);
    let _ = serde_json::from_slice::<Envelope<TransitTimeResult>>(data);
    let _ = serde_json::from_slice::<RawEnvelope<'_>>(data);
    if let Ok(t) = serde_json::from_slice::<Tracking>(data) {
        let _ = t.latest_checkpoint().map(Checkpoint::event_text);
        let _ = serde_json::to_vec(&t);
    }
});

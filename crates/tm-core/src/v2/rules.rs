//! The rules of the v2 API, as its documents state them: where it lives, how it authenticates,
//! its rate classes and limits, how long to wait after a 429, and which answers mean "try
//! again". The client's defaults come from here; each is overridable through
//! [`ClientBuilder`](crate::ClientBuilder).

use std::time::Duration;

use tm_transport::{Classifier, Rate, RateClass, RateLimits};
use tm_types::v2::MetaCode;

use crate::profile::Profile;

/// The production base URL.
pub const BASE_URL: &str = "https://api.trackingmore.com/v2";

/// The header that carries the key.
pub const API_KEY_HEADER: &str = "Trackingmore-Api-Key";

/// `POST /trackings/realtime`: "each IP: at most 3 requests per second".
pub const REALTIME: RateClass = RateClass::new("realtime");
/// `GET /trackings/get`: one request per second (with up to 2000 trackings).
pub const LIST: RateClass = RateClass::new("list");
/// Every other call: one per second overall (one support article; the most careful reading).
pub const DEFAULT: RateClass = RateClass::new("default");

/// The documented wait after a 429: "requests are suspended; wait about two minutes".
pub const THROTTLE_COOLOFF: Duration = Duration::from_secs(120);

/// The documented limits of every v2 rate class: realtime 3/s, list 1/s, everything else 1/s.
///
/// ```
/// use tm_core::v2::rules::{self, LIST, REALTIME};
/// use tm_core::transport::Rate;
/// let limits = rules::rate_limits();
/// assert_eq!(limits.rate_for(&REALTIME), Ok(Some(Rate::per_second(3))));
/// assert_eq!(limits.rate_for(&LIST), Ok(Some(Rate::per_second(1))));
/// ```
pub fn rate_limits() -> RateLimits {
    RateLimits::new()
        .with_class(REALTIME, Some(Rate::per_second(3)))
        .with_class(LIST, Some(Rate::per_second(1)))
        .with_class(DEFAULT, Some(Rate::per_second(1)))
}

/// True for the meta codes whose answer may change if the same request is sent later: 429
/// (throttled), 500 and 503 (server trouble).
pub fn is_retryable_code(code: MetaCode) -> bool {
    matches!(
        code,
        MetaCode::TooManyRequests | MetaCode::ServerError | MetaCode::ServiceUnavailable
    )
}

/// Reads v2's errors inside HTTP 200 for the retry layer: meta 429 is throttling, meta 500/503
/// (or a body that is no envelope) transient, anything else final.
pub(crate) fn classifier() -> Classifier {
    crate::decode::meta_classifier::<tm_types::v2::Meta>(&[
        br#"{"meta":{"code":200"#,
        br#"{"meta":{"code":201"#,
    ])
}

/// The v2 profile the client is built from.
pub(crate) static PROFILE: Profile = Profile {
    base_url: BASE_URL,
    key_header: "trackingmore-api-key",
    rate_limits,
    throttle_cooloff: THROTTLE_COOLOFF,
    classifier,
    // The original document lists it beside the key for every request.
    content_type_on_get_and_delete: true,
    max_batch: tm_types::v2::MAX_BATCH,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Api, Operation};

    #[test]
    fn the_lower_case_key_header_is_the_documented_one() {
        assert_eq!(PROFILE.key_header, API_KEY_HEADER.to_ascii_lowercase());
    }

    #[test]
    fn every_v2_operation_has_a_limit() {
        let limits = rate_limits();
        for op in Operation::ALL.iter().filter(|o| o.api() == Api::V2) {
            for class in op.rate_classes() {
                assert!(limits.contains(class), "{op}");
            }
        }
    }
}

//! The rules of the v4 API, as its references state them: where it lives, how it
//! authenticates, its rate classes and limits (10 requests per second overall, 3 per second
//! for create), the two-minute pause after a 429, and which answers mean "try again". The
//! client's defaults come from here; each is overridable through
//! [`ClientBuilder`](crate::ClientBuilder).

use std::time::Duration;

use tm_transport::{Classifier, Rate, RateClass, RateLimits};

use crate::profile::Profile;

/// The production base URL.
pub const BASE_URL: &str = "https://api.trackingmore.com/v4";

/// The header that carries the key.
pub const API_KEY_HEADER: &str = "Tracking-Api-Key";

/// `POST /trackings/create`, the real-time call: 3 per second (it counts against
/// [`DEFAULT`] too).
pub const CREATE: RateClass = RateClass::new("create");
/// Every call: 10 per second overall.
pub const DEFAULT: RateClass = RateClass::new("default");

/// The documented wait after a 429: "send nothing more for 120 s".
pub const THROTTLE_COOLOFF: Duration = Duration::from_secs(120);

/// The documented limits of the v4 classes: 10/s overall, create 3/s.
///
/// ```
/// use tm_core::v4::rules::{self, CREATE, DEFAULT};
/// use tm_core::transport::Rate;
/// let limits = rules::rate_limits();
/// assert_eq!(limits.rate_for(&DEFAULT), Ok(Some(Rate::per_second(10))));
/// assert_eq!(limits.rate_for(&CREATE), Ok(Some(Rate::per_second(3))));
/// ```
pub fn rate_limits() -> RateLimits {
    RateLimits::new()
        .with_class(CREATE, Some(Rate::per_second(3)))
        .with_class(DEFAULT, Some(Rate::per_second(10)))
}

/// Reads v4 answers the status alone does not explain: a 2xx whose meta says 429 or 5xx, or
/// that is no envelope (cut short); everything else is classified by its HTTP status (v4
/// mirrors its codes there: 429 throttled, 500 for 511–513 transient, 4xx final).
pub(crate) fn classifier() -> Classifier {
    crate::decode::meta_classifier::<tm_types::v4::Meta>(&[br#"{"meta":{"code":200"#])
}

/// The v4 profile the client is built from.
pub(crate) static PROFILE: Profile = Profile {
    base_url: BASE_URL,
    key_header: "tracking-api-key",
    rate_limits,
    throttle_cooloff: THROTTLE_COOLOFF,
    classifier,
    // The .NET SDK sends none on GET and DELETE (reference §quirks): the header says nothing
    // there, and each header costs the client on every request.
    content_type_on_get_and_delete: false,
    max_batch: tm_types::v4::MAX_BATCH,
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
    fn every_v4_operation_has_a_limit_and_create_counts_against_both() {
        let limits = rate_limits();
        for op in Operation::ALL.iter().filter(|o| o.api() == Api::V4) {
            for class in op.rate_classes() {
                assert!(limits.contains(class), "{op}");
            }
            assert!(op.rate_classes().contains(&DEFAULT), "{op} counts overall");
        }
        assert_eq!(
            Operation::V4TrackingsCreate.rate_classes(),
            [CREATE, DEFAULT]
        );
    }
}

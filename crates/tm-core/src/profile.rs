//! What makes one API generation differ from another at the transport level, in one value:
//! the client stack is built from a profile and knows nothing else about the generation.

use std::time::Duration;

use tm_transport::{Classifier, RateLimits};

/// One generation's rules (see `v2::rules`).
#[derive(Debug)]
pub(crate) struct Profile {
    /// The production base URL.
    pub base_url: &'static str,
    /// The key header, in lower case (the form requests carry).
    pub key_header: &'static str,
    /// The documented limit of every rate class its operations use.
    pub rate_limits: fn() -> RateLimits,
    /// The documented wait after a 429 without `Retry-After`.
    pub throttle_cooloff: Duration,
    /// How the retry layer reads answers only this generation can read.
    pub classifier: fn() -> Classifier,
    /// True when a GET or DELETE (never with a body) still says
    /// `Content-Type: application/json`.
    pub content_type_on_get_and_delete: bool,
    /// Items per batch call at most.
    pub max_batch: usize,
}

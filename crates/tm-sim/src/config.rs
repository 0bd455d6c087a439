//! Every simulator option, with the defaults the reference documents.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::clock::ClockMode;
use crate::faults::FaultPlan;

/// How a batch over the maximum is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverLimitStyle {
    /// meta 202 "The largest number of 40 each operation." (the real 2017 capture).
    #[default]
    Meta202,
    /// meta 4020 "Up to 200 at a time" (the status-code page).
    Meta4020,
}

/// Who a rate limit counts: the document says each IP; per key is an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitScope {
    /// Each client IP address ("それぞれの IP").
    #[default]
    Ip,
    /// Each API key.
    Key,
}

/// Where status changes are POSTed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookTarget {
    /// The receiving URL.
    pub url: String,
    /// Delivery attempts per change (first included).
    pub max_attempts: u32,
    /// Wait before the first retry, doubled after each (real milliseconds).
    pub retry_base_ms: u64,
}

impl WebhookTarget {
    /// Delivers to `url`, 5 attempts, 1 s first retry.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookTarget {
            url: url.into(),
            max_attempts: 5,
            retry_base_ms: 1000,
        }
    }
}

/// The simulator's settings. Build them with [`crate::Simulator::builder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Address to listen on; port 0 picks a free one.
    pub bind: SocketAddr,
    /// Seed of every journey and id.
    pub seed: u64,
    /// Accepted API keys; empty accepts any non-empty key.
    pub api_keys: Vec<String>,
    /// Keys that were deleted: refused with 4002.
    #[serde(default)]
    pub revoked_keys: Vec<String>,
    /// v2 routes (by name, e.g. `trackings/aircargo`) that this account has not had
    /// activated: refused with 4018.
    #[serde(default)]
    pub inactive_features: Vec<String>,
    /// Whether the documented rate limits are enforced.
    pub rate_limits: bool,
    /// Who a limit counts: each client IP (the document's rule) or each key.
    #[serde(default)]
    pub limit_scope: LimitScope,
    /// Requests per second per rate class (`realtime`, `list`, `default`); absent = unlimited.
    /// "N per second" allows N within any second and refuses the N+1st.
    pub limits: BTreeMap<String, f64>,
    /// Trackings per second the list class may return (the document: 2000); `None` = no
    /// limit.
    #[serde(default = "default_list_trackings")]
    pub list_trackings_per_second: Option<u64>,
    /// How long every request from a refused IP (or key) is refused, in milliseconds: the
    /// document says "requests are suspended; wait about two minutes".
    #[serde(default = "default_suspension")]
    pub suspension_ms: u64,
    /// Slack granted to a request arriving early, in milliseconds (network jitter of a client
    /// spacing its requests exactly); the reference does not document one.
    pub rate_limit_tolerance_ms: i64,
    /// Whether a 429 carries `Retry-After` (the reference documents none).
    pub retry_after_header: bool,
    /// Items per batch call.
    pub batch_max: usize,
    /// How a batch over the maximum is refused.
    pub over_limit: OverLimitStyle,
    /// Tracking quota of the account.
    pub quota: i64,
    /// How simulated time moves.
    pub clock: ClockMode,
    /// Simulated start time, Unix seconds (default: now).
    pub start_time: Option<i64>,
    /// The account's login e-mail: user info, and the webhook signing key.
    pub account_email: String,
    /// Hours ahead of UTC of the account, for `created_at` / `updated_at`.
    pub account_utc_offset_h: i64,
    /// Where to POST status changes.
    pub webhook: Option<WebhookTarget>,
    /// A file the state is loaded from and saved to.
    pub state_file: Option<PathBuf>,
    /// Also put the meta code's class in the HTTP status (v2 itself answers 200).
    pub mirror_http_status: bool,
    /// Escape `/` and non-ASCII in JSON the way the PHP server does.
    pub php_escapes: bool,
    /// Injected faults.
    pub faults: FaultPlan,
    /// Share the rate-limit state with other instances through this Redis (`redis://…`).
    #[serde(default)]
    pub redis_url: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 42,
            api_keys: Vec::new(),
            revoked_keys: Vec::new(),
            inactive_features: Vec::new(),
            rate_limits: true,
            limit_scope: LimitScope::Ip,
            limits: default_limits(),
            list_trackings_per_second: default_list_trackings(),
            suspension_ms: default_suspension(),
            rate_limit_tolerance_ms: 100,
            retry_after_header: false,
            batch_max: 40,
            over_limit: OverLimitStyle::Meta202,
            quota: 100_000,
            clock: ClockMode::default(),
            start_time: None,
            account_email: "sandbox@trackingmore-rs.invalid".into(),
            account_utc_offset_h: 0,
            webhook: None,
            state_file: None,
            mirror_http_status: false,
            php_escapes: true,
            faults: FaultPlan::default(),
            redis_url: None,
        }
    }
}

/// The documented limits: realtime 3 per second, list 1 per second (each IP).
pub fn default_limits() -> BTreeMap<String, f64> {
    BTreeMap::from([("realtime".into(), 3.0), ("list".into(), 1.0)])
}

fn default_list_trackings() -> Option<u64> {
    Some(2000)
}

/// The documented pause after a 429: about two minutes.
fn default_suspension() -> u64 {
    120_000
}

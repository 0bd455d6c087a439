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
    /// The webhook's version, which must equal the API's: v2 pushes carry `verifyInfo` signed
    /// with the account e-mail; v4 pushes carry signature headers keyed by the webhook secret.
    #[serde(default)]
    pub version: WebhookVersion,
    /// How v4 pushes are signed.
    #[serde(default)]
    pub scheme: SignatureScheme,
}

impl WebhookTarget {
    /// A v2 webhook to `url`: 5 attempts, 1 s first retry.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookTarget {
            url: url.into(),
            max_attempts: 5,
            retry_base_ms: 1000,
            version: WebhookVersion::V2,
            scheme: SignatureScheme::default(),
        }
    }

    /// A v4 webhook to `url` as the reference describes it: 14 attempts, the second 30 s after
    /// the first, each wait doubled; signed with the timestamp scheme.
    pub fn v4(url: impl Into<String>) -> Self {
        WebhookTarget {
            max_attempts: 14,
            retry_base_ms: 30_000,
            version: WebhookVersion::V4,
            ..WebhookTarget::new(url)
        }
    }
}

/// A webhook's API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookVersion {
    /// v2: the body carries `verifyInfo`.
    #[default]
    V2,
    /// v4: `timestamp` and `signature` headers.
    V4,
}

/// How a v4 push is signed: over the timestamp (the documentation's example, the default) or
/// over the body (its prose), in hex or base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureScheme {
    /// `hex(HMAC-SHA256(secret, timestamp))`.
    #[default]
    TimestampHex,
    /// `base64(HMAC-SHA256(secret, timestamp))`.
    TimestampBase64,
    /// `hex(HMAC-SHA256(secret, body))`.
    BodyHex,
    /// `base64(HMAC-SHA256(secret, body))`.
    BodyBase64,
}

/// The simulator's settings. Build them with [`crate::Simulator::builder`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Address to listen on; port 0 picks a free one.
    pub bind: SocketAddr,
    /// How long the server waits for clients and how much it takes from them (timeouts,
    /// connections, body size; a body over the limit is answered 413).
    #[serde(skip, default = "default_server_limits")]
    pub server: tm_serve::Limits,
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
    /// A SQLite database the account is kept in, shared by every simulator that opens it
    /// (default: in memory).
    pub state_file: Option<PathBuf>,
    /// An older simulator's JSON state file to carry over into a new database once (it is
    /// renamed to `….imported` first).
    #[serde(default)]
    pub carry_over: Option<PathBuf>,
    /// Also put the meta code's class in the HTTP status (v2 itself answers 200).
    pub mirror_http_status: bool,
    /// Escape `/` and non-ASCII in JSON the way the PHP server does.
    pub php_escapes: bool,
    /// Injected faults.
    pub faults: FaultPlan,
    /// Share the rate-limit state with other instances through this Redis (`redis://…`).
    #[serde(default)]
    pub redis_url: Option<String>,
    /// What v4 does where its reference is uncertain.
    #[serde(default)]
    pub v4: V4Config,
}

/// v4's settings: its limits, and a choice wherever the v4 reference marks a fact inferred or
/// unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct V4Config {
    /// Requests per second per class: `default` (every call, 10) and `create` (3, counted in
    /// `default` too).
    pub limits: BTreeMap<String, f64>,
    /// Who the v4 limits count. The reference gives an account's TPS without saying per IP, so
    /// per key by default (inferred).
    pub limit_scope: LimitScope,
    /// `data` of an error answer (unknown; `[]` as v2 sends it by default).
    pub error_data: ErrorData,
    /// `data` of a 4101 on create ("only id, number and courier, or sometimes full results").
    pub exists_data: ExistsData,
    /// `items_amount` when a `trackings/get` sets none (unknown).
    pub default_page_size: u32,
    /// The largest `items_amount` served (unknown).
    pub max_page_size: u32,
    /// Days without news before an undelivered tracking expires (30 per the status article).
    pub expiry_days: i64,
    /// The webhook secret v4 pushes are signed with.
    pub webhook_secret: String,
    /// `flight_info` of an air waybill: a map by flight number (the Java and .NET SDKs) or a
    /// list (the one relayed real result) (conflict).
    pub flight_info: FlightInfoForm,
}

/// The form of an air waybill's `flight_info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlightInfoForm {
    /// `{"CV6684": {...}}`.
    #[default]
    Map,
    /// `[{"flight_number": "CV6684", ...}]`.
    List,
}

impl Default for V4Config {
    fn default() -> Self {
        V4Config {
            limits: BTreeMap::from([("default".into(), 10.0), ("create".into(), 3.0)]),
            limit_scope: LimitScope::Key,
            error_data: ErrorData::EmptyArray,
            exists_data: ExistsData::Minimal,
            default_page_size: 100,
            max_page_size: 2000,
            expiry_days: 30,
            webhook_secret: "sandbox-webhook-secret".into(),
            flight_info: FlightInfoForm::Map,
        }
    }
}

/// `data` of a v4 error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorData {
    /// `[]`.
    #[default]
    EmptyArray,
    /// `{}`.
    EmptyObject,
    /// `null`.
    Null,
    /// No `data` key.
    Absent,
}

/// `data` of a v4 4101.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExistsData {
    /// `{id, tracking_number, courier_code}`.
    #[default]
    Minimal,
    /// The whole existing tracking.
    Full,
    /// As any other error ([`V4Config::error_data`]).
    AsError,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            server: default_server_limits(),
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
            carry_over: None,
            mirror_http_status: false,
            php_escapes: true,
            faults: FaultPlan::default(),
            redis_url: None,
            v4: V4Config::default(),
        }
    }
}

/// The documented limits: realtime 3 per second, list 1 per second (each IP).
pub fn default_limits() -> BTreeMap<String, f64> {
    BTreeMap::from([("realtime".into(), 3.0), ("list".into(), 1.0)])
}

/// The simulator's server limits: tm-serve's, with room for large batch and list bodies.
pub fn default_server_limits() -> tm_serve::Limits {
    tm_serve::Limits::default().max_body(8 * 1024 * 1024)
}

fn default_list_trackings() -> Option<u64> {
    Some(2000)
}

/// The documented pause after a 429: about two minutes.
fn default_suspension() -> u64 {
    120_000
}

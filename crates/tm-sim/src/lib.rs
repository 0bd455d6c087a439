//! # tm-sim — a local TrackingMore API
//!
//! This layer owns a stateful simulator of the TrackingMore API that behaves like the real
//! server rather than like our client: all 18 v2 endpoints under `/v2/` with the reference's
//! request forms, response shapes (in the key order of the real captures) and quirks (errors
//! as HTTP 200 with `meta.code`, `total` as a string, PHP-style escaping, loosely typed input
//! read the way a PHP server reads it), one account's trackings kept in memory (or in a
//! SQLite database that any number of simulators and processes share, every change committed
//! before it is answered), shipments that move along deterministic journeys on a simulated clock, the
//! original document's rate limits (per IP, N per second, a two-minute suspension after a
//! refusal), signed webhook pushes, fault injection, and admin routes under `/_sim/`; and the
//! nine v4 endpoints under `/v4/` on the same account (a tracking created through either
//! generation is seen through the other, with one 32-hex id), with v4's envelope (the outcome
//! mirrored into the HTTP status), its codes and messages, its limits (10 per second, 3 for
//! create, keyed per API key), the official SDKs' quirks tolerated, and v4 webhook pushes
//! signed with a webhook secret. Where the v4 reference is unsure, [`V4Config`] chooses.
//! The OpenAPI descriptions of both generations (`openapi/` at the workspace root) are served
//! at `/_sim/openapi/{v2,v4}.{json,yaml}` with `servers` naming this simulator.
//!
//! It must not know the client crates, tm-types included: it parses requests and renders
//! responses with its own code, so a misspelt key in the client's model cannot be mirrored
//! here and pass. A test holds its bodies against the real captures.
//!
//! Files: `builder.rs` and `handle.rs` (starting and running), `http.rs` (the request pipeline
//! and faults), `admin.rs` (`/_sim`), `state.rs` (shared state and the store's transactions),
//! `limits.rs` (rate limits), `store.rs` (the account), `db.rs` (the account in a SQLite
//! database, shared by every process that opens it), `journey.rs` (how parcels move),
//! `catalogue.rs` (carriers), `json.rs` (ordered JSON, envelopes, PHP escapes), `v2/` and
//! `v4/` (routes, parameters, rendering), `openapi.rs` (the served descriptions),
//! `webhook.rs`, `clock.rs`, `faults.rs`, `config.rs`.
//!
//! ## Features
//! - `webhooks`: POST status changes to a URL (reqwest).
//! - `redis`: share the rate limits with every simulator using one Redis (tm-redis).
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tm_sim::{ClockMode, Simulator};
//!
//! let sim = Simulator::builder().seed(7).clock(ClockMode::Manual).start().await?;
//! let http = reqwest::Client::new();
//! let body = r#"{"tracking_number": "RN123456789CN", "carrier_code": "china-post"}"#;
//! let response = http
//!     .post(format!("{}/trackings/post", sim.base_url()))
//!     .header("Trackingmore-Api-Key", "any-key")
//!     .body(body)
//!     .send().await?;
//! let created: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
//! assert_eq!(created["meta"]["code"], 200);
//! sim.advance(Duration::from_secs(30 * 86_400)); // a month later the parcel has moved
//! # Ok(()) }
//! ```
//!
//! Admin routes: `GET|POST /_sim/clock`, `POST /_sim/reset`, `GET|PUT|DELETE /_sim/faults`,
//! `GET /_sim/stats`, `GET /_sim/webhooks`, `POST /_sim/save` (`GET /_sim` lists them).

mod admin;
mod builder;
mod catalogue;
mod clock;
mod config;
mod db;
mod faults;
mod handle;
mod http;
mod journey;
mod json;
mod limits;
mod openapi;
mod state;
mod store;
mod v2;
mod v4;
mod webhook;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use builder::{Simulator, SimulatorBuilder};
pub use clock::ClockMode;
pub use config::{
    ErrorData, ExistsData, FlightInfoForm, LimitScope, OverLimitStyle, SignatureScheme, SimConfig,
    V4Config, WebhookTarget, WebhookVersion, default_limits, default_server_limits,
};
pub use db::{Reset, backup_name, is_legacy_json as is_legacy_state, reset_file as reset_state};
pub use faults::{Fault, FaultPlan, ScriptedFault};
pub use handle::SimHandle;
pub use json::php_escape;
pub use openapi::{OPENAPI_V2_YAML, OPENAPI_V4_YAML};
pub use state::Stats;
pub use webhook::{Delivery, sign as webhook_signature, sign_v4 as webhook_signature_v4};

/// The v2 meta codes the original document lists (and 202, which a real capture shows), each
/// with the `type` and message the simulator answers it with.
pub fn v2_meta_codes() -> impl Iterator<Item = (u32, &'static str, &'static str)> {
    v2::DOCUMENTED.iter().map(|&c| {
        let (kind, message) = v2::describe(c);
        (c, kind, message)
    })
}

/// The v4 meta codes of the reference, each with the HTTP status and message the simulator
/// answers it with.
pub fn v4_meta_codes() -> impl Iterator<Item = (u32, u16, &'static str)> {
    v4::DOCUMENTED.iter().map(|&c| {
        let (status, message) = v4::describe(c);
        (c, status, message)
    })
}

/// What kind of failure kept the simulator from keeping its state: the part of a
/// [`SimError::State`] a program can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateProblem {
    /// The disk (or the file system's quota) is full.
    Full,
    /// The file or its directory cannot be written.
    ReadOnly,
    /// Another process held the database's write lock for too long.
    Locked,
    /// The file is not a database, or is damaged.
    Damaged,
    /// A newer simulator wrote it.
    Newer,
    /// Anything else (an I/O error, say).
    Other,
}

impl StateProblem {
    /// The kind of an I/O error.
    pub fn from_io(e: &std::io::Error) -> StateProblem {
        match e.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                StateProblem::ReadOnly
            }
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                StateProblem::Full
            }
            _ => StateProblem::Other,
        }
    }
}

/// Why the simulator could not start or keep its state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The address could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The Redis URL for shared rate limits is not valid.
    #[error("{0}")]
    Redis(String),
    /// The state database could not be opened, read or written.
    #[error("state database {}: {message}", path.display())]
    State {
        /// The file.
        path: PathBuf,
        /// What kind of failure.
        problem: StateProblem,
        /// What failed.
        message: String,
    },
    /// An option needs a feature this build does not have.
    #[error("this simulator was built without the `{0}` feature")]
    FeatureDisabled(&'static str),
}

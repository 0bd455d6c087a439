//! # tm-conformance — recorded exchanges, replayed through two backends
//!
//! This layer owns the conformance suite: the fixture format of `fixtures/` (schema 1,
//! `schema.rs`), what a fixture may call and how (`call.rs`: every [`tm_core::Operation`]
//! by its name, plus the helpers built on operations), the normalised [`Outcome`] of a call
//! and two runners that must agree on it (`runners.rs`):
//!
//! - [`run_mock`]: `MockTransport`, no sockets, tokio's paused clock;
//! - [`run_wiremock`]: `ReqwestTransport` against a wiremock server on loopback, with a
//!   catch-all that names any unexpected request;
//!
//! the recorder of live calls (`record.rs`), and the corpus's own checks (`corpus.rs`, run by
//! `cargo xtask fixtures check`). A file `RecordingTransport` writes replays as it is: its
//! input is read back from the recorded request. [`openapi`] holds the fixtures' bodies and
//! the client's requests against the OpenAPI descriptions in `openapi/` (`cargo xtask
//! openapi check`); `tests/schemathesis.rs` fuzzes tm-sim from the same descriptions.
//!
//! It knows the client's public API and the wire format, nothing of their insides.

mod call;
pub mod corpus;
pub mod openapi;
mod record;
mod runners;
mod schema;

pub use call::{Call, Clients, error_kind, input_from_request, run_call};
pub use record::{Recording, record, record_with};
pub use runners::{
    Outcome, REPLAY_KEY, V2_PREFIX, V4_PREFIX, check, fixture_input, mock_client,
    normalise_request, prefix, replay_all, run_mock, run_wiremock,
};
pub use schema::{
    ClientSettings, Expect, ExpectedError, Fixture, FixtureFile, SCHEMA, fixtures_dir, glob_match,
    load_all,
};

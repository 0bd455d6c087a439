//! Fault injection: a script of faults, or faults drawn at random, for resilience tests.
//!
//! Faults of the first group replace the response *before* the request is handled (nothing
//! is applied); faults of the second group alter the response *after* it was handled (the
//! request was applied — the case a client must not repeat).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 500 with an envelope; not applied.
    Http500,
    /// HTTP 503 with an envelope; not applied.
    Http503,
    /// HTTP 429, with `Retry-After` seconds if given; not applied.
    Http429 {
        /// The `Retry-After` seconds.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// HTTP 200 with meta 429; not applied.
    Meta429,
    /// HTTP 200 with meta 503; not applied.
    Meta503,
    /// Any documented meta code with the document's text (4018, 402, 403, 409, 500, …), on
    /// HTTP 200 as v2 answers or on `http_status` if given; not applied.
    Meta {
        /// The meta code.
        code: u32,
        /// The HTTP status (default 200).
        #[serde(default)]
        http_status: Option<u16>,
    },
    /// HTTP 502 with an HTML page from a "proxy"; not applied.
    Html,
    /// HTTP 500 with an empty body; not applied.
    Empty,
    /// The response is held back this long; applied.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// HTTP 200 with a body that is not JSON; applied.
    MalformedJson,
    /// The body cut in half (with a matching Content-Length); applied.
    Truncated,
    /// The connection breaks half-way through the body; applied.
    Drop,
    /// The right body with `Content-Type: text/html`; applied.
    WrongContentType,
    /// A valid envelope padded to this many bytes; applied.
    Huge {
        /// Body size.
        bytes: usize,
    },
    /// Every object key `from` in the body renamed to `to`, order and escapes kept: the server
    /// renamed a field (schema drift), or a deliberately misspelt key for checking that a
    /// description of the API catches it; applied.
    RenameKey {
        /// The key as the API spells it, e.g. `tracking_number`.
        from: String,
        /// The key as the body will spell it.
        to: String,
    },
}

impl Fault {
    /// True for faults that answer instead of handling the request.
    pub fn replaces_handling(&self) -> bool {
        matches!(
            self,
            Fault::Http500
                | Fault::Http503
                | Fault::Http429 { .. }
                | Fault::Meta429
                | Fault::Meta503
                | Fault::Meta { .. }
                | Fault::Html
                | Fault::Empty
        )
    }
}

/// A fault for the next request whose path starts with `path` (any request if `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScriptedFault {
    /// Path prefix under `/v2`, e.g. `/trackings/post`.
    #[serde(default)]
    pub path: Option<String>,
    /// The fault.
    #[serde(flatten)]
    pub fault: Fault,
}

/// Which faults to inject.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FaultPlan {
    /// Faults used up in order, each by the first matching request.
    #[serde(default)]
    pub script: VecDeque<ScriptedFault>,
    /// Chance in `[0, 1]` that a request gets a random fault from `random`.
    #[serde(default)]
    pub probability: f64,
    /// The faults drawn at random.
    #[serde(default)]
    pub random: Vec<Fault>,
}

impl FaultPlan {
    /// The fault for a request to `path` (under `/v2`), using `draw` in `[0, 1)` twice for the
    /// random choice.
    pub fn next(&mut self, path: &str, mut draw: impl FnMut() -> f64) -> Option<Fault> {
        if let Some(i) = self
            .script
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| path.starts_with(p)))
        {
            return self.script.remove(i).map(|f| f.fault);
        }
        if self.probability > 0.0 && !self.random.is_empty() && draw() < self.probability {
            let i = ((draw() * self.random.len() as f64) as usize).min(self.random.len() - 1);
            return Some(self.random[i].clone());
        }
        None
    }
}

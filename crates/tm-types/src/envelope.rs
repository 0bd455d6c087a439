//! The `{meta, data}` envelope around every response of both generations; each generation
//! gives its own `meta` (`v2::Meta`, `v4::Meta`) and names the pair (`v2::Envelope<T>`).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A whole response: `{"meta": {...}, "data": ...}` with the generation's `M`eta.
///
/// ```
/// use tm_types::v2;
/// let env: v2::Envelope<Vec<u8>> = serde_json::from_str(r#"{"meta":{"code":200},"data":[1]}"#).unwrap();
/// assert_eq!(env.data, Some(vec![1]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T, M> {
    /// The outcome.
    pub meta: M,
    /// The payload; `None` when the key was missing or `null`.
    #[serde(default = "Option::default")]
    pub data: Option<T>,
}

/// An envelope whose `data` is left undecoded, borrowed from the body.
///
/// Decoding `meta` first lets a client tell an error (`data: []`) from a payload before it
/// commits to a type for `data`, without parsing the body twice.
#[derive(Debug, Deserialize)]
pub struct RawEnvelope<'a, M> {
    /// The outcome.
    pub meta: M,
    /// The raw JSON text of `data`, if present.
    #[serde(borrow, default)]
    pub data: Option<&'a RawValue>,
}

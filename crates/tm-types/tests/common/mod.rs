//! Shared by the wire tests of both generations: the round trip and snapshot check.
#![allow(dead_code)]

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The JSON path of the first difference between two values, if any.
pub fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(xv), Some(yv)) => {
                        if let Some(d) = first_difference(xv, yv, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    (xv, yv) => return Some(format!("{path}.{k}: {xv:?} vs {yv:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (xv, yv))| first_difference(xv, yv, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

/// Decodes `text` as `T` and checks that it re-encodes to the same JSON value.
pub fn round_trip<T: DeserializeOwned + Serialize + Debug>(name: &str, text: &str) -> T {
    let typed: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let original: Value = serde_json::from_str(text).unwrap();
    let back = serde_json::to_value(&typed).unwrap();
    if let Some(diff) = first_difference(&original, &back, "$") {
        panic!("{name}: the round trip changed the JSON at {diff}");
    }
    typed
}

/// Decodes `$text` as the expected type, checks the round trip ([`round_trip`]) and snapshots
/// the typed parse under `$name` (a macro, so that the snapshot belongs to the calling test).
macro_rules! check {
    ($name:expr, $text:expr $(,)?) => {{
        let typed = common::round_trip($name, $text);
        insta::assert_debug_snapshot!($name, typed);
        typed
    }};
}

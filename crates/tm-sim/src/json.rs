//! The simulator's JSON output: objects whose keys stay in the order they are written (the
//! real server's bodies have a fixed key order per endpoint, and a `serde_json::Map` would
//! sort them), the envelopes of both generations as derived structs, and PHP's escaping.

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON value that keeps its object keys in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(serde_json::Number),
    /// A string.
    Str(Cow<'static, str>),
    /// An array.
    Arr(Vec<J>),
    /// An object, keys in order.
    Obj(Obj),
    /// A value taken as it came (a field a client sent, echoed back).
    Raw(Value),
}

/// An object under construction: `Obj::new().with("id", …).with("status", …)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Obj(Vec<(Cow<'static, str>, J)>);

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj(Vec::new())
    }

    /// Appends `key`.
    #[must_use]
    pub fn with(mut self, key: &'static str, value: impl Into<J>) -> Obj {
        self.0.push((Cow::Borrowed(key), value.into()));
        self
    }

    /// Appends `key` only when `value` is `Some`.
    #[must_use]
    pub fn with_some(self, key: &'static str, value: Option<impl Into<J>>) -> Obj {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// The entries, in order.
    pub fn into_entries(self) -> Vec<(Cow<'static, str>, J)> {
        self.0
    }

    /// Appends `key` (pushing in place).
    pub fn push(&mut self, key: impl Into<Cow<'static, str>>, value: impl Into<J>) {
        self.0.push((key.into(), value.into()));
    }
}

impl J {
    /// A string from a static text.
    pub fn s(text: &'static str) -> J {
        J::Str(Cow::Borrowed(text))
    }

    /// `text`, or `null` for `None`.
    pub fn opt(text: Option<impl Into<String>>) -> J {
        text.map_or(J::Null, |t| J::Str(Cow::Owned(t.into())))
    }

    /// The JSON text.
    #[cfg(feature = "webhooks")]
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }
}

impl From<Obj> for J {
    fn from(o: Obj) -> J {
        J::Obj(o)
    }
}
impl From<Vec<J>> for J {
    fn from(v: Vec<J>) -> J {
        J::Arr(v)
    }
}
impl From<bool> for J {
    fn from(b: bool) -> J {
        J::Bool(b)
    }
}
impl From<i64> for J {
    fn from(n: i64) -> J {
        J::Num(n.into())
    }
}
impl From<u64> for J {
    fn from(n: u64) -> J {
        J::Num(n.into())
    }
}
impl From<usize> for J {
    fn from(n: usize) -> J {
        J::Num((n as u64).into())
    }
}
impl From<u32> for J {
    fn from(n: u32) -> J {
        J::Num(n.into())
    }
}
impl From<String> for J {
    fn from(s: String) -> J {
        J::Str(Cow::Owned(s))
    }
}
impl From<&'static str> for J {
    fn from(s: &'static str) -> J {
        J::Str(Cow::Borrowed(s))
    }
}
impl From<Value> for J {
    fn from(v: Value) -> J {
        J::Raw(v)
    }
}
impl<T: Into<J>> From<Option<T>> for J {
    fn from(v: Option<T>) -> J {
        v.map_or(J::Null, Into::into)
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => s.serialize_none(),
            J::Bool(b) => s.serialize_bool(*b),
            J::Num(n) => n.serialize(s),
            J::Str(t) => s.serialize_str(t),
            J::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            J::Obj(o) => o.serialize(s),
            J::Raw(v) => v.serialize(s),
        }
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// v2's `meta`: code, type, message, in that order.
#[derive(Debug, Serialize)]
pub struct MetaV2<'a> {
    /// The meta code.
    pub code: u32,
    /// The documented type (`Success`, `Bad Request`, …).
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The message.
    pub message: &'a str,
}

/// v2's envelope: `meta` before `data`, as every capture has them.
#[derive(Debug, Serialize)]
pub struct EnvelopeV2<'a> {
    /// The outcome.
    pub meta: MetaV2<'a>,
    /// The payload (`[]` on errors).
    pub data: &'a J,
}

/// A text value of a JSON body: strings as they are, numbers and booleans as written (the
/// official SDKs send strings; other clients send numbers); `None` for anything else, so an
/// object sent where text belongs is never echoed back as an object.
pub fn text_of(body: &Value, key: &str) -> Option<String> {
    match body.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Escapes `/` as `\/` and non-ASCII as `\uXXXX`, as PHP's `json_encode` does. Both can only
/// occur inside strings in JSON text, so the whole text can be rewritten.
pub fn php_escape(json: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    for c in json.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_envelopes_put_meta_first() {
        let data = J::from(Obj::new().with("zeta", 1u64).with("alpha", "a/é"));
        let text = serde_json::to_string(&EnvelopeV2 {
            meta: MetaV2 {
                code: 200,
                kind: "Success",
                message: "Success",
            },
            data: &data,
        })
        .unwrap();
        assert_eq!(
            text,
            r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":{"zeta":1,"alpha":"a/é"}}"#
        );
        assert!(
            php_escape(&text).ends_with(r#""data":{"zeta":1,"alpha":"a\/\u00e9"}}"#),
            "{}",
            php_escape(&text)
        );
    }
}

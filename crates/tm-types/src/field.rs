//! Building blocks for lenient, lossless wire fields.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Fields a type does not model, kept verbatim so that they survive a decode/encode round trip.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// One field of a response object as it was on the wire: absent, `null`, or a value.
///
/// The v2 API mixes all three for the same key (`destination_info` is an object, `null`, or
/// missing depending on the endpoint and the year), and a simulator or a proxy that re-emits a
/// body needs to keep them apart. Most callers only want [`Field::value`].
///
/// ```
/// use tm_types::Field;
/// let title: Field<String> = serde_json::from_str("null").unwrap();
/// assert!(title.is_null());
/// assert_eq!(title.value(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Field<T> {
    /// The key was not in the object.
    #[default]
    Absent,
    /// The key was present with the value `null`.
    Null,
    /// The key was present with a value.
    Value(T),
}

impl<T> Field<T> {
    /// The value, if the field held one.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value by mutable reference, if the field held one.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Consumes the field and returns its value, if any.
    pub fn into_value(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// True when the key was missing from the object.
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// True when the key was present with `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    /// True when the field holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Field::Value(_))
    }

    /// Maps the value, keeping absent and null apart.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(f(v)),
        }
    }
}

impl<T: std::ops::Deref> Field<T> {
    /// The value through `Deref`, e.g. `Option<&str>` for a `Field<String>`.
    pub fn as_deref(&self) -> Option<&T::Target> {
        self.value().map(|v| &**v)
    }
}

impl<T> From<T> for Field<T> {
    fn from(v: T) -> Self {
        Field::Value(v)
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `None` becomes `null` on the wire.
    fn from(v: Option<T>) -> Self {
        v.map_or(Field::Null, Field::Value)
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(v) => v.serialize(s),
            Field::Null | Field::Absent => s.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Field::from)
    }
}

/// How a wire-struct field behaves when its key is missing, and whether it is written back.
///
/// Implemented for [`Field`] (missing is fine and is not written back) and for the few types
/// the API always sends (missing is a decode error naming the key).
pub trait WireField: Sized {
    /// The value to use when the key is missing, or the error for a required key.
    fn missing<E: de::Error>(key: &'static str) -> Result<Self, E>;
    /// True when the field must be left out on serialize.
    fn is_absent(&self) -> bool {
        false
    }
}

impl<T> WireField for Field<T> {
    fn missing<E: de::Error>(_key: &'static str) -> Result<Self, E> {
        Ok(Field::Absent)
    }
    fn is_absent(&self) -> bool {
        Field::is_absent(self)
    }
}

impl WireField for String {
    fn missing<E: de::Error>(key: &'static str) -> Result<Self, E> {
        Err(E::missing_field(key))
    }
}

/// A value the API sends as a JSON number in some places or years and as a string in others
/// (`total: "3"`, `order_create_time: 0`, `regtime: "1469097290"`).
///
/// The original form is kept so that re-serialising gives back the same JSON.
///
/// ```
/// use tm_types::NumberOrString;
/// let total: NumberOrString = serde_json::from_str("\"56\"").unwrap();
/// assert_eq!(total.as_u64(), Some(56));
/// assert_eq!(serde_json::to_string(&total).unwrap(), "\"56\"");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum NumberOrString {
    /// Sent as a JSON number.
    Number(serde_json::Number),
    /// Sent as a JSON string.
    String(String),
}

impl NumberOrString {
    /// The value as an unsigned integer: a non-negative integral number, or a string holding
    /// one (surrounding whitespace allowed).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            NumberOrString::Number(n) => n.as_u64(),
            NumberOrString::String(s) => s.trim().parse().ok(),
        }
    }

    /// The value as a signed integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            NumberOrString::Number(n) => n.as_i64(),
            NumberOrString::String(s) => s.trim().parse().ok(),
        }
    }

    /// The value as a float, for balances and percentages.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            NumberOrString::Number(n) => n.as_f64(),
            NumberOrString::String(s) => s.trim().parse().ok(),
        }
    }
}

impl fmt::Display for NumberOrString {
    /// The decimal text: a number as JSON writes it, a string as it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberOrString::Number(n) => fmt::Display::fmt(n, f),
            NumberOrString::String(s) => f.write_str(s),
        }
    }
}

impl From<u64> for NumberOrString {
    fn from(v: u64) -> Self {
        NumberOrString::Number(v.into())
    }
}

impl From<i64> for NumberOrString {
    fn from(v: i64) -> Self {
        NumberOrString::Number(v.into())
    }
}

impl From<String> for NumberOrString {
    fn from(v: String) -> Self {
        NumberOrString::String(v)
    }
}

impl From<&str> for NumberOrString {
    fn from(v: &str) -> Self {
        NumberOrString::String(v.to_owned())
    }
}

impl Serialize for NumberOrString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberOrString::Number(n) => n.serialize(s),
            NumberOrString::String(v) => s.serialize_str(v),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumberOrString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(NumberOrString::Number(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(NumberOrString::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                serde_json::Number::from_f64(v)
                    .map(NumberOrString::Number)
                    .ok_or_else(|| E::custom("number is not finite"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(NumberOrString::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(NumberOrString::String(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean as a PHP server may send it: `true`/`false`, `1`/`0`, `"1"`/`"0"`,
/// `"true"`/`"false"`; `null` and `""` are null. Read into a [`Field<bool>`].
///
/// ```
/// use tm_types::{Field, field::LenientBool};
/// for (text, want) in [("true", Field::Value(true)), ("\"0\"", Field::Value(false)), ("1", Field::Value(true)), ("\"\"", Field::Null)] {
///     let got: LenientBool = serde_json::from_str(text).unwrap();
///     assert_eq!(Field::from(got), want, "{text}");
/// }
/// assert!(serde_json::from_str::<LenientBool>("\"maybe\"").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LenientBool(pub Option<bool>);

impl From<LenientBool> for Field<bool> {
    fn from(v: LenientBool) -> Self {
        v.0.into()
    }
}

impl<'de> Deserialize<'de> for LenientBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean, 0 or 1, or one of them as a string")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<LenientBool, E> {
                Ok(LenientBool(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientBool, E> {
                match v {
                    0 | 1 => Ok(LenientBool(Some(v == 1))),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientBool, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientBool, E> {
                match v.trim().to_ascii_lowercase().as_str() {
                    "" => Ok(LenientBool(None)),
                    "1" | "true" => Ok(LenientBool(Some(true))),
                    "0" | "false" => Ok(LenientBool(Some(false))),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientBool, E> {
                Ok(LenientBool(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientBool, E> {
                Ok(LenientBool(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// An integer as a PHP server may send it: a number (a float only when it is whole) or a
/// numeric string; `null` and `""` are null. Read into a [`Field<i64>`].
///
/// ```
/// use tm_types::{Field, field::LenientInt};
/// for (text, want) in [("3", Field::Value(3)), ("\" 12 \"", Field::Value(12)), ("4.0", Field::Value(4)), ("null", Field::Null)] {
///     let got: LenientInt = serde_json::from_str(text).unwrap();
///     assert_eq!(Field::from(got), want, "{text}");
/// }
/// assert!(serde_json::from_str::<LenientInt>("\"three\"").is_err());
/// assert!(serde_json::from_str::<LenientInt>("2.5").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LenientInt(pub Option<i64>);

impl From<LenientInt> for Field<i64> {
    fn from(v: LenientInt) -> Self {
        v.0.into()
    }
}

impl<'de> Deserialize<'de> for LenientInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientInt;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer, or one as a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientInt, E> {
                Ok(LenientInt(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientInt, E> {
                i64::try_from(v)
                    .map(|v| LenientInt(Some(v)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientInt, E> {
                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                    Ok(LenientInt(Some(v as i64)))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientInt, E> {
                let t = v.trim();
                if t.is_empty() {
                    return Ok(LenientInt(None));
                }
                t.parse()
                    .map(|n| LenientInt(Some(n)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientInt, E> {
                Ok(LenientInt(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LenientInt, E> {
                Ok(LenientInt(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a numeric code sent as a JSON number or a string of digits (the `code_enum!` types).
pub(crate) fn deserialize_code<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a meta code (a non-negative integer)")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::custom(format_args!("meta code {v} is out of range")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::custom(format_args!("meta code {v} is out of range")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
            v.trim()
                .parse()
                .map_err(|_| E::custom(format_args!("meta code {v:?} is not a number")))
        }
    }
    d.deserialize_any(V)
}

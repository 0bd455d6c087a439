//! Code generation for wire objects and string enums.
//!
//! Response objects get a hand-rolled `Deserialize` instead of `#[serde(flatten)]` for their
//! unknown fields: flatten buffers every field into an intermediate tree first, which costs
//! several times the decode speed on large list pages. Here each key is matched once and only
//! unknown keys are collected.

/// Declares a response object: named fields with their exact wire keys, plus `extra` for keys
/// this version does not know. Absent [`Field`](crate::Field)s are not written back. A field
/// declared `… : Field<bool> as LenientBool` is read through that type (which converts into
/// the field's type), for keys a PHP server sends in more than one JSON type.
macro_rules! wire_struct {
    (@value $access:ident, $ty:ty) => {
        $access.next_value::<$ty>()?
    };
    (@value $access:ident, $ty:ty, $via:ty) => {
        <$ty>::from($access.next_value::<$via>()?)
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $wire:literal => $field:ident : $ty:ty $(as $via:ty)?,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
            /// Keys this version does not model, kept verbatim and written back on serialize.
            pub extra: $crate::Extra,
        }

        impl $name {
            /// The wire keys this type models, in declaration order.
            pub const WIRE_KEYS: &'static [&'static str] = &[$($wire),*];
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut __map = s.serialize_map(None)?;
                $(
                    if !$crate::field::WireField::is_absent(&self.$field) {
                        __map.serialize_entry($wire, &self.$field)?;
                    }
                )*
                for (__k, __v) in &self.extra {
                    __map.serialize_entry(__k, __v)?;
                }
                __map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[allow(non_camel_case_types)]
                enum __Key {
                    $($field,)*
                    __Other(String),
                }
                struct __KeyVisitor;
                impl ::serde::de::Visitor<'_> for __KeyVisitor {
                    type Value = __Key;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a field name")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<__Key, E> {
                        Ok(match v {
                            $($wire => __Key::$field,)*
                            other => __Key::__Other(other.to_owned()),
                        })
                    }
                }
                impl<'de> ::serde::Deserialize<'de> for __Key {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        d.deserialize_identifier(__KeyVisitor)
                    }
                }

                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut __access: A,
                    ) -> Result<$name, A::Error> {
                        $( let mut $field: Option<$ty> = None; )*
                        let mut __extra = $crate::Extra::new();
                        while let Some(__key) = __access.next_key::<__Key>()? {
                            match __key {
                                $(
                                    __Key::$field => {
                                        if $field.is_some() {
                                            return Err(::serde::de::Error::duplicate_field($wire));
                                        }
                                        $field = Some(wire_struct!(@value __access, $ty $(, $via)?));
                                    }
                                )*
                                __Key::__Other(__k) => {
                                    let __v: ::serde_json::Value = __access.next_value()?;
                                    if __extra.contains_key(&__k) {
                                        return Err(::serde::de::Error::custom(
                                            format_args!("duplicate field `{__k}`"),
                                        ));
                                    }
                                    __extra.insert(__k, __v);
                                }
                            }
                        }
                        Ok($name {
                            $(
                                $field: match $field {
                                    Some(v) => v,
                                    None => $crate::field::WireField::missing($wire)?,
                                },
                            )*
                            extra: __extra,
                        })
                    }
                }
                d.deserialize_map(__Visitor)
            }
        }
    };
}

/// Declares a string enum whose unknown values are kept in `Unknown(String)`, with `as_str`,
/// `FromStr`, `Display` and serde all going through the same table.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )*
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in documentation order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(s) => s,
                }
            }

            /// True unless this is [`Self::Unknown`].
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }

            /// The known value for `s`, if there is one (exact, case-sensitive match).
            pub fn known(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The known value for `s` compared without regard to ASCII case (`InfoReceived`
            /// reads as `inforeceived`): how values are read from the wire.
            pub fn known_ignoring_case(s: &str) -> Option<Self> {
                Self::known(s).or_else(|| {
                    Self::KNOWN
                        .iter()
                        .find(|k| k.as_str().eq_ignore_ascii_case(s))
                        .cloned()
                })
            }

            fn from_owned(s: String) -> Self {
                Self::known_ignoring_case(&s).unwrap_or($name::Unknown(s))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            /// Never fails: a value this version does not know becomes `Unknown`; known values
            /// match without regard to ASCII case.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::known_ignoring_case(s).unwrap_or_else(|| $name::Unknown(s.to_owned())))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct __V;
                impl ::serde::de::Visitor<'_> for __V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::known_ignoring_case(v).unwrap_or_else(|| $name::Unknown(v.to_owned())))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::from_owned(v))
                    }
                    // PHP-era clients send `"status": 4` as often as `"4"`.
                    fn visit_u64<E: ::serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        Ok($name::from_owned(v.to_string()))
                    }
                    fn visit_i64<E: ::serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        Ok($name::from_owned(v.to_string()))
                    }
                }
                d.deserialize_any(__V)
            }
        }
    };
}

/// Generates a chained setter per optional field, for fields set from a plain value
/// (numbers, flags) where `impl Into` would defeat integer-literal inference.
macro_rules! value_setters {
    ($ty:ident { $( $(#[$doc:meta])* $field:ident : $val:ty ),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $field(mut self, value: $val) -> Self {
                    self.$field = Some(value);
                    self
                }
            )*
        }
    };
}

/// Generates a chained setter per optional field.
/// `field in part: Type` sets a field of a flattened part.
macro_rules! setters {
    ($ty:ident { $( $(#[$doc:meta])* $field:ident $(in $part:ident)? : $val:ty ),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $field(mut self, value: impl Into<$val>) -> Self {
                    self$(.$part)?.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// `to_query` and `from_query` of a filter, through serde.
macro_rules! query_string {
    ($ty:ident) => {
        impl $ty {
            /// The query string pairs, in the fields' order, unset filters left out.
            pub fn to_query(&self) -> $crate::QueryPairs {
                $crate::query::to_pairs(self)
            }

            /// Reads the query string pairs back. Unknown parameters are ignored, as the API
            /// does; a value that does not read names its parameter.
            pub fn from_query<'a, I>(pairs: I) -> Result<Self, $crate::QueryError>
            where
                I: IntoIterator<Item = (&'a str, &'a str)>,
            {
                $crate::query::from_pairs(pairs)
            }
        }
    };
}

/// Declares a numeric code enum (`meta.code`): a variant per documented code, `Other(u32)` for
/// the rest, and per code a tuple of documented facts (`info()`). Display, `FromStr`, `From<u32>`
/// and serde (a number, or a string of digits) all go through the same table.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $info:ty {
            $( $(#[$doc:meta])* $variant:ident = $code:literal => $facts:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$doc])* $variant, )*
            /// A code this version does not know, kept as sent.
            Other(u32),
        }

        impl $name {
            /// Every code this version knows, in the order of the documentation's table.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The code for a number; unknown numbers become `Other`.
            pub fn from_code(code: u32) -> Self {
                match code {
                    $($code => $name::$variant,)*
                    other => $name::Other(other),
                }
            }

            /// The numeric code as sent on the wire.
            pub fn code(self) -> u32 {
                match self {
                    $($name::$variant => $code,)*
                    $name::Other(c) => c,
                }
            }

            /// What the documentation states about this code (`None` for `Other`).
            fn info(self) -> Option<$info> {
                match self {
                    $($name::$variant => Some($facts),)*
                    $name::Other(_) => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.code())
            }
        }

        impl From<u32> for $name {
            fn from(code: u32) -> Self {
                $name::from_code(code)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;
            /// Parses the decimal code; any number is accepted, unknown ones become `Other`.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<u32>().map($name::from_code)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u32(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            /// Accepts a JSON number or a string of digits.
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::field::deserialize_code(d).map($name::from_code)
            }
        }

        impl $crate::field::WireField for $name {
            fn missing<E: ::serde::de::Error>(key: &'static str) -> Result<Self, E> {
                Err(E::missing_field(key))
            }
        }
    };
}

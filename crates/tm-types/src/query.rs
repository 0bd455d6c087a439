//! Query strings of both generations' filters, through serde_urlencoded (so the wire names are
//! the serde names the JSON bodies use too), and comma-separated lists.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A query parameter that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The parameter.
    pub param: String,
    /// What was wrong.
    pub reason: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query parameter `{}`: {}", self.param, self.reason)
    }
}

impl std::error::Error for QueryError {}

/// Query string pairs in order: a name (static where the type knows it, so it is not copied
/// per request) and a value, not yet percent-encoded.
pub type QueryPairs = Vec<(Cow<'static, str>, String)>;

/// `filter` as query pairs, through serde (its fields are scalars; lists are joined by
/// `csv_list`), so the wire names are the serde names.
pub(crate) fn to_pairs<T: Serialize>(filter: &T) -> QueryPairs {
    let text = serde_urlencoded::to_string(filter)
        .unwrap_or_else(|e| unreachable!("a filter of scalars always encodes: {e}"));
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&text)
        .unwrap_or_else(|e| unreachable!("pairs just encoded decode: {e}"));
    pairs.into_iter().map(|(k, v)| (Cow::Owned(k), v)).collect()
}

/// A filter read back from query pairs through serde, naming the parameter that failed.
pub(crate) fn from_pairs<'a, T, I>(pairs: I) -> Result<T, QueryError>
where
    T: serde::de::DeserializeOwned,
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| QueryError {
        param: e.path().to_string(),
        reason: e.inner().to_string(),
    })
}

/// Comma-separated lists in a JSON body, read back from a string or an array.
pub(crate) mod csv_list {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.join(","))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum List {
            Csv(String),
            Array(Vec<String>),
        }
        Ok(match Option::<List>::deserialize(d)? {
            None => Vec::new(),
            Some(List::Csv(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(List::Array(v)) => v,
        })
    }
}

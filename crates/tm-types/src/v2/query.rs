//! The query filters of the listing and counting endpoints, and their query strings (through
//! serde_urlencoded, so the wire names are the serde names the JSON bodies use too).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::TrackingStatus;

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

/// `to_query` and `from_query` of a filter, through serde.
macro_rules! query_string {
    ($ty:ident) => {
        impl $ty {
            /// The query string pairs, in the fields' order, unset filters left out.
            pub fn to_query(&self) -> Vec<(String, String)> {
                to_pairs(self)
            }

            /// Reads the query string pairs back. Unknown parameters are ignored, as the API
            /// does; a value that does not read names its parameter.
            pub fn from_query<'a, I>(pairs: I) -> Result<Self, QueryError>
            where
                I: IntoIterator<Item = (&'a str, &'a str)>,
            {
                from_pairs(pairs)
            }
        }
    };
}

/// `filter` as query pairs, through serde (its fields are scalars; lists are joined by
/// `csv_list`), so the wire names are the serde names.
fn to_pairs<T: Serialize>(filter: &T) -> Vec<(String, String)> {
    let text = serde_urlencoded::to_string(filter)
        .unwrap_or_else(|e| unreachable!("a filter of scalars always encodes: {e}"));
    serde_urlencoded::from_str(&text)
        .unwrap_or_else(|e| unreachable!("pairs just encoded decode: {e}"))
}

/// A filter read back from query pairs through serde, naming the parameter that failed.
fn from_pairs<'a, T, I>(pairs: I) -> Result<T, QueryError>
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

/// Filters and paging of `GET /trackings/get`. Time windows are Unix seconds.
///
/// ```
/// use tm_types::{ListTrackingsRequest, TrackingStatus};
/// let req = ListTrackingsRequest::default().status(TrackingStatus::Transit).limit(2000);
/// assert_eq!(req.to_query(), vec![("limit".into(), "2000".into()), ("status".into(), "transit".into())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListTrackingsRequest {
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size, at most 2000 (server default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Only trackings in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TrackingStatus>,
    /// Created at or after (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_min: Option<i64>,
    /// Created at or before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_max: Option<i64>,
    /// Updated at or after (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time_min: Option<i64>,
    /// Updated at or before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time_max: Option<i64>,
    /// Order created at or after (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_min: Option<i64>,
    /// Order created at or before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_max: Option<i64>,
    /// Response language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Only these tracking numbers (at most 40), sent comma-separated.
    #[serde(default, with = "csv_list", skip_serializing_if = "Vec::is_empty")]
    pub numbers: Vec<String>,
    /// Only these order ids (at most 40), sent comma-separated.
    #[serde(default, with = "csv_list", skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<String>,
    /// `Some(true)` archived only, `Some(false)` unarchived only, `None` both.
    #[serde(
        default,
        with = "crate::requests::archived_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub archived: Option<bool>,
}

/// Comma-separated lists in a JSON body, read back from a string or an array.
mod csv_list {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.join(","))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
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

setters!(ListTrackingsRequest {
    /// Sets `status`.
    status: TrackingStatus,
    /// Sets `lang`.
    lang: String,
});

value_setters!(ListTrackingsRequest {
    /// Sets `page`.
    page: u32,
    /// Sets `limit` (at most 2000).
    limit: u32,
    /// Sets `created_at_min` (Unix seconds).
    created_at_min: i64,
    /// Sets `created_at_max` (Unix seconds).
    created_at_max: i64,
    /// Sets `update_time_min` (Unix seconds).
    update_time_min: i64,
    /// Sets `update_time_max` (Unix seconds).
    update_time_max: i64,
    /// Sets `order_created_time_min` (Unix seconds).
    order_created_time_min: i64,
    /// Sets `order_created_time_max` (Unix seconds).
    order_created_time_max: i64,
    /// Sets `archived`.
    archived: bool,
});

impl ListTrackingsRequest {
    /// Sets the `numbers` filter.
    #[must_use]
    pub fn numbers<I, S>(mut self, numbers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.numbers = numbers.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the `orders` filter.
    #[must_use]
    pub fn orders<I, S>(mut self, orders: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.orders = orders.into_iter().map(Into::into).collect();
        self
    }
}

query_string!(ListTrackingsRequest);

/// Filters of `GET /trackings/getstatusnumber` (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusCountRequest {
    /// Created at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_min: Option<i64>,
    /// Created at or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at_max: Option<i64>,
    /// Order created at or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_min: Option<i64>,
    /// Order created at or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_created_time_max: Option<i64>,
}

value_setters!(StatusCountRequest {
    /// Sets `created_at_min`.
    created_at_min: i64,
    /// Sets `created_at_max`.
    created_at_max: i64,
    /// Sets `order_created_time_min`.
    order_created_time_min: i64,
    /// Sets `order_created_time_max`.
    order_created_time_max: i64,
});

query_string!(StatusCountRequest);

//! The query filters of v2's listing and counting endpoints.

use serde::{Deserialize, Serialize};

use super::TrackingStatus;

/// Filters and paging of `GET /trackings/get`. Time windows are Unix seconds.
///
/// ```
/// use tm_types::v2::{ListTrackingsRequest, TrackingStatus};
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
    #[serde(
        default,
        with = "crate::query::csv_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub numbers: Vec<String>,
    /// Only these order ids (at most 40), sent comma-separated.
    #[serde(
        default,
        with = "crate::query::csv_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub orders: Vec<String>,
    /// `Some(true)` archived only, `Some(false)` unarchived only, `None` both.
    #[serde(
        default,
        with = "super::requests::archived_flag",
        skip_serializing_if = "Option::is_none"
    )]
    pub archived: Option<bool>,
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

//! Parsing the API's two timestamp styles.

use chrono::{DateTime, FixedOffset, NaiveDateTime};

/// Naive local formats seen in `Date`, `lastUpdateTime`, milestones and `order_create_time`
/// (v2), and in v4's `checkpoint_date` and milestone dates (with a `T`, or a space in v3-era
/// data).
const NAIVE_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
];

/// Parses a naive local timestamp: `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS]` (also
/// with `/` separators, as in the v2 documentation's `order_create_time` example).
///
/// ```
/// let t = tm_types::time::parse_naive("2018-04-17 22:30").unwrap();
/// assert_eq!(t.to_string(), "2018-04-17 22:30:00");
/// let v4 = tm_types::time::parse_naive("2023-09-15T15:00:00").unwrap();
/// assert_eq!(v4.to_string(), "2023-09-15 15:00:00");
/// assert!(tm_types::time::parse_naive("yesterday").is_none());
/// ```
pub fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NAIVE_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// Parses a record timestamp (`created_at`, `updated_at`): ISO-8601 with an offset, such as
/// `2017-07-05T10:00:50+00:00`.
pub fn parse_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

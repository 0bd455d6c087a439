//! Putting caller values into URL paths safely, and the checks every call makes before sending.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, Result};

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A percent-encoded path segment; nothing in `value` can change the path or the query.
pub(crate) fn segment<'a>(field: &'static str, value: &'a str) -> Result<Cow<'a, str>> {
    require(field, value)?;
    // URL parsers resolve `.` and `..` (even percent-encoded) as path navigation.
    if value == "." || value == ".." {
        return Err(Error::invalid(
            field,
            format!("{value:?} cannot be used in a URL path"),
        ));
    }
    // Borrowed when nothing needs escaping, as with most carrier codes and numbers.
    Ok(utf8_percent_encode(value, SEGMENT).into())
}

/// Rejects an empty (or blank) required value before sending.
pub(crate) fn require(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}

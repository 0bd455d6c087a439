//! Response headers that a backend hands over without copying them.

use std::borrow::Cow;
use std::fmt;

/// The headers of an [`HttpResponse`](crate::HttpResponse): names in lower case, every value
/// kept (a value that is not UTF-8 included), repeated names allowed.
///
/// A backend passes its HTTP library's header map in as it is, so a response costs no copy of
/// its headers; headers built by hand (mocks, fixtures) are plain owned pairs. Both read the
/// same way.
///
/// ```
/// use tm_transport::ResponseHeaders;
/// let mut headers = ResponseHeaders::new();
/// headers.append("Retry-After", "120");
/// headers.append("set-cookie", "a=1");
/// headers.append("set-cookie", "b=2");
/// assert_eq!(headers.get("retry-after"), Some("120"));
/// assert_eq!(headers.get_all("SET-COOKIE").collect::<Vec<_>>(), ["a=1", "b=2"]);
/// assert_eq!(headers.len(), 3);
/// ```
#[derive(Clone, Default)]
pub struct ResponseHeaders(Repr);

/// Headers built by hand: (name in lower case, value) in order.
type Pairs = Vec<(String, String)>;

#[derive(Clone)]
enum Repr {
    Owned(Pairs),
    #[cfg(feature = "reqwest")]
    Wire(reqwest::header::HeaderMap),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Owned(Vec::new())
    }
}

/// Text of a header value: borrowed when it is UTF-8; otherwise the bytes are kept with
/// replacement characters marking what is not text.
#[cfg(feature = "reqwest")]
fn text(value: &reqwest::header::HeaderValue) -> Cow<'_, str> {
    String::from_utf8_lossy(value.as_bytes())
}

impl ResponseHeaders {
    /// No headers.
    pub fn new() -> Self {
        ResponseHeaders::default()
    }

    /// Appends a header (the name is stored in lower case); earlier values of the name stay.
    /// A library map becomes owned pairs first: only hand-built responses are changed after
    /// they are made.
    // Without reqwest there is only the one form.
    #[cfg_attr(
        not(feature = "reqwest"),
        allow(clippy::infallible_destructuring_match)
    )]
    pub fn append(&mut self, name: &str, value: impl Into<String>) {
        let mut pairs = match std::mem::take(&mut self.0) {
            Repr::Owned(pairs) => pairs,
            #[cfg(feature = "reqwest")]
            Repr::Wire(map) => map
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), text(v).into_owned()))
                .collect(),
        };
        pairs.push((name.to_ascii_lowercase(), value.into()));
        self.0 = Repr::Owned(pairs);
    }

    /// The first value of `name` (case-insensitive). A value that is not UTF-8 is not read
    /// as text here; [`ResponseHeaders::iter`] still shows it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name).next()
    }

    /// Every UTF-8 value of `name` (case-insensitive), in order.
    pub fn get_all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        let (owned, wire) = self.parts();
        let owned = owned
            .into_iter()
            .flatten()
            .filter_map(move |(n, v)| n.eq_ignore_ascii_case(name).then_some(v.as_str()));
        #[cfg(feature = "reqwest")]
        // The map reads `name` in any case without allocating.
        let wire = wire
            .into_iter()
            .flat_map(move |map| map.get_all(name))
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok());
        #[cfg(not(feature = "reqwest"))]
        let wire = wire.into_iter();
        owned.chain(wire)
    }

    /// Every header as (name, value); a value that is not UTF-8 shows replacement
    /// characters where its bytes are not text.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Cow<'_, str>)> {
        let (owned, wire) = self.parts();
        let owned = owned
            .into_iter()
            .flatten()
            .map(|(n, v)| (n.as_str(), Cow::Borrowed(v.as_str())));
        #[cfg(feature = "reqwest")]
        let wire = wire
            .into_iter()
            .flat_map(|map| map.iter())
            .map(|(n, v)| (n.as_str(), text(v)));
        #[cfg(not(feature = "reqwest"))]
        let wire = wire.into_iter();
        owned.chain(wire)
    }

    /// The representation as two options, exactly one of them set: iterators over both chain
    /// without boxing.
    #[cfg(feature = "reqwest")]
    fn parts(&self) -> (Option<&Pairs>, Option<&reqwest::header::HeaderMap>) {
        match &self.0 {
            Repr::Owned(pairs) => (Some(pairs), None),
            Repr::Wire(map) => (None, Some(map)),
        }
    }

    #[cfg(not(feature = "reqwest"))]
    fn parts<T>(&self) -> (Option<&Pairs>, Option<T>) {
        let Repr::Owned(pairs) = &self.0;
        (Some(pairs), None)
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Owned(pairs) => pairs.len(),
            #[cfg(feature = "reqwest")]
            Repr::Wire(map) => map.len(),
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(feature = "reqwest")]
impl From<reqwest::header::HeaderMap> for ResponseHeaders {
    /// Takes the map as it is: no copy.
    fn from(map: reqwest::header::HeaderMap) -> Self {
        ResponseHeaders(Repr::Wire(map))
    }
}

impl From<Vec<(String, String)>> for ResponseHeaders {
    /// Pairs as given; names are put in lower case.
    fn from(mut pairs: Vec<(String, String)>) -> Self {
        for (name, _) in &mut pairs {
            name.make_ascii_lowercase();
        }
        ResponseHeaders(Repr::Owned(pairs))
    }
}

impl<N: AsRef<str>, V: Into<String>> FromIterator<(N, V)> for ResponseHeaders {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut headers = ResponseHeaders::new();
        for (name, value) in iter {
            headers.append(name.as_ref(), value);
        }
        headers
    }
}

impl PartialEq for ResponseHeaders {
    /// Equal when they hold the same headers in the same order, however each was built.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for ResponseHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_read_case_insensitively_and_kept_in_order() {
        let h = ResponseHeaders::from(vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("x-a".to_owned(), "1".to_owned()),
            ("X-A".to_owned(), "2".to_owned()),
        ]);
        assert_eq!(h.get("content-type"), Some("application/json"));
        assert_eq!(h.get_all("x-a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(h.iter().next().map(|(n, _)| n), Some("content-type"));
        assert_eq!(h.get("missing"), None);
    }

    #[cfg(feature = "reqwest")]
    #[test]
    fn a_library_map_reads_like_pairs_and_keeps_bytes_that_are_not_text() {
        use reqwest::header::{HeaderMap, HeaderValue};
        let mut map = HeaderMap::new();
        map.append("retry-after", HeaderValue::from_static("120"));
        map.append("x-a", HeaderValue::from_static("1"));
        map.append("x-a", HeaderValue::from_static("2"));
        map.append(
            "x-raw",
            HeaderValue::from_bytes(b"caf\xe9").expect("obs-text"),
        );
        let wire = ResponseHeaders::from(map);
        assert_eq!(wire.get("Retry-After"), Some("120"));
        assert_eq!(wire.get_all("X-A").collect::<Vec<_>>(), ["1", "2"]);
        // Not UTF-8: not text for `get`, kept with a replacement character by `iter`.
        assert_eq!(wire.get("x-raw"), None);
        let raw: Vec<_> = wire.iter().filter(|(n, _)| *n == "x-raw").collect();
        assert_eq!(raw, [("x-raw", Cow::Borrowed("caf\u{fffd}"))]);

        let owned: ResponseHeaders = [
            ("retry-after", "120"),
            ("x-a", "1"),
            ("x-a", "2"),
            ("x-raw", "caf\u{fffd}"),
        ]
        .into_iter()
        .collect();
        assert_eq!(wire, owned);

        // Appending to a library map keeps what it held.
        let mut grown = wire.clone();
        grown.append("X-B", "3");
        assert_eq!(grown.len(), 5);
        assert_eq!(grown.get("x-a"), Some("1"));
        assert_eq!(grown.get("x-b"), Some("3"));
    }
}

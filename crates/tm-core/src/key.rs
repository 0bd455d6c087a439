//! The API key: validated once, never printed.

use std::fmt;

use crate::error::ConfigError;

/// An API key. Its `Debug` prints `<redacted>`, it has no `Display`, and it is read only
/// through [`ApiKey::expose`].
///
/// ```
/// use tm_core::ApiKey;
/// let key = ApiKey::new("0123456789abcdef").unwrap();
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// assert!(ApiKey::new("has space").is_err());
/// assert!(ApiKey::new("line\nbreak").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Validates a key: non-empty, printable ASCII without whitespace (anything else could
    /// not travel in an HTTP header, or would split it).
    ///
    /// ```
    /// assert!(tm_core::ApiKey::new("0123456789abcdef").is_ok());
    /// assert!(tm_core::ApiKey::new("").is_err());
    /// ```
    pub fn new(key: impl Into<String>) -> Result<ApiKey, ConfigError> {
        let key = key.into();
        if key.is_empty() {
            return Err(ConfigError::InvalidApiKey("is empty"));
        }
        if key.chars().any(|c| c.is_control()) {
            return Err(ConfigError::InvalidApiKey("contains control characters"));
        }
        if key.chars().any(char::is_whitespace) {
            return Err(ConfigError::InvalidApiKey("contains whitespace"));
        }
        if !key.is_ascii() {
            return Err(ConfigError::InvalidApiKey("contains non-ASCII characters"));
        }
        Ok(ApiKey(key))
    }

    /// The key itself. The only way to read it: grep for `expose()` to audit every use.
    ///
    /// ```
    /// let key = tm_core::ApiKey::new("0123456789abcdef").unwrap();
    /// assert_eq!(key.expose(), "0123456789abcdef");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

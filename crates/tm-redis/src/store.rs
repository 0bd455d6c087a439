//! Rate-limit state in Redis: one Lua step per request on a lazily made, self-healing
//! connection. Two algorithms, one file each: a GCRA (`gcra.lua`, the client's smooth
//! spacing, used by [`RedisRateLimiter`](crate::RedisRateLimiter)) and a sliding window with a
//! suspension (`window.lua`, "N per second, then a pause", as a server enforces it).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

/// The GCRA step (see `gcra.lua`).
const GCRA: &str = include_str!("gcra.lua");
/// The window admission (see `window.lua`).
const WINDOW: &str = include_str!("window.lua");

/// Why a step could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// The Redis error kind and detail, on one line (never the URL, which may hold a
    /// password).
    pub message: String,
    /// Waiting cannot help: the server does not speak Redis, or refuses these credentials.
    pub permanent: bool,
}

impl StoreError {
    /// A passing failure (a timeout, a refused connection) described by `message`.
    pub fn passing(message: impl Into<String>) -> StoreError {
        StoreError {
            message: message.into(),
            permanent: false,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

impl From<redis::RedisError> for StoreError {
    fn from(e: redis::RedisError) -> Self {
        // RedisError's Display can include the URL's password on some connection errors; keep
        // the kind and the detail only.
        // An I/O error (refused, reset, unreachable) carries its cause as the source, not as a
        // detail: without it the message read "IoError: no detail".
        let cause = match (e.detail(), std::error::Error::source(&e)) {
            (Some(detail), _) => Some(detail.to_owned()),
            (None, Some(io)) => Some(io.to_string()),
            (None, None) if e.is_timeout() => Some("timed out".to_owned()),
            (None, None) => None,
        };
        // A server that is not Redis answers something the parser quotes whole (an HTTP page,
        // say): one line, and short.
        let cause = cause.map(|c| {
            let line: String = c.split_whitespace().collect::<Vec<_>>().join(" ");
            match line.char_indices().nth(120) {
                Some((cut, _)) => format!("{}…", &line[..cut]),
                None => line,
            }
        });
        let permanent = matches!(
            e.kind(),
            redis::ErrorKind::ParseError
                | redis::ErrorKind::AuthenticationFailed
                | redis::ErrorKind::InvalidClientConfig
        );
        let kind = if e.kind() == redis::ErrorKind::ParseError {
            "not a Redis server (its answer is not the Redis protocol)".to_owned()
        } else {
            format!("{:?}", e.kind())
        };
        StoreError {
            message: match cause {
                Some(cause) => format!("{kind}: {cause}"),
                None => kind,
            },
            permanent,
        }
    }
}

/// A Redis holding rate-limit state. The URL is checked at construction; the connection is
/// made on first use, and remade by the connection manager after Redis restarts.
pub struct LimitStore {
    client: redis::Client,
    conn: OnceCell<ConnectionManager>,
    gcra: redis::Script,
    window: redis::Script,
    command_timeout: Duration,
    redacted_url: String,
    next_id: AtomicU64,
}

/// A sliding window: `capacity` units of weight per `window`, a request `slack` early still
/// counted out, and everything refused for `suspension` after a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The weight a window holds (requests, or trackings).
    pub capacity: u64,
    /// The window's length.
    pub window: Duration,
    /// How early an entry stops counting (network jitter of well-spaced clients).
    pub slack: Duration,
    /// How long everything is refused after a refusal.
    pub suspension: Duration,
}

impl fmt::Debug for LimitStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LimitStore")
            .field("url", &self.redacted_url)
            .field("command_timeout", &self.command_timeout)
            .finish_non_exhaustive()
    }
}

impl LimitStore {
    /// A store on the Redis at `url` (`redis://…` or `rediss://…`); each command times out
    /// after `command_timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = tm_redis::LimitStore::new("redis://:hunter2@127.0.0.1:6379", Duration::from_secs(1)).unwrap();
    /// assert_eq!(store.url(), "redis://:***@127.0.0.1:6379");
    /// assert!(tm_redis::LimitStore::new("http://not-redis", Duration::from_secs(1)).is_err());
    /// ```
    pub fn new(url: &str, command_timeout: Duration) -> Result<LimitStore, StoreError> {
        let client = redis::Client::open(url).map_err(|e| StoreError {
            message: format!("Redis URL {}: {}", redact_url(url), StoreError::from(e)),
            permanent: true,
        })?;
        Ok(LimitStore {
            client,
            conn: OnceCell::new(),
            gcra: redis::Script::new(GCRA),
            window: redis::Script::new(WINDOW),
            command_timeout,
            redacted_url: redact_url(url),
            next_id: AtomicU64::new(0),
        })
    }

    /// The URL with any password replaced by `***`, for messages.
    pub fn url(&self) -> &str {
        &self.redacted_url
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        self.conn
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(self.command_timeout)
                    .set_response_timeout(self.command_timeout)
                    .set_number_of_retries(1);
                self.client.get_connection_manager_with_config(config)
            })
            .await
            .cloned()
    }

    /// One GCRA step on `key`: `Ok(None)` granted (and recorded), `Ok(Some(wait))` not before
    /// `wait`.
    pub async fn gcra(
        &self,
        key: &str,
        interval: Duration,
        tolerance: Duration,
    ) -> Result<Option<Duration>, StoreError> {
        let mut conn = self.connection().await?;
        let wait_us: u64 = self
            .gcra
            .key(key)
            .arg(interval.as_micros().max(1) as u64)
            .arg(tolerance.as_micros() as u64)
            .invoke_async(&mut conn)
            .await?;
        Ok((wait_us > 0).then(|| Duration::from_micros(wait_us)))
    }

    /// Admits `weight` to the sliding window at `key` (suspension kept at `suspension_key`):
    /// `Ok(None)` admitted and recorded, `Ok(Some(wait))` refused until the suspension ends
    /// (`wait` is zero-length-rounded-up when no suspension is configured).
    pub async fn window(
        &self,
        key: &str,
        suspension_key: &str,
        limit: Window,
        weight: u64,
    ) -> Result<Option<Duration>, StoreError> {
        let mut conn = self.connection().await?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let wait_us: u64 = self
            .window
            .key(key)
            .key(suspension_key)
            .arg(limit.capacity)
            .arg(weight)
            .arg(limit.window.as_micros() as u64)
            .arg(limit.slack.as_micros() as u64)
            .arg(limit.suspension.as_micros() as u64)
            .arg(format!("{}-{id}", std::process::id()))
            .invoke_async(&mut conn)
            .await?;
        Ok((wait_us > 0).then(|| Duration::from_micros(wait_us)))
    }
}

/// The first 24 hex digits of SHA-256 of `secret`: what names an account in Redis, so that no
/// API key is ever stored there.
///
/// ```
/// assert_eq!(tm_redis::account_hash("k").len(), 24);
/// ```
pub fn account_hash(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..12])
}

/// `url` with the password (if any) replaced by `***`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    let masked = if userinfo.contains(':') {
        format!("{user}:***")
    } else {
        "***".to_owned()
    };
    let tail = if path.is_empty() && !rest.contains('/') {
        String::new()
    } else {
        format!("/{path}")
    };
    format!("{scheme}://{masked}@{host}{tail}")
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(redact_url("redis://:pw@h:1/0"), "redis://:***@h:1/0");
        assert_eq!(redact_url("rediss://user:pw@h"), "rediss://user:***@h");
        assert_eq!(redact_url("redis://token@h/"), "redis://***@h/");
    }
}

//! Rate-limit state shared through Redis, so several simulator instances (behind one address,
//! as the real API's servers are) enforce one limit per account.
//!
//! The same GCRA as the in-process check, as one atomic Lua step timed by Redis's clock. A
//! manual clock does not move these limits: Redis keeps real time.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

/// Grants (returns 0) or refuses (returns microseconds until the slot) one request.
const GCRA: &str = r"
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
if tat - tolerance > now then
  return tat - tolerance - now
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.floor((new_tat - now) / 1000) + 1000)
return 0
";

/// The shared limiter.
pub struct SharedLimits {
    client: redis::Client,
    conn: Mutex<Option<ConnectionManager>>,
    script: redis::Script,
}

impl SharedLimits {
    /// Checks the URL; connects on first use.
    pub fn new(url: &str) -> Result<SharedLimits, String> {
        let client = redis::Client::open(url).map_err(|e| {
            format!(
                "Redis URL: {:?}: {}",
                e.kind(),
                e.detail().unwrap_or("invalid")
            )
        })?;
        Ok(SharedLimits {
            client,
            conn: Mutex::new(None),
            script: redis::Script::new(GCRA),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let mut guard = self.conn.lock().await;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(1))
            .set_response_timeout(Duration::from_secs(1))
            .set_number_of_retries(1);
        let c = self
            .client
            .get_connection_manager_with_config(config)
            .await?;
        *guard = Some(c.clone());
        Ok(c)
    }

    /// `Some(true)` granted, `Some(false)` refused, `None` when Redis could not answer.
    pub async fn admit(
        &self,
        api_key: &str,
        class: &str,
        interval_ms: i64,
        tolerance_ms: i64,
    ) -> Option<bool> {
        let account: String = Sha256::digest(api_key.as_bytes())
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect();
        let step = async {
            let mut conn = self.connection().await?;
            self.script
                .key(format!("tm-sim:rl:{account}:{class}"))
                .arg(interval_ms.max(1) * 1000)
                .arg(tolerance_ms.max(0) * 1000)
                .invoke_async::<u64>(&mut conn)
                .await
        };
        match tokio::time::timeout(Duration::from_secs(2), step).await {
            Ok(Ok(wait)) => Some(wait == 0),
            Ok(Err(e)) => {
                tracing::warn!(error = ?e.kind(), "shared rate limits unavailable: limiting in this instance only");
                None
            }
            Err(_) => {
                tracing::warn!("shared rate limits timed out: limiting in this instance only");
                None
            }
        }
    }
}

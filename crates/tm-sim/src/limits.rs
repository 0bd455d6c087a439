//! The API's rate limits as the original v2 document states them: per client IP (per key as an
//! option), "N requests per second" meaning N within any second are allowed and the N+1st is
//! refused, and after a refusal everything from that IP is suspended for about two minutes.
//! The list class also counts the trackings it returns (2000 per second).
//!
//! Kept in this instance, or in Redis (feature `redis`) so that several simulators behind one
//! address enforce one limit, as the real API's servers do.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// One sliding window: `capacity` units per `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowLimit {
    /// Units (requests or trackings) a window holds.
    pub capacity: u64,
    /// The window's length in milliseconds.
    pub window_ms: i64,
}

impl WindowLimit {
    /// "`per_second` requests per second": N per second for a whole N, one per 1/rate
    /// seconds below one, and for a fractional rate above one, floor(rate) per the time they
    /// take at that rate (2.5/s → 2 per 0.8 s).
    pub fn per_second(per_second: f64) -> Option<WindowLimit> {
        if !(per_second.is_finite() && per_second > 0.0) {
            return None;
        }
        let capacity = per_second.floor().max(1.0);
        Some(WindowLimit {
            capacity: capacity as u64,
            window_ms: ((capacity / per_second) * 1000.0).round() as i64,
        })
    }
}

/// What an admission decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead.
    Granted,
    /// Refused; the scope is suspended this much longer (0 when no suspension is configured).
    Refused {
        /// Time left in the suspension, in milliseconds.
        suspended_ms: i64,
    },
}

/// Admitted units of one window: (time, weight), oldest first.
type Entries = VecDeque<(i64, u64)>;

/// The in-process windows and suspensions.
#[derive(Debug, Default)]
pub struct LocalLimits {
    /// Per (scope, class).
    windows: Mutex<HashMap<(String, &'static str), Entries>>,
    /// Suspended scopes: until when (limiter milliseconds).
    suspended: Mutex<HashMap<String, i64>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl LocalLimits {
    /// Admits `weight` units of `class` for `scope` at `now_ms`, counting entries older than
    /// the window minus `slack_ms` out; a refusal suspends the whole `scope` for
    /// `suspension_ms`.
    #[allow(clippy::too_many_arguments)]
    pub fn admit(
        &self,
        scope: &str,
        class: &'static str,
        limit: WindowLimit,
        weight: u64,
        slack_ms: i64,
        suspension_ms: i64,
        now_ms: i64,
    ) -> Admission {
        if let Some(left) = self.suspended_for(scope, now_ms) {
            return Admission::Refused { suspended_ms: left };
        }
        let mut windows = lock(&self.windows);
        let entries = windows.entry((scope.to_owned(), class)).or_default();
        let counted_from = now_ms - (limit.window_ms - slack_ms).max(0);
        while entries.front().is_some_and(|(t, _)| *t <= counted_from) {
            entries.pop_front();
        }
        let used: u64 = entries.iter().map(|(_, w)| w).sum();
        if used + weight <= limit.capacity {
            entries.push_back((now_ms, weight));
            return Admission::Granted;
        }
        drop(windows);
        if suspension_ms > 0 {
            lock(&self.suspended).insert(scope.to_owned(), now_ms + suspension_ms);
        }
        Admission::Refused {
            suspended_ms: suspension_ms.max(0),
        }
    }

    /// How much longer `scope` is suspended, if it is.
    pub fn suspended_for(&self, scope: &str, now_ms: i64) -> Option<i64> {
        let mut suspended = lock(&self.suspended);
        match suspended.get(scope) {
            Some(until) if *until > now_ms => Some(until - now_ms),
            Some(_) => {
                suspended.remove(scope);
                None
            }
            None => None,
        }
    }

    /// Forgets every window and suspension.
    pub fn clear(&self) {
        lock(&self.windows).clear();
        lock(&self.suspended).clear();
    }
}

/// The windows kept in Redis.
#[cfg(feature = "redis")]
#[derive(Debug)]
pub struct SharedLimits {
    store: tm_redis::LimitStore,
}

#[cfg(feature = "redis")]
impl SharedLimits {
    /// Checks the URL; connects on first use.
    pub fn new(url: &str) -> Result<SharedLimits, String> {
        tm_redis::LimitStore::new(url, std::time::Duration::from_secs(1))
            .map(|store| SharedLimits { store })
            .map_err(|e| e.to_string())
    }

    /// As [`LocalLimits::admit`], on Redis's clock; `None` when Redis could not answer.
    pub async fn admit(
        &self,
        scope: &str,
        class: &str,
        limit: WindowLimit,
        weight: u64,
        slack_ms: i64,
        suspension_ms: i64,
    ) -> Option<Admission> {
        let scope = tm_redis::account_hash(scope);
        let window_key = format!("tm-sim:rl:{scope}:{class}");
        let suspension_key = format!("tm-sim:suspended:{scope}");
        let window = tm_redis::Window {
            capacity: limit.capacity,
            window: std::time::Duration::from_millis(limit.window_ms.max(1) as u64),
            slack: std::time::Duration::from_millis(slack_ms.max(0) as u64),
            suspension: std::time::Duration::from_millis(suspension_ms.max(0) as u64),
        };
        let step = self
            .store
            .window(&window_key, &suspension_key, window, weight);
        match tokio::time::timeout(std::time::Duration::from_secs(2), step).await {
            Ok(Ok(None)) => Some(Admission::Granted),
            Ok(Ok(Some(wait))) => Some(Admission::Refused {
                suspended_ms: if suspension_ms > 0 {
                    wait.as_millis() as i64
                } else {
                    0
                },
            }),
            Ok(Err(e)) => {
                tracing::warn!(url = self.store.url(), error = %e, "shared rate limits unavailable: limiting in this instance only");
                None
            }
            Err(_) => {
                tracing::warn!(
                    url = self.store.url(),
                    "shared rate limits timed out: limiting in this instance only"
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admit(l: &LocalLimits, now: i64) -> Admission {
        let three = WindowLimit::per_second(3.0).unwrap();
        l.admit("ip", "realtime", three, 1, 0, 120_000, now)
    }

    #[test]
    fn n_within_a_second_pass_and_the_next_is_refused_then_suspended() {
        let l = LocalLimits::default();
        assert_eq!(admit(&l, 0), Admission::Granted);
        assert_eq!(admit(&l, 10), Admission::Granted);
        assert_eq!(admit(&l, 20), Admission::Granted);
        assert_eq!(
            admit(&l, 30),
            Admission::Refused {
                suspended_ms: 120_000
            }
        );
        // 1.5 s later the window is free, but the suspension is not over.
        assert_eq!(
            admit(&l, 1_530),
            Admission::Refused {
                suspended_ms: 118_500
            }
        );
        assert_eq!(admit(&l, 120_031), Admission::Granted);
    }

    #[test]
    fn evenly_spaced_requests_at_the_rate_always_pass() {
        let l = LocalLimits::default();
        for i in 0..30 {
            assert_eq!(admit(&l, i * 334), Admission::Granted, "request {i}");
        }
    }

    #[test]
    fn rates_become_windows() {
        let w = |r| WindowLimit::per_second(r).unwrap();
        assert_eq!((w(3.0).capacity, w(3.0).window_ms), (3, 1000));
        assert_eq!((w(0.5).capacity, w(0.5).window_ms), (1, 2000));
        assert_eq!((w(2.5).capacity, w(2.5).window_ms), (2, 800));
        assert!(WindowLimit::per_second(0.0).is_none());
    }
}

//! Recognising a push that comes again.
//!
//! TrackingMore retries a push until it is answered 2xx, and anyone who captured one can send
//! it again. A [`ReplayGuard`] remembers every push it accepted, by its signature and body, for
//! a window: the same push again is a [`Arrival::Repeat`] (answer 2xx, apply nothing); the same
//! signature over another body is refused ([`WebhookError::SignatureReused`]) — under schemes
//! that sign only a time, that is how an edited body under a captured signature shows. A
//! legitimate second push in the same second meets that refusal too, and the sender's retry
//! (a new signature) brings it in.
//!
//! It lives in memory: a process that restarts forgets what it accepted, and a push replayed
//! then (within its max age) is accepted again. A store that keeps pushes durably dedupes by
//! the same key ([`ReplayGuard::key`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::WebhookError;

/// How many accepted pushes a guard remembers at most (the oldest are forgotten first).
pub const MAX_REMEMBERED: usize = 100_000;

/// What a verified push is once the pushes already accepted are counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival<T> {
    /// Not seen in the window: applied, with what applying it returned.
    Applied(T),
    /// The same push (signature and body) again: nothing was applied.
    Repeat,
}

/// Why [`ReplayGuard::admit`] did not apply a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused<E> {
    /// The signature was accepted before with another body.
    Replay(WebhookError),
    /// Applying it failed: it is not remembered, so its redelivery is applied.
    Apply(E),
}

/// The pushes accepted within a window, by signature and body.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use tm_core::webhook::replay::{Arrival, ReplayGuard};
/// let guard = ReplayGuard::new(Duration::from_secs(600));
/// let now = SystemTime::now();
/// let apply = || Ok::<_, ()>("printed");
/// assert_eq!(guard.admit(b"sig", b"{}", now, apply), Ok(Arrival::Applied("printed")));
/// assert_eq!(guard.admit(b"sig", b"{}", now, apply), Ok(Arrival::Repeat));
/// assert!(guard.admit(b"sig", b"{\"edited\":1}", now, apply).is_err());
/// ```
#[derive(Debug)]
pub struct ReplayGuard {
    window: Duration,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    /// Body hash and acceptance time by signature key.
    by_signature: HashMap<[u8; 32], ([u8; 32], SystemTime)>,
    /// Signature keys in acceptance order, for forgetting.
    order: VecDeque<([u8; 32], SystemTime)>,
}

impl ReplayGuard {
    /// A guard remembering accepted pushes for `window`.
    pub fn new(window: Duration) -> Self {
        ReplayGuard {
            window,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// The key a push is remembered by: the SHA-256 of its signature's bytes (decoded, so hex
    /// in either case is one signature), and of its body.
    pub fn key(signature: &[u8], body: &[u8]) -> ([u8; 32], [u8; 32]) {
        (
            Sha256::digest(signature).into(),
            Sha256::digest(body).into(),
        )
    }

    /// Applies a verified push once: `apply` runs for a push not seen within the window (and
    /// the push is remembered only if it succeeds); a repeat is not applied; a signature seen
    /// with another body is refused. One push at a time, so two deliveries racing each other
    /// are applied once.
    pub fn admit<T, E>(
        &self,
        signature: &[u8],
        body: &[u8],
        now: SystemTime,
        apply: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arrival<T>, Refused<E>> {
        let (sig, body_hash) = Self::key(signature, body);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.forget_before(
            now.checked_sub(self.window)
                .unwrap_or(SystemTime::UNIX_EPOCH),
        );
        if let Some((kept, _)) = seen.by_signature.get(&sig) {
            return if *kept == body_hash {
                Ok(Arrival::Repeat)
            } else {
                Err(Refused::Replay(WebhookError::SignatureReused))
            };
        }
        let applied = apply().map_err(Refused::Apply)?;
        if seen.order.len() >= MAX_REMEMBERED
            && let Some((old, _)) = seen.order.pop_front()
        {
            seen.by_signature.remove(&old);
        }
        seen.by_signature.insert(sig, (body_hash, now));
        seen.order.push_back((sig, now));
        Ok(Arrival::Applied(applied))
    }
}

impl Seen {
    fn forget_before(&mut self, cutoff: SystemTime) {
        while let Some((sig, at)) = self.order.front().copied() {
            if at >= cutoff {
                break;
            }
            self.order.pop_front();
            self.by_signature.remove(&sig);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_is_recognised_until_the_window_ends() {
        let guard = ReplayGuard::new(Duration::from_secs(60));
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut applied = 0;
        let mut apply = || {
            applied += 1;
            Ok::<_, ()>(())
        };
        assert_eq!(
            guard.admit(b"s", b"b", t0, &mut apply),
            Ok(Arrival::Applied(()))
        );
        assert_eq!(
            guard.admit(b"s", b"b", t0 + Duration::from_secs(59), &mut apply),
            Ok(Arrival::Repeat)
        );
        assert_eq!(
            guard.admit(b"s", b"other", t0 + Duration::from_secs(30), &mut apply),
            Err(Refused::Replay(WebhookError::SignatureReused))
        );
        // Forgotten after the window: the push's own max age is what refuses it then.
        assert_eq!(
            guard.admit(b"s", b"b", t0 + Duration::from_secs(61), &mut apply),
            Ok(Arrival::Applied(()))
        );
        assert_eq!(applied, 2);
    }

    #[test]
    fn a_push_whose_application_failed_is_applied_when_it_comes_again() {
        let guard = ReplayGuard::new(Duration::from_secs(60));
        let now = SystemTime::now();
        assert_eq!(
            guard.admit(b"s", b"b", now, || Err::<(), _>("disk full")),
            Err(Refused::Apply("disk full"))
        );
        assert_eq!(
            guard.admit(b"s", b"b", now, || Ok::<_, ()>(1)),
            Ok(Arrival::Applied(1))
        );
    }
}

//! Simulated time: real time scaled by a factor, or a manual clock moved by hand.
//!
//! Journeys read the simulated wall clock (`now_ms`). Rate limits read `limiter_ms`: real
//! elapsed time in the scaled mode (a fast-forwarded journey must not loosen the rate limits),
//! the manual clock in manual mode (so tests decide exactly when a second has passed).

use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How simulated time moves.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ClockMode {
    /// Real time multiplied by `scale` (1.0 = real time; 3600.0 = an hour per second).
    Real {
        /// The speed-up factor.
        scale: f64,
    },
    /// Time stands still until advanced through the admin route or the handle.
    Manual,
}

impl ClockMode {
    /// The speed-up factor of a real-time clock; `None` for a manual one.
    pub fn scale(self) -> Option<f64> {
        match self {
            ClockMode::Real { scale } => Some(scale),
            ClockMode::Manual => None,
        }
    }
}

impl Default for ClockMode {
    fn default() -> Self {
        ClockMode::Real { scale: 1.0 }
    }
}

/// Real Unix milliseconds.
pub(crate) fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A clock as a database keeps it, so every process sharing the account reads the same time:
/// simulated `sim_ms` at real `real_ms` (Unix ms), moving `scale` times real time (`None`:
/// standing still until moved).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Anchor {
    pub real_ms: i64,
    pub sim_ms: i64,
    pub scale: Option<f64>,
}

impl Anchor {
    /// A clock at simulated `sim_ms` now.
    pub fn now(sim_ms: i64, scale: Option<f64>) -> Anchor {
        Anchor {
            real_ms: real_now_ms(),
            sim_ms,
            scale,
        }
    }

    /// Simulated now by this clock.
    pub fn sim_now(&self) -> i64 {
        match self.scale {
            Some(scale) => {
                self.sim_ms + ((real_now_ms() - self.real_ms).max(0) as f64 * scale) as i64
            }
            None => self.sim_ms,
        }
    }
}

#[derive(Debug)]
struct State {
    mode: ClockMode,
    /// Real instant at which `base_sim_ms` was the simulated time.
    base_real: Instant,
    /// Simulated Unix milliseconds at `base_real` (real mode) or now (manual mode).
    base_sim_ms: i64,
    /// The limiter's time in manual mode.
    manual_limiter_ms: i64,
}

/// The simulator's clock.
#[derive(Debug)]
pub struct SimClock {
    state: Mutex<State>,
    started: Instant,
}

impl SimClock {
    /// A clock at `start_ms` (simulated Unix milliseconds).
    pub fn new(mode: ClockMode, start_ms: i64) -> Self {
        SimClock {
            state: Mutex::new(State {
                mode,
                base_real: Instant::now(),
                base_sim_ms: start_ms,
                manual_limiter_ms: 0,
            }),
            started: Instant::now(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Simulated Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let s = self.lock();
        match s.mode {
            ClockMode::Manual => s.base_sim_ms,
            ClockMode::Real { scale } => {
                let real = s.base_real.elapsed().as_secs_f64() * 1000.0;
                s.base_sim_ms + (real * scale) as i64
            }
        }
    }

    /// Simulated Unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Milliseconds for rate limiting: real elapsed time, or the manual clock.
    pub fn limiter_ms(&self) -> i64 {
        let s = self.lock();
        match s.mode {
            ClockMode::Manual => s.manual_limiter_ms,
            ClockMode::Real { .. } => self.started.elapsed().as_millis() as i64,
        }
    }

    /// Moves simulated time forward (the limiter too, in manual mode).
    pub fn advance_ms(&self, ms: i64) {
        let mut s = self.lock();
        s.base_sim_ms += ms;
        if s.mode == ClockMode::Manual {
            s.manual_limiter_ms += ms;
        }
    }

    /// Sets simulated time.
    pub fn set_ms(&self, unix_ms: i64) {
        let mut s = self.lock();
        s.base_sim_ms = unix_ms;
        s.base_real = Instant::now();
    }

    /// The clock as a database keeps it.
    pub(crate) fn anchor(&self) -> Anchor {
        Anchor::now(self.now_ms(), self.mode().scale())
    }

    /// Takes over a clock another process set: its time, and its speed if both run in real
    /// time (a manual clock stays manual, so its rate limits stay where tests put them).
    pub(crate) fn rebase(&self, anchor: &Anchor) {
        let sim = anchor.sim_now();
        let mut s = self.lock();
        s.base_sim_ms = sim;
        s.base_real = Instant::now();
        if let (ClockMode::Real { .. }, Some(scale)) = (s.mode, anchor.scale) {
            s.mode = ClockMode::Real { scale };
        }
    }

    /// The mode.
    pub fn mode(&self) -> ClockMode {
        self.lock().mode
    }
}

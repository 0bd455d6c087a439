//! Simulated time: real time scaled by a factor, or a manual clock moved by hand.
//!
//! Journeys read the simulated wall clock (`now_ms`). Rate limits read `limiter_ms`: real
//! elapsed time in the scaled mode (a fast-forwarded journey must not loosen the rate limits),
//! the manual clock in manual mode (so tests decide exactly when a second has passed).

use std::sync::Mutex;
use std::time::Instant;

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

impl Default for ClockMode {
    fn default() -> Self {
        ClockMode::Real { scale: 1.0 }
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

    /// The mode.
    pub fn mode(&self) -> ClockMode {
        self.lock().mode
    }
}

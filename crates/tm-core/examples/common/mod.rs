//! Shared by the examples: a client for the real API when `TRACKINGMORE_API_KEY` is set,
//! otherwise one for an in-process simulator (so every example runs anywhere).
#![allow(dead_code)]

use std::time::Duration;

use tm_core::v2::Client;
use tm_sim::{ClockMode, SimHandle, Simulator};

/// The client, and the simulator behind it when there is no key.
pub async fn connect() -> Result<(Client, Option<SimHandle>), Box<dyn std::error::Error>> {
    if std::env::var(tm_core::ENV_API_KEY).is_ok_and(|k| !k.is_empty()) {
        return Ok((Client::from_env()?, None));
    }
    // A simulated hour passes every real second, so shipments move while you watch.
    let sim = Simulator::builder()
        .clock(ClockMode::Real { scale: 3600.0 })
        .start()
        .await?;
    eprintln!(
        "no TRACKINGMORE_API_KEY: using the built-in simulator at {}",
        sim.base_url()
    );
    let client = Client::builder()
        .api_key("sandbox")
        .base_url(sim.base_url())
        // The simulator enforces the documented limits; the client's defaults match them.
        .attempt_timeout(Duration::from_secs(10))
        .build()?;
    Ok((client, Some(sim)))
}

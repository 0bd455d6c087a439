//! Shared helpers of the simulator's HTTP tests: a simulator on the manual clock, a client
//! over it, raw calls.
#![allow(dead_code)]

use serde_json::Value;
use tm_core::v2::Client;
use tm_sim::{ClockMode, SimHandle};

pub const KEY: &str = "sim-test-key";
/// 2024-03-01T00:00:00Z
pub const T0: i64 = 1_709_251_200;

pub async fn start(b: tm_sim::SimulatorBuilder) -> SimHandle {
    b.clock(ClockMode::Manual)
        .start_time(T0)
        .start()
        .await
        .unwrap()
}

pub fn client(sim: &SimHandle) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(sim.base_url())
        .without_rate_limits()
        .max_attempts(1)
        .build()
        .unwrap()
}

/// A raw call: (HTTP status, body text, parsed JSON).
pub async fn raw(
    sim: &SimHandle,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let http = reqwest::Client::new();
    let url = format!("{}{}", sim.base_url(), path);
    let mut req = http.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    if let Some(k) = key {
        req = req.header("Trackingmore-Api-Key", k);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, text, json)
}

pub fn code(v: &Value) -> u64 {
    v["meta"]["code"].as_u64().unwrap()
}

//! What a careless or hostile client meets: a clear answer naming what was wrong, never a
//! wrong one, and nothing a page on another site can do to the simulator.

mod common;

use std::time::Duration;

use common::*;
use tm_sim::Simulator;

async fn json(r: reqwest::Response) -> serde_json::Value {
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_not_an_empty_body() {
    let sim =
        start(Simulator::builder().server_limits(tm_serve::Limits::default().max_body(64 * 1024)))
            .await;
    let http = reqwest::Client::new();
    let big = vec![b' '; 200 * 1024];
    for path in [
        format!("{}/trackings/batch", sim.base_url()),
        format!("{}/trackings/batch", sim.v4_base_url()),
    ] {
        let r = http
            .post(&path)
            .header("Trackingmore-Api-Key", KEY)
            .header("Tracking-Api-Key", KEY)
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{path}");
    }
    // The default takes a large batch body (8 MiB).
    let sim = start(Simulator::builder()).await;
    let (status, _, body) = raw(
        &sim,
        "POST",
        "/trackings/batch",
        Some(KEY),
        Some(serde_json::json!([{"tracking_number": "x".repeat(2 * 1024 * 1024), "carrier_code": "dhl"}])),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_says_so_under_the_servers_code() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let http = reqwest::Client::new();
    for (body, says) in [
        (b"{\"tracking_number\": \"1\",".to_vec(), "not JSON"),
        (vec![0xff, 0xfe, b'{', b'}'], "not UTF-8"),
    ] {
        let v2: serde_json::Value = http
            .post(format!("{}/trackings/post", sim.base_url()))
            .header("Trackingmore-Api-Key", KEY)
            .body(body.clone())
            .send()
            .await
            .map(json)
            .unwrap()
            .await;
        // The server's code (its FAQ: a body it cannot read looks like no carrier) ...
        assert_eq!(v2["meta"]["code"], 4015, "{v2}");
        // ... with the reason.
        assert!(
            v2["meta"]["message"].as_str().unwrap().contains(says),
            "{v2}"
        );
        let v4 = http
            .post(format!("{}/trackings/create", sim.v4_base_url()))
            .header("Tracking-Api-Key", KEY)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(v4.status(), 400);
        let v4 = json(v4).await;
        assert!(
            v4["meta"]["message"].as_str().unwrap().contains(says),
            "{v4}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_is_not_text_is_called_that_not_missing() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let http = reqwest::Client::new();
    let bad = reqwest::header::HeaderValue::from_bytes(b"key\xff\xfe").unwrap();
    let v2: serde_json::Value = http
        .get(format!("{}/trackings/getuserinfo", sim.base_url()))
        .header("Trackingmore-Api-Key", bad.clone())
        .send()
        .await
        .map(json)
        .unwrap()
        .await;
    assert_eq!(v2["meta"]["code"], 401);
    let message = v2["meta"]["message"].as_str().unwrap();
    assert!(message.contains("not text"), "{message}");
    let v4: serde_json::Value = http
        .get(format!("{}/couriers/all", sim.v4_base_url()))
        .header("Tracking-Api-Key", bad)
        .send()
        .await
        .map(json)
        .unwrap()
        .await;
    assert!(
        v4["meta"]["message"].as_str().unwrap().contains("not text"),
        "{v4}"
    );
    let missing: serde_json::Value = http
        .get(format!("{}/trackings/getuserinfo", sim.base_url()))
        .send()
        .await
        .map(json)
        .unwrap()
        .await;
    assert!(
        missing["meta"]["message"]
            .as_str()
            .unwrap()
            .contains("missing")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_routes_refuse_what_a_page_on_another_site_can_send() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let http = reqwest::Client::new();
    let reset = format!("{}/reset", sim.admin_url());
    for (name, req) in [
        (
            "a form post",
            http.post(&reset)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("x=1"),
        ),
        (
            "another origin",
            http.post(&reset)
                .header("origin", "http://attacker.example"),
        ),
        (
            "fetch metadata",
            http.post(&reset).header("sec-fetch-site", "cross-site"),
        ),
        (
            "a rebinding host",
            http.post(&reset).header("host", "attacker.example"),
        ),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 403, "{name}");
        let body = r.text().await.unwrap();
        assert!(body.contains("refused"), "{name}: {body}");
    }
    // A reading of the configuration with a foreign host is refused too (loopback only).
    let r = http
        .get(format!("{}/config", sim.admin_url()))
        .header("host", "attacker.example:80")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // What scripts and tests send still works.
    let r = http.post(&reset).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(format!("{}/clock", sim.admin_url()))
        .header("content-type", "application/json")
        .body(r#"{"advance_secs": 60}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sim.now_ms(), (T0 + 60) * 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_is_dropped_while_others_are_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sim = start(
        Simulator::builder()
            .rate_limits(false)
            .server_limits(tm_serve::Limits::default().header_timeout(Duration::from_millis(300))),
    )
    .await;
    let mut slow = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    slow.write_all(b"GET /v2/carriers HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (status, _, _) = raw(&sim, "GET", "/trackings/getuserinfo", Some(KEY), None).await;
    assert_eq!(status, 200, "served meanwhile");
    let mut buf = [0u8; 256];
    let ended = tokio::time::timeout(Duration::from_secs(10), slow.read(&mut buf)).await;
    assert!(
        matches!(ended, Ok(Ok(0) | Err(_))),
        "never dropped: {ended:?}"
    );
}

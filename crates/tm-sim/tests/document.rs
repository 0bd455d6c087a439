//! What the original v2 document says, answered by the simulator: every code it lists (with its
//! text), and each row of the table in issue 15 (its limits, and a PHP server reading loosely
//! typed JSON) with the default settings.

mod common;

use std::time::Duration;

use serde_json::{Value, json};
use tm_sim::{
    ClockMode, Fault, FaultPlan, LimitScope, OverLimitStyle, ScriptedFault, SimHandle, Simulator,
};

/// 2024-03-01T00:00:00Z
const T0: i64 = 1_709_251_200;

async fn start(b: tm_sim::SimulatorBuilder) -> SimHandle {
    b.clock(ClockMode::Manual)
        .start_time(T0)
        .rate_limit_tolerance(Duration::ZERO)
        .start()
        .await
        .unwrap()
}

/// A raw call: (meta code, body).
async fn call(
    sim: &SimHandle,
    method: &str,
    path: &str,
    key: &str,
    body: Option<&str>,
) -> (u64, Value) {
    let http = reqwest::Client::new();
    let mut req = http
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", sim.base_url()),
        )
        .header("Trackingmore-Api-Key", key)
        .header("Content-Type", "application/json");
    if let Some(b) = body {
        req = req.body(b.to_owned());
    }
    let text = req.send().await.unwrap().text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    (v["meta"]["code"].as_u64().unwrap(), v)
}

const REALTIME: &str = r#"{"tracking_number": "RR123456789CN", "carrier_code": "china-post"}"#;

async fn realtime(sim: &SimHandle, key: &str) -> u64 {
    call(sim, "POST", "/trackings/realtime", key, Some(REALTIME))
        .await
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_realtime_calls_in_one_second_are_within_the_limit() {
    let sim = start(Simulator::builder()).await;
    for _ in 0..3 {
        assert_eq!(realtime(&sim, "k1").await, 200);
    }
    assert_eq!(realtime(&sim, "k1").await, 429, "the 4th in that second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_is_per_ip_not_per_key() {
    let sim = start(Simulator::builder()).await;
    for _ in 0..3 {
        assert_eq!(realtime(&sim, "k1").await, 200);
    }
    assert_eq!(realtime(&sim, "k2").await, 429, "another key, the same IP");
    // Per key on request.
    let per_key = start(Simulator::builder().limit_scope(LimitScope::Key)).await;
    for _ in 0..3 {
        assert_eq!(realtime(&per_key, "k1").await, 200);
    }
    assert_eq!(realtime(&per_key, "k2").await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_suspends_the_ip_for_about_two_minutes() {
    let sim = start(Simulator::builder()).await;
    for _ in 0..3 {
        assert_eq!(realtime(&sim, "k1").await, 200);
    }
    assert_eq!(realtime(&sim, "k1").await, 429);
    sim.advance(Duration::from_millis(1500));
    assert_eq!(realtime(&sim, "k1").await, 429, "1.5 s after the refusal");
    let (code, _) = call(&sim, "GET", "/trackings/getuserinfo", "k1", None).await;
    assert_eq!(code, 429, "the whole IP is suspended, every class");
    sim.advance(Duration::from_millis(118_600));
    assert_eq!(realtime(&sim, "k1").await, 200, "two minutes later");
    // Tests shorten the pause.
    let quick = start(Simulator::builder().suspension(Duration::from_millis(10))).await;
    for _ in 0..4 {
        realtime(&quick, "k1").await;
    }
    quick.advance(Duration::from_millis(1000));
    assert_eq!(realtime(&quick, "k1").await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_is_one_call_and_2000_trackings_per_second() {
    let sim = start(
        Simulator::builder()
            .limit("list", Some(10.0))
            .limit("default", None)
            .suspension(Duration::from_millis(10)),
    )
    .await;
    let items: Vec<Value> = (0..40)
        .map(|i| json!({"tracking_number": format!("RN{i:09}CN"), "carrier_code": "china-post"}))
        .collect();
    for chunk in 0..30 {
        let body: Vec<Value> = items
            .iter()
            .map(|i| {
                let mut i = i.clone();
                i["tracking_number"] =
                    json!(format!("{}{chunk}", i["tracking_number"].as_str().unwrap()));
                i
            })
            .collect();
        let (code, _) = call(
            &sim,
            "POST",
            "/trackings/batch",
            "k",
            Some(&Value::Array(body).to_string()),
        )
        .await;
        assert_eq!(code, 201);
    }
    // 1200 trackings: one page of 1200 fits the second, a second one does not.
    let (code, v) = call(&sim, "GET", "/trackings/get?limit=2000", "k", None).await;
    assert_eq!((code, v["data"]["count"].as_u64()), (200, Some(1200)));
    let (code, _) = call(&sim, "GET", "/trackings/get?limit=2000", "k", None).await;
    assert_eq!(code, 429, "2400 trackings in one second");
    sim.advance(Duration::from_millis(1000));
    let default = start(Simulator::builder()).await;
    assert_eq!(
        call(&default, "GET", "/trackings/get", "k", None).await.0,
        200
    );
    assert_eq!(
        call(&default, "GET", "/trackings/get", "k", None).await.0,
        429,
        "1 per second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_and_flags_arrive_as_php_reads_them() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let (code, v) = call(
        &sim,
        "POST",
        "/trackings/post",
        "k",
        Some(r#"{"tracking_number": "1Z999AA10123456784", "carrier_code": "ups", "auto_correct": "1"}"#),
    )
    .await;
    assert_eq!(code, 200, "{v}");
    let (code, v) = call(
        &sim,
        "POST",
        "/trackings/get",
        "k",
        Some(r#"{"page": "1", "limit": "10"}"#),
    )
    .await;
    assert_eq!((code, v["data"]["limit"].as_u64()), (200, Some(10)), "{v}");
    let (code, v) = call(
        &sim,
        "PUT",
        "/trackings/ups/1Z999AA10123456784",
        "k",
        Some(r#"{"archived": "true", "status": 4}"#),
    )
    .await;
    assert_eq!((code, &v["data"]["archived"]), (200, &json!(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_ignores_its_body() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let (code, v) = call(&sim, "GET", "/carriers", "k", Some("this is not JSON")).await;
    assert_eq!(code, 200);
    assert_eq!(v["data"].as_array().map(Vec::len), Some(628));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_status_is_4033() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    call(
        &sim,
        "POST",
        "/trackings/post",
        "k",
        Some(r#"{"tracking_number": "1Z999AA10123456784", "carrier_code": "ups"}"#),
    )
    .await;
    let (code, v) = call(
        &sim,
        "PUT",
        "/trackings/ups/1Z999AA10123456784",
        "k",
        Some(r#"{"status": "5"}"#),
    )
    .await;
    assert_eq!(code, 4033);
    assert_eq!(v["meta"]["message"], "The value of `status` is invalid.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_checks_have_no_invented_cap() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let rows: Vec<Value> = (0..41)
        .map(|i| json!({"country": "JP", "postcode": format!("76{i:05}")}))
        .collect();
    let (code, v) = call(
        &sim,
        "POST",
        "/trackings/remote",
        "k",
        Some(&Value::Array(rows).to_string()),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(v["data"]["submitted"], 41);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_error_code() {
    let sim = common::start(
        Simulator::builder()
            .rate_limits(false)
            .api_keys([common::KEY])
            .quota(2),
    )
    .await;
    let post = |b: Value| Some(b);
    assert_eq!(
        common::code(&common::raw(&sim, "GET", "/carriers", None, None).await.2),
        401
    );
    assert_eq!(
        common::code(
            &common::raw(&sim, "GET", "/carriers", Some("wrong"), None)
                .await
                .2
        ),
        4001
    );
    let k = Some(common::KEY);
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/trackings/post",
                k,
                post(json!({"carrier_code": "dhl"}))
            )
            .await
            .2
        ),
        4013
    );
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/trackings/post",
                k,
                post(json!({"tracking_number": "a/b", "carrier_code": "dhl"}))
            )
            .await
            .2
        ),
        4014
    );
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/trackings/post",
                k,
                post(json!({"tracking_number": "RN123", "carrier_code": "nope"}))
            )
            .await
            .2
        ),
        4015
    );
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/trackings/post",
                k,
                post(json!({"tracking_number": "RN123", "carrier_code": "dhl"}))
            )
            .await
            .2
        ),
        200
    );
    let (status, _, dup) = common::raw(
        &sim,
        "POST",
        "/trackings/post",
        k,
        post(json!({"tracking_number": "RN123", "carrier_code": "dhl"})),
    )
    .await;
    assert_eq!(
        (status, common::code(&dup)),
        (200, 4016),
        "errors come as HTTP 200"
    );
    assert_eq!(dup["data"], json!([]));
    assert_eq!(dup["meta"]["message"], "Tracking already exists.");
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "PUT",
                "/trackings/dhl/NOPE1",
                k,
                post(json!({"title": "x"}))
            )
            .await
            .2
        ),
        4017
    );
    assert_eq!(
        common::code(
            &common::raw(&sim, "GET", "/trackings/dhl/NOPE1", k, None)
                .await
                .2
        ),
        4031
    );
    let over: Vec<Value> = (0..41)
        .map(|i| json!({"tracking_number": format!("RN{i:05}"), "carrier_code": "dhl"}))
        .collect();
    let (_, text, v) = common::raw(
        &sim,
        "POST",
        "/trackings/batch",
        k,
        post(Value::Array(over)),
    )
    .await;
    assert_eq!(common::code(&v), 202);
    assert!(text.contains("The largest number of 40 each operation."));
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/trackings/post",
                k,
                post(json!({"tracking_number": "RN124", "carrier_code": "dhl"}))
            )
            .await
            .2
        ),
        200
    );
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/trackings/post",
                k,
                post(json!({"tracking_number": "RN125", "carrier_code": "dhl"}))
            )
            .await
            .2
        ),
        4021
    );
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/carriers/detect",
                k,
                post(json!({"tracking_number": "???"}))
            )
            .await
            .2
        ),
        4032
    );
    assert_eq!(
        common::code(
            &common::raw(&sim, "GET", "/trackings/get?status=shipped", k, None)
                .await
                .2
        ),
        4033
    );
    assert_eq!(
        common::code(&common::raw(&sim, "GET", "/nothing/here", k, None).await.2),
        404
    );
    assert_eq!(
        common::code(&common::raw(&sim, "DELETE", "/carriers", k, None).await.2),
        405
    );
    // A create without a JSON body reads as one without parameters: the carrier is checked
    // first, so it is 4015, as the FAQ says a body not sent as JSON often gives.
    assert_eq!(
        common::code(
            &common::raw(&sim, "POST", "/trackings/post", k, None)
                .await
                .2
        ),
        4015
    );
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "POST",
                "/trackings/batch",
                k,
                post(json!({"not": "an array"}))
            )
            .await
            .2
        ),
        4012
    );
    assert_eq!(
        common::code(
            &common::raw(
                &sim,
                "PUT",
                "/trackings/dhl/RN123",
                k,
                post(json!({"status": "5"}))
            )
            .await
            .2
        ),
        4033,
        "a status other than 4, 7 or 8"
    );

    let sim4020 = common::start(
        Simulator::builder()
            .rate_limits(false)
            .over_limit(OverLimitStyle::Meta4020)
            .batch_max(2),
    )
    .await;
    let three: Vec<Value> = (0..3)
        .map(|i| json!({"tracking_number": format!("RN{i:05}"), "carrier_code": "dhl"}))
        .collect();
    assert_eq!(
        common::code(
            &common::raw(
                &sim4020,
                "POST",
                "/trackings/batch",
                k,
                post(Value::Array(three))
            )
            .await
            .2
        ),
        4020
    );

    let mirror = common::start(
        Simulator::builder()
            .rate_limits(false)
            .mirror_http_status(true),
    )
    .await;
    let (status, _, v) = common::raw(&mirror, "GET", "/trackings/dhl/NOPE1", k, None).await;
    assert_eq!((status, common::code(&v)), (404, 4031));

    // A deleted key, and a feature the account has not had activated.
    let account = common::start(
        Simulator::builder()
            .rate_limits(false)
            .revoked_keys(["old-key"])
            .inactive_features(["trackings/aircargo"]),
    )
    .await;
    assert_eq!(
        common::code(
            &common::raw(&account, "GET", "/carriers", Some("old-key"), None)
                .await
                .2
        ),
        4002
    );
    let (_, _, v) = common::raw(
        &account,
        "POST",
        "/trackings/aircargo",
        k,
        post(json!({"track_number": "172-28891936"})),
    )
    .await;
    assert_eq!(common::code(&v), 4018);

    // The codes no realistic request produces come from the fault plan, with the document's
    // texts, as HTTP 200.
    let codes = [402, 403, 409, 500, 503];
    account.set_faults(FaultPlan {
        script: codes
            .iter()
            .map(|&c| ScriptedFault {
                path: None,
                fault: Fault::Meta {
                    code: c,
                    http_status: None,
                },
            })
            .collect(),
        ..Default::default()
    });
    for c in codes {
        let (status, _, v) = common::raw(&account, "GET", "/carriers", k, None).await;
        assert_eq!((status, common::code(&v)), (200, u64::from(c)));
        let documented = tm_sim::v2_meta_codes()
            .find(|(code, ..)| *code == c)
            .unwrap();
        assert_eq!(v["meta"]["type"], documented.1);
        assert_eq!(v["meta"]["message"], documented.2);
    }
    // Every code the document lists has its text.
    let listed: Vec<u32> = tm_sim::v2_meta_codes().map(|(c, ..)| c).collect();
    for c in [4002, 4018, 4021, 4033, 402, 403, 405, 409, 500, 503] {
        assert!(listed.contains(&c), "{c}");
    }
    let balance = tm_sim::v2_meta_codes().find(|(c, ..)| *c == 4021).unwrap();
    assert!(
        balance.2.contains("balance"),
        "4021 is insufficient balance: {balance:?}"
    );
}

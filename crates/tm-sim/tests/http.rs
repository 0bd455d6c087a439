//! The simulator over HTTP on loopback: every endpoint, every error code, deterministic
//! journeys, faults, webhooks, the state file and rate limits shared through Redis. The
//! original document's own rules have their tests in `document.rs`.

use std::time::Duration;

use futures::TryStreamExt;
use serde_json::{Value, json};
use tm_core::types::*;
use tm_core::{Client, CreateOutcome};
use tm_sim::{
    ClockMode, Fault, FaultPlan, OverLimitStyle, ScriptedFault, SimHandle, Simulator, WebhookTarget,
};

const KEY: &str = "sim-test-key";
/// 2024-03-01T00:00:00Z
const T0: i64 = 1_709_251_200;

async fn start(b: tm_sim::SimulatorBuilder) -> SimHandle {
    b.clock(ClockMode::Manual)
        .start_time(T0)
        .start()
        .await
        .unwrap()
}

fn client(sim: &SimHandle) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(sim.base_url())
        .without_rate_limits()
        .max_attempts(1)
        .build()
        .unwrap()
}

/// A raw call: (HTTP status, body text, parsed JSON).
async fn raw(
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

fn code(v: &Value) -> u64 {
    v["meta"]["code"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_through_the_client() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let c = client(&sim);
    let carriers = c.carriers().list().await.unwrap();
    assert_eq!(carriers.len(), 628);
    let cn = c.carriers().list_in_language("cn").await.unwrap();
    assert_eq!(
        cn.iter()
            .find(|x| x.code == "china-post")
            .unwrap()
            .name
            .as_deref(),
        Some("中国邮政")
    );
    let found = c.carriers().detect("RR123456789CN").await.unwrap();
    assert_eq!(found[0].code, "china-post");
    let found = c.carriers().detect("EA123456789CN").await.unwrap();
    assert_eq!(found[0].code, "china-ems", "express mail first");
    assert_eq!(
        c.carriers().detect("1Z999AA10123456784").await.unwrap()[0].code,
        "ups"
    );
    assert!(c.carriers().detect("???").await.unwrap().is_empty());

    let created = c
        .trackings()
        .create(
            CreateTrackingRequest::new("china-post", "RR123456789CN")
                .title("Mug")
                .destination_code("US")
                .order_id("#1"),
        )
        .await
        .unwrap();
    let t = created.tracking().unwrap();
    assert_eq!(t.status(), Some(&TrackingStatus::Pending));
    assert_eq!(t.id.as_deref().unwrap().len(), 32);
    assert_eq!(
        c.trackings()
            .create(CreateTrackingRequest::new("china-post", "RR123456789CN"))
            .await
            .unwrap(),
        CreateOutcome::AlreadyExists
    );

    let got = c
        .trackings()
        .get("china-post", "RR123456789CN")
        .await
        .unwrap();
    assert_eq!(got.title.as_deref(), Some("Mug"));
    assert_eq!(got.original_country.as_deref(), Some("China"));
    c.trackings()
        .get_in_language("china-post", "RR123456789CN", "en")
        .await
        .unwrap();

    let updated = c
        .trackings()
        .update(
            "china-post",
            "RR123456789CN",
            UpdateTrackingRequest::default()
                .customer_name("Ada")
                .archived(true),
        )
        .await
        .unwrap();
    assert_eq!(updated.archived.value(), Some(&true));

    let report = c
        .trackings()
        .create_many(
            (0..45).map(|i| CreateTrackingRequest::new("ups", format!("1Z999AA1012345{i:04}"))),
        )
        .await;
    assert_eq!(report.counts().created, 45);
    assert_eq!(report.calls, 2);

    let page = c
        .trackings()
        .list(&ListTrackingsRequest::default().limit(10))
        .await
        .unwrap();
    assert_eq!(page.total(), Some(46));
    assert!(
        matches!(page.total, Field::Value(NumberOrString::String(_))),
        "total is a string"
    );
    let all: Vec<_> = c
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(7))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 46);
    let archived = c
        .trackings()
        .list(&ListTrackingsRequest::default().archived(true))
        .await
        .unwrap();
    assert_eq!(archived.items().len(), 1);
    let by_number = c
        .trackings()
        .list(
            &ListTrackingsRequest::default().numbers(["1Z999AA10123450001", "1Z999AA10123450002"]),
        )
        .await
        .unwrap();
    assert_eq!(by_number.items().len(), 2);
    let by_order = c
        .trackings()
        .list(&ListTrackingsRequest::default().orders(["#1"]))
        .await
        .unwrap();
    assert_eq!(by_order.items().len(), 1);

    let refs: Vec<TrackingRef> = (0..3)
        .map(|i| TrackingRef::new("ups", format!("1Z999AA1012345{i:04}")))
        .collect();
    let upd = c
        .trackings()
        .update_many(refs.iter().map(|r| {
            UpdateMoreItem::new(
                r.clone(),
                UpdateTrackingRequest::default().status(StatusInput::MarkDelivered),
            )
        }))
        .await;
    assert_eq!(upd.counts().applied, 3);
    let delivered = c
        .trackings()
        .list(&ListTrackingsRequest::default().status(TrackingStatus::Delivered))
        .await
        .unwrap();
    assert_eq!(delivered.items().len(), 3);
    let stopped = c.trackings().stop_updating_many(refs.clone()).await;
    assert_eq!(stopped.counts().applied, 3);
    let del = c.trackings().delete_many(refs[..2].to_vec()).await;
    assert_eq!(del.counts().applied, 2);
    let del_again = c.trackings().delete_many(refs[..1].to_vec()).await;
    assert_eq!(del_again.counts().rejected, 1);
    c.trackings()
        .delete("ups", "1Z999AA10123450002")
        .await
        .unwrap();
    assert!(
        c.trackings()
            .delete("ups", "1Z999AA10123450002")
            .await
            .unwrap_err()
            .is_not_found()
    );

    let rt = c
        .trackings()
        .realtime(RealtimeRequest::new("china-ems", "LS912989618CN"))
        .await
        .unwrap();
    assert!(
        rt.created_at.is_absent(),
        "realtime items carry no account fields"
    );
    assert!(rt.title.is_absent());

    c.trackings()
        .change_carrier(ChangeCarrierRequest::new(
            "RR123456789CN",
            "china-post",
            "china-ems",
        ))
        .await
        .unwrap();
    assert!(
        c.trackings()
            .get("china-ems", "RR123456789CN")
            .await
            .is_ok()
    );
    assert!(
        c.trackings()
            .get("china-post", "RR123456789CN")
            .await
            .unwrap_err()
            .is_not_found()
    );

    let info = c.account().user_info().await.unwrap();
    assert_eq!(
        info.email.as_deref(),
        Some("sandbox@trackingmore-rs.invalid")
    );
    let counts = c
        .account()
        .status_counts(&StatusCountRequest::default())
        .await
        .unwrap();
    assert_eq!(counts.total(), 43, "46 created, 3 deleted");
    let remote = c
        .trackings()
        .remote_areas(
            &(0..8)
                .map(|i| RemoteAreaQuery::new("JP", format!("76210{i:02}")))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    let n = remote.remote.value().map_or(0, Vec::len) + remote.other.value().map_or(0, Vec::len);
    assert_eq!(n, 8);
    let times = c
        .trackings()
        .transit_times(&[TransitTimeQuery::new("dhl", "CN", "US")])
        .await
        .unwrap();
    assert!(
        times[0]
            .total
            .value()
            .and_then(NumberOrString::as_u64)
            .unwrap()
            >= 40
    );
    let awb = c.trackings().air_cargo("172-28891936").await.unwrap();
    assert_eq!(awb.airline.as_deref(), Some("Cargolux"));
    assert!(
        c.trackings().air_cargo("bad").await.unwrap_err().api_code()
            == Some(MetaCode::TrackingNumberInvalid)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_error_code() {
    let sim = start(
        Simulator::builder()
            .rate_limits(false)
            .api_keys([KEY])
            .quota(2),
    )
    .await;
    let post = |b: Value| Some(b);
    assert_eq!(
        code(&raw(&sim, "GET", "/carriers", None, None).await.2),
        401
    );
    assert_eq!(
        code(&raw(&sim, "GET", "/carriers", Some("wrong"), None).await.2),
        4001
    );
    let k = Some(KEY);
    assert_eq!(
        code(
            &raw(
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
        code(
            &raw(
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
        code(
            &raw(
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
        code(
            &raw(
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
    let (status, _, dup) = raw(
        &sim,
        "POST",
        "/trackings/post",
        k,
        post(json!({"tracking_number": "RN123", "carrier_code": "dhl"})),
    )
    .await;
    assert_eq!((status, code(&dup)), (200, 4016), "errors come as HTTP 200");
    assert_eq!(dup["data"], json!([]));
    assert_eq!(dup["meta"]["message"], "Tracking already exists.");
    assert_eq!(
        code(
            &raw(
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
        code(&raw(&sim, "GET", "/trackings/dhl/NOPE1", k, None).await.2),
        4031
    );
    let over: Vec<Value> = (0..41)
        .map(|i| json!({"tracking_number": format!("RN{i:05}"), "carrier_code": "dhl"}))
        .collect();
    let (_, text, v) = raw(
        &sim,
        "POST",
        "/trackings/batch",
        k,
        post(Value::Array(over)),
    )
    .await;
    assert_eq!(code(&v), 202);
    assert!(text.contains("The largest number of 40 each operation."));
    assert_eq!(
        code(
            &raw(
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
        code(
            &raw(
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
        code(
            &raw(
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
        code(
            &raw(&sim, "GET", "/trackings/get?status=shipped", k, None)
                .await
                .2
        ),
        4033
    );
    assert_eq!(
        code(&raw(&sim, "GET", "/nothing/here", k, None).await.2),
        404
    );
    assert_eq!(
        code(&raw(&sim, "DELETE", "/carriers", k, None).await.2),
        405
    );
    // A create without a JSON body reads as one without parameters: the carrier is checked
    // first, so it is 4015, as the FAQ says a body not sent as JSON often gives.
    assert_eq!(
        code(&raw(&sim, "POST", "/trackings/post", k, None).await.2),
        4015
    );
    assert_eq!(
        code(
            &raw(
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
        code(
            &raw(
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

    let sim4020 = start(
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
        code(
            &raw(
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

    let mirror = start(
        Simulator::builder()
            .rate_limits(false)
            .mirror_http_status(true),
    )
    .await;
    let (status, _, v) = raw(&mirror, "GET", "/trackings/dhl/NOPE1", k, None).await;
    assert_eq!((status, code(&v)), (404, 4031));

    // A deleted key, and a feature the account has not had activated.
    let account = start(
        Simulator::builder()
            .rate_limits(false)
            .revoked_keys(["old-key"])
            .inactive_features(["trackings/aircargo"]),
    )
    .await;
    assert_eq!(
        code(
            &raw(&account, "GET", "/carriers", Some("old-key"), None)
                .await
                .2
        ),
        4002
    );
    let (_, _, v) = raw(
        &account,
        "POST",
        "/trackings/aircargo",
        k,
        post(json!({"track_number": "172-28891936"})),
    )
    .await;
    assert_eq!(code(&v), 4018);

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
        let (status, _, v) = raw(&account, "GET", "/carriers", k, None).await;
        assert_eq!((status, code(&v)), (200, u64::from(c)));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_look_like_the_captures() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let k = Some(KEY);
    let (_, text, v) = raw(
        &sim,
        "POST",
        "/trackings/batch",
        k,
        Some(json!([
            {"tracking_number": "RR123456789CN", "carrier_code": "china-post"},
            {"tracking_number": "RR123456789CN", "carrier_code": "china-post"}
        ])),
    )
    .await;
    assert_eq!(code(&v), 201);
    assert_eq!(v["meta"]["type"], "Created");
    assert_eq!(v["data"]["submitted"], 2);
    assert_eq!(v["data"]["added"], 1);
    assert_eq!(v["data"]["errors"][0]["code"], 4016);
    let item = &v["data"]["trackings"][0];
    assert_eq!(
        item["order_create_time"], 0,
        "an integer 0, as in the 2019 capture"
    );
    assert!(item.get("updated_at").is_none());
    assert!(!text.contains("http://"), "PHP escapes slashes");
    assert!(
        text.starts_with(r#"{"meta":{"code":201,"type":"Created","message":"#),
        "meta first, as the API sends it: {}",
        &text[..60]
    );
    // A month later the parcel has moved; lastEvent is rebuilt from the newest checkpoint.
    sim.advance(Duration::from_secs(40 * 86_400));
    let (_, text, v) = raw(&sim, "GET", "/trackings/get?page=1&limit=5", k, None).await;
    assert_eq!(v["data"]["total"], "1");
    assert_eq!(v["data"]["count"], 1);
    assert!(text.contains("\\/\\/"), "{text}");
    let t: Tracking = serde_json::from_value(v["data"]["items"][0].clone()).unwrap();
    assert_ne!(t.status(), Some(&TrackingStatus::Pending));
    if let Some(cp) = t.latest_checkpoint() {
        assert_eq!(t.last_event.as_deref(), Some(cp.event_text().as_str()));
        // Postal dates have minutes only.
        assert_eq!(cp.date.as_deref().unwrap().len(), 16);
    }
    // Delete answers `data: []`, the same shape as an error.
    let (_, _, v) = raw(
        &sim,
        "DELETE",
        "/trackings/china-post/RR123456789CN",
        k,
        None,
    )
    .await;
    assert_eq!((code(&v), v["data"].clone()), (200, json!([])));
    // List as POST with a JSON body, as the official PHP class sends it.
    let (_, _, v) = raw(
        &sim,
        "POST",
        "/trackings/get",
        k,
        Some(json!({"page": 1, "limit": 10})),
    )
    .await;
    assert_eq!(v["data"]["total"], "0");
    let (_, _, v) = raw(
        &sim,
        "POST",
        "/trackings/getstatusnumber",
        k,
        Some(json!({})),
    )
    .await;
    assert_eq!(v["data"]["delivered"], 0);
    // `GET /carriers/` with a trailing slash, as PHP-OFF calls it.
    let (_, _, v) = raw(&sim, "GET", "/carriers/", k, None).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 628);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_are_deterministic_for_a_seed_and_move_with_the_clock() {
    let numbers: Vec<String> = (0..30)
        .map(|i| format!("RR{:09}CN", 100_000_000 + i))
        .collect();
    let mut snapshots = Vec::new();
    for seed in [1, 1, 2] {
        let sim = start(Simulator::builder().seed(seed).rate_limits(false)).await;
        let c = client(&sim);
        c.trackings()
            .create_many(
                numbers
                    .iter()
                    .map(|n| CreateTrackingRequest::new("china-post", n).destination_code("GB")),
            )
            .await;
        sim.advance(Duration::from_secs(3 * 86_400));
        let mid: Vec<_> = c
            .trackings()
            .list_all(Default::default())
            .try_collect()
            .await
            .unwrap();
        sim.advance(Duration::from_secs(90 * 86_400));
        let end: Vec<_> = c
            .trackings()
            .list_all(Default::default())
            .try_collect()
            .await
            .unwrap();
        // Checkpoints only accumulate.
        for (a, b) in mid.iter().zip(&end) {
            assert!(b.checkpoints().count() >= a.checkpoints().count());
        }
        let finals: Vec<_> = end.iter().filter_map(|t| t.status().cloned()).collect();
        assert!(
            finals
                .iter()
                .all(|s| !matches!(s, TrackingStatus::Pending | TrackingStatus::Transit)),
            "{finals:?}"
        );
        assert!(
            finals
                .iter()
                .filter(|s| **s == TrackingStatus::Delivered)
                .count()
                >= 10,
            "{finals:?}"
        );
        // International postal items get a last-mile leg with Royal Mail.
        assert!(end.iter().any(|t| {
            t.destination_info
                .value()
                .and_then(|d| d.carrier_code.as_deref())
                == Some("royal-mail")
        }));
        snapshots.push(serde_json::to_string(&(mid, end)).unwrap());
    }
    assert_eq!(snapshots[0], snapshots[1], "same seed, same journeys");
    assert_ne!(snapshots[0], snapshots[2], "another seed, other journeys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_take_effect_in_order() {
    let script = [
        Fault::Http503,
        Fault::Meta429,
        Fault::Html,
        Fault::Empty,
        Fault::MalformedJson,
        Fault::Truncated,
        Fault::WrongContentType,
        Fault::Http429 {
            retry_after: Some(9),
        },
        Fault::Huge { bytes: 100_000 },
    ];
    let plan = FaultPlan {
        script: script
            .iter()
            .cloned()
            .map(|fault| ScriptedFault {
                path: Some("/carriers".into()),
                fault,
            })
            .collect(),
        ..FaultPlan::default()
    };
    let sim = start(Simulator::builder().rate_limits(false).faults(plan)).await;
    let http = reqwest::Client::new();
    let get = || {
        http.get(format!("{}/carriers", sim.base_url()))
            .header("Trackingmore-Api-Key", KEY)
            .send()
    };
    let r = get().await.unwrap();
    assert_eq!(r.status(), 503);
    let r: Value = serde_json::from_slice(&get().await.unwrap().bytes().await.unwrap()).unwrap();
    assert_eq!(code(&r), 429);
    let r = get().await.unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.text().await.unwrap().contains("<html>"));
    let r = get().await.unwrap();
    assert_eq!(r.status(), 500);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = get().await.unwrap().text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&r).is_err() && r.contains("Warning"));
    let r = get().await.unwrap().text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&r).is_err());
    let r = get().await.unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = get().await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "9")
    );
    let r = get().await.unwrap().bytes().await.unwrap();
    assert!(r.len() >= 99_000 && serde_json::from_slice::<Value>(&r).is_ok());
    // Script used up: normal service.
    assert_eq!(get().await.unwrap().status(), 200);
    assert_eq!(sim.stats().faults, script.len() as u64);
    // A dropped connection breaks the body after the request was applied.
    sim.set_faults(FaultPlan {
        script: [ScriptedFault {
            path: Some("/trackings/post".into()),
            fault: Fault::Drop,
        }]
        .into(),
        ..FaultPlan::default()
    });
    let c = client(&sim);
    let err = c
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890"))
        .await
        .unwrap_err();
    assert!(matches!(err, tm_core::Error::Transport { .. }), "{err}");
    assert_eq!(
        sim.tracking_count(),
        1,
        "applied before the connection dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_so_the_client_verifier_accepts_them_and_failures_are_retried() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let receiver = MockServer::start().await;
    // The first delivery fails; the retry succeeds.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let email = "hooks@shop.example";
    let sim = start(
        Simulator::builder()
            .rate_limits(false)
            .account_email(email)
            .webhook(WebhookTarget {
                url: receiver.uri(),
                max_attempts: 3,
                retry_base_ms: 20,
            }),
    )
    .await;
    let c = client(&sim);
    c.trackings()
        .create(CreateTrackingRequest::new("ups", "1Z999AA10123456784"))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(2 * 86_400));
    let mut delivered = Vec::new();
    for _ in 0..200 {
        delivered = sim.deliveries();
        if delivered.iter().any(|d| d.delivered) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let d = delivered.iter().find(|d| d.delivered).expect("a delivery");
    assert_eq!(d.attempts, 2, "{delivered:?}");
    let requests = receiver.received_requests().await.unwrap();
    let verifier = tm_core::WebhookVerifier::new(email);
    let now = std::time::UNIX_EPOCH + Duration::from_secs(T0 as u64 + 2 * 86_400);
    for r in &requests {
        let t = verifier.verify_at(&r.body, now).expect("a valid signature");
        assert_eq!(t.tracking_number, "1Z999AA10123456784");
    }
    assert!(
        tm_core::WebhookVerifier::new("someone@else.example")
            .verify_at(&requests[0].body, now)
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let first = start(Simulator::builder().rate_limits(false).state_file(&file)).await;
    let c = client(&first);
    let created = c
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890").title("Kept"))
        .await
        .unwrap();
    let id = created.tracking().unwrap().id.clone();
    first.advance(Duration::from_secs(86_400));
    first.shutdown().await.unwrap();
    assert!(file.exists());
    let second = start(Simulator::builder().rate_limits(false).state_file(&file)).await;
    let c = client(&second);
    let t = c.trackings().get("dhl", "1234567890").await.unwrap();
    assert_eq!(t.id, id);
    assert_eq!(t.title.as_deref(), Some("Kept"));
    assert_eq!(
        second.now_ms(),
        (T0 + 86_400) * 1000,
        "the manual clock resumes where it stopped"
    );
    // Deleted and re-created: the same id and the first creation time.
    c.trackings().delete("dhl", "1234567890").await.unwrap();
    second.advance(Duration::from_secs(3600));
    let again = c
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890"))
        .await
        .unwrap();
    assert_eq!(again.tracking().unwrap().id, id);
    assert_eq!(
        again.tracking().unwrap().created_at,
        created.tracking().unwrap().created_at
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulators_sharing_a_redis_enforce_one_limit_and_one_suspension() {
    let Some(redis) = tm_redis::testing::TestRedis::start() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provide redis-server"
        );
        eprintln!("skipping: no redis-server could be started");
        return;
    };
    let shared = || {
        Simulator::builder()
            .redis_url(redis.url())
            .suspension(Duration::from_millis(1500))
    };
    let a = start(shared()).await;
    let b = start(shared()).await;
    let k = Some(KEY);
    // One list call per second per IP, across both instances.
    assert_eq!(
        code(&raw(&a, "GET", "/trackings/get", k, None).await.2),
        200
    );
    assert_eq!(
        code(
            &raw(&b, "GET", "/trackings/get", Some("another-key"), None)
                .await
                .2
        ),
        429,
        "the other instance saw the first call from this IP"
    );
    // The suspension is shared too: the first instance refuses even an unlimited class' next
    // list call until it ends.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        code(&raw(&a, "GET", "/trackings/get", k, None).await.2),
        429,
        "still suspended after a second"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        code(&raw(&b, "GET", "/trackings/get", k, None).await.2),
        200
    );
    // Without Redis the instances limit alone rather than fail.
    drop(redis);
    let alone = start(Simulator::builder().redis_url("redis://127.0.0.1:1")).await;
    assert_eq!(
        code(&raw(&alone, "GET", "/trackings/get", k, None).await.2),
        200
    );
    assert!(
        Simulator::builder()
            .redis_url("not a url")
            .start()
            .await
            .is_err()
    );
}

//! The `/v4` routes: one account with `/v2`, v4's envelope and mirrored statuses, every
//! documented code from a realistic request (or the fault plan), v4's limits, the quirks of
//! the official SDKs, journeys in v4's vocabulary, and signed v4 webhook pushes.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use tm_core::types::v4::{
    CreateTrackingRequest, DeliveryStatus, GetTrackingsRequest, UpdateTrackingRequest,
};
use tm_sim::{ErrorData, Fault, FaultPlan, ScriptedFault, Simulator, V4Config};

const V4_KEY: &str = "sim-v4-key";

fn v4_client(sim: &tm_sim::SimHandle) -> tm_core::v4::Client {
    tm_core::v4::Client::builder()
        .api_key(V4_KEY)
        .base_url(sim.v4_base_url())
        .without_rate_limits()
        .max_attempts(1)
        .build()
        .unwrap()
}

/// A raw v4 call: (status, JSON); `url` is under `http://host:port`.
async fn call(
    sim: &tm_sim::SimHandle,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let base = sim.v4_base_url().trim_end_matches("/v4").to_owned();
    let mut req = http
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{base}{url}"),
        )
        .header("Tracking-Api-Key", V4_KEY);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_seen_through_both_generations() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    let v4 = v4_client(&sim);
    let created = v4
        .trackings()
        .create(
            CreateTrackingRequest::new("UPS", "1Z999AA10123456784")
                .note("fragile")
                .customer_sms("+1 555 0100"),
        )
        .await
        .unwrap();
    let t = created.tracking().unwrap().clone();
    let id = t.id.value().unwrap().clone();
    assert_eq!(id.len(), 32);
    assert_eq!(
        t.courier_code.as_deref(),
        Some("ups"),
        "upper-case courier codes are read lower case"
    );
    assert_eq!(t.updating.value(), Some(&true));
    // v2 sees the same tracking, with the same id and v2's names for the fields.
    let v2t = client(&sim)
        .trackings()
        .get("ups", "1Z999AA10123456784")
        .await
        .unwrap();
    assert_eq!(v2t.id.as_deref(), Some(id.as_str()));
    assert_eq!(v2t.comment.as_deref(), Some("fragile"));
    assert_eq!(v2t.customer_phone.as_deref(), Some("+1 555 0100"));
    // A v2 creation gets its v4 id on first sight.
    client(&sim)
        .trackings()
        .create(
            tm_core::types::v2::CreateTrackingRequest::new("china-post", "RR123456789CN")
                .title("Mug"),
        )
        .await
        .unwrap();
    let found = v4.trackings().find("RR123456789CN", None).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title.as_deref(), Some("Mug"));
    let v4_id = found[0].id.value().unwrap().clone();
    // Update, archive, delete through v4; v2 sees each.
    let r = v4
        .trackings()
        .update(
            &v4_id,
            UpdateTrackingRequest::default()
                .destination_country_iso2("DE")
                .archived_status(tm_core::types::v4::ArchivedStatus::Archived),
        )
        .await
        .unwrap();
    assert_eq!(r.destination_country.as_deref(), Some("DE"));
    assert_eq!(r.archived_status.as_deref(), Some("archived"));
    let v2t = client(&sim)
        .trackings()
        .get("china-post", "RR123456789CN")
        .await
        .unwrap();
    assert_eq!(v2t.archived.value(), Some(&true));
    let gone = v4.trackings().delete(&v4_id).await.unwrap().unwrap();
    assert_eq!(gone.tracking_number.as_deref(), Some("RR123456789CN"));
    assert!(
        client(&sim)
            .trackings()
            .get("china-post", "RR123456789CN")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journeys_speak_v4s_statuses_in_order_and_returns_stay_exceptions() {
    let sim = start(Simulator::builder().rate_limits(false).seed(3)).await;
    let v4 = v4_client(&sim);
    let carriers = ["china-post", "ups", "dhl", "usps", "royal-mail", "fedex"];
    let items: Vec<_> = (0..240)
        .map(|i| CreateTrackingRequest::new(carriers[i % carriers.len()], format!("SIM{i:08}X")))
        .collect();
    let report = v4.trackings().create_many(items).await;
    assert_eq!(report.counts().created, 240);
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut substatuses: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..8 {
        sim.advance(Duration::from_secs(6 * 86_400));
        use futures::TryStreamExt;
        let all: Vec<_> = v4
            .trackings()
            .get_all(GetTrackingsRequest::default().items_amount(100))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 240);
        for t in &all {
            *statuses.entry(t.status().unwrap().to_string()).or_default() += 1;
            let cps: Vec<_> = t.checkpoints().collect();
            for c in &cps {
                *substatuses
                    .entry(c.checkpoint_delivery_substatus.value().unwrap().to_string())
                    .or_default() += 1;
            }
            // Each leg newest first; a return to the sender keeps the tracking an exception.
            for leg in [&t.origin_info, &t.destination_info] {
                let times: Vec<_> = leg
                    .value()
                    .unwrap()
                    .checkpoints()
                    .iter()
                    .map(|c| c.time().unwrap())
                    .collect();
                assert!(times.windows(2).all(|w| w[0] >= w[1]), "{:?}", t.id);
            }
            if cps.iter().any(|c| {
                c.checkpoint_delivery_substatus
                    .value()
                    .is_some_and(|s| s.is_sticky())
            }) {
                assert_eq!(t.status(), Some(&DeliveryStatus::Exception), "{:?}", t.id);
            }
            // The tracking's sub-status belongs to its status.
            if let (Some(s), Some(sub)) = (t.status(), t.substatus.value()) {
                assert_eq!(sub.status().as_ref(), Some(s), "{:?}", t.id);
            }
        }
    }
    for s in ["transit", "pickup", "delivered", "exception"] {
        assert!(
            statuses.get(s).is_some_and(|n| *n > 0),
            "{s} never seen: {statuses:?}"
        );
    }
    for s in [
        "inforeceived001",
        "transit001",
        "transit004",
        "pickup001",
        "delivered001",
        "exception010",
        "exception011",
    ] {
        assert!(
            substatuses.contains_key(s),
            "{s} never seen: {substatuses:?}"
        );
    }
    // Delivered is common, returns are rare.
    assert!(
        substatuses["delivered001"] > substatuses["exception010"],
        "{substatuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_v4_code_comes_with_its_status_and_message() {
    let sim = start(
        Simulator::builder()
            .rate_limits(false)
            .quota(2)
            .batch_max(40),
    )
    .await;
    let mut seen: BTreeMap<u64, u16> = BTreeMap::new();
    let mut expect = |what: &str, (status, body): (u16, Value), code: u64| {
        assert_eq!(body["meta"]["code"], code, "{what}: {body}");
        let (http, message) = tm_sim::v4_meta_codes()
            .find(|(c, ..)| u64::from(*c) == code)
            .map(|(_, s, m)| (s, m))
            .unwrap();
        assert_eq!(status, http, "{what}");
        assert_eq!(body["meta"]["message"], message, "{what}");
        seen.insert(code, status);
    };
    let create = |n: &str, c: &str| Some(json!({"tracking_number": n, "courier_code": c}));
    expect(
        "create",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            create("RR123456789CN", "china-post"),
        )
        .await,
        200,
    );
    expect(
        "again",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            create("RR123456789CN", "china-post"),
        )
        .await,
        4101,
    );
    expect(
        "bad number",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            create("R!", "china-post"),
        )
        .await,
        4110,
    );
    expect(
        "no number",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            Some(json!({"courier_code": "ups"})),
        )
        .await,
        4111,
    );
    expect(
        "bad courier",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            create("RR123456789GB", "royalmail"),
        )
        .await,
        4120,
    );
    expect(
        "required field",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            create("00340434161234567890", "deutsche-post"),
        )
        .await,
        4122,
    );
    expect("bad field", call(&sim, "POST", "/v4/trackings/create", Some(json!({"tracking_number": "RR123456780CN", "courier_code": "china-post", "note": {"x": 1}}))).await, 4130);
    expect(
        "quota",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            create("1Z999AA10123456784", "ups"),
        )
        .await,
        200,
    );
    expect(
        "no quota",
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            create("1Z999AA10123456785", "ups"),
        )
        .await,
        4190,
    );
    let batch: Vec<Value> = (0..41)
        .map(|i| json!({"tracking_number": format!("RR{i:09}CN"), "courier_code": "china-post"}))
        .collect();
    expect(
        "41 in a batch",
        call(
            &sim,
            "POST",
            "/v4/trackings/batch",
            Some(Value::Array(batch)),
        )
        .await,
        4103,
    );
    expect(
        "bad id",
        call(
            &sim,
            "PUT",
            "/v4/trackings/update/0123",
            Some(json!({"note": "x"})),
        )
        .await,
        4112,
    );
    let (_, page) = call(
        &sim,
        "GET",
        "/v4/trackings/get?tracking_numbers=RR123456789CN",
        None,
    )
    .await;
    let id = page["data"][0]["id"].as_str().unwrap().to_owned();
    expect(
        "retrack too early",
        call(&sim, "POST", &format!("/v4/trackings/retrack/{id}"), None).await,
        4113,
    );
    expect(
        "undetectable",
        call(
            &sim,
            "POST",
            "/v4/couriers/detect",
            Some(json!({"tracking_number": "??"})),
        )
        .await,
        4121,
    );
    expect(
        "bad awb",
        call(
            &sim,
            "POST",
            "/v4/awb",
            Some(json!({"awb_number": "235-6903043"})),
        )
        .await,
        4160,
    );
    expect(
        "unknown airline",
        call(
            &sim,
            "POST",
            "/v4/awb",
            Some(json!({"awb_number": "111-69030430"})),
        )
        .await,
        4161,
    );
    expect(
        "bad status filter",
        call(
            &sim,
            "GET",
            "/v4/trackings/get?delivery_status=shipped",
            None,
        )
        .await,
        4130,
    );
    expect(
        "wrong method",
        call(&sim, "GET", "/v4/trackings/create", None).await,
        400,
    );
    expect(
        "no such route",
        call(&sim, "GET", "/v4/trackings/nothing", None).await,
        404,
    );
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/couriers/all", sim.v4_base_url()))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    expect(
        "no key",
        (
            status,
            serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap(),
        ),
        401,
    );
    // The codes no realistic request produces here, through the fault plan.
    let scripted: Vec<ScriptedFault> = [
        4102, 403, 429, 511, 512, 513, 4162, 4163, 4164, 4165, 4166, 4167, 4168,
    ]
    .into_iter()
    .map(|code| ScriptedFault {
        path: Some("/v4/".into()),
        fault: Fault::Meta {
            code,
            http_status: None,
        },
    })
    .collect();
    let codes: Vec<u64> = scripted
        .iter()
        .map(|f| match f.fault {
            Fault::Meta { code, .. } => u64::from(code),
            _ => 0,
        })
        .collect();
    sim.set_faults(FaultPlan {
        script: scripted.into(),
        ..Default::default()
    });
    for code in codes {
        expect(
            "fault",
            call(&sim, "GET", "/v4/couriers/all", None).await,
            code,
        );
    }
    let documented: Vec<u64> = tm_sim::v4_meta_codes()
        .map(|(c, ..)| u64::from(c))
        .collect();
    for c in documented {
        assert!(seen.contains_key(&c), "code {c} was never produced");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_data_is_configurable_and_4101_data_too() {
    for (choice, want) in [
        (ErrorData::EmptyArray, Some(json!([]))),
        (ErrorData::EmptyObject, Some(json!({}))),
        (ErrorData::Null, Some(Value::Null)),
        (ErrorData::Absent, None),
    ] {
        let sim = start(Simulator::builder().rate_limits(false).v4(V4Config {
            error_data: choice,
            ..Default::default()
        }))
        .await;
        let (status, body) = call(
            &sim,
            "PUT",
            "/v4/trackings/update/0123",
            Some(json!({"note": "x"})),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body.get("data").cloned(), want, "{choice:?}");
    }
    let sim = start(Simulator::builder().rate_limits(false).v4(V4Config {
        exists_data: tm_sim::ExistsData::Full,
        ..Default::default()
    }))
    .await;
    let body = Some(json!({"tracking_number": "RR123456789CN", "courier_code": "china-post"}));
    call(&sim, "POST", "/v4/trackings/create", body.clone()).await;
    let (_, again) = call(&sim, "POST", "/v4/trackings/create", body).await;
    assert_eq!(
        again["data"]["origin_info"]["courier_code"], "china-post",
        "the whole tracking: {again}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdks_quirks_are_tolerated() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    // SDK-PY/JS post to `/v4//awb`; SDK-JAVA leaves a trailing `?`; SDK-PY sends `+` unencoded.
    let (status, awb) = call(
        &sim,
        "POST",
        "/v4//awb",
        Some(json!({"awb_number": "172-56546685"})),
    )
    .await;
    assert_eq!(
        (status, awb["data"]["awb_number"].as_str()),
        (200, Some("172-56546685"))
    );
    call(
        &sim,
        "POST",
        "/v4/trackings/create",
        Some(json!({"tracking_number": "RR123456789CN", "courier_code": "CHINA-POST"})),
    )
    .await;
    for url in [
        "/v4/trackings/get?",
        "/v4/trackings/get",
        "/v4/trackings/get?created_date_min=2000-01-01T00:00:00+00:00&created_date_max=2100-01-01T00:00:00%2B00:00",
    ] {
        let (status, page) = call(&sim, "GET", url, None).await;
        assert_eq!(status, 200, "{url}: {page}");
        assert_eq!(page["data"].as_array().map(Vec::len), Some(1), "{url}");
    }
    // A Content-Type and an empty body on GET and DELETE are ignored.
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{}/couriers/all", sim.v4_base_url()))
        .header("Tracking-Api-Key", V4_KEY)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let couriers: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(couriers["data"].as_array().unwrap().len(), 628);
    let dp = couriers["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["courier_code"] == "deutsche-post")
        .expect("listed");
    assert_eq!(
        dp["tracking_required_fields"],
        json!(["tracking_ship_date"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_limits_are_10_per_second_overall_and_3_for_create_then_a_pause() {
    let sim = start(Simulator::builder().suspension(Duration::from_secs(120))).await;
    let mut codes = Vec::new();
    for i in 0..4 {
        let (s, _) = call(&sim, "POST", "/v4/trackings/create", Some(json!({"tracking_number": format!("RR12345678{i}CN"), "courier_code": "china-post"}))).await;
        codes.push(s);
    }
    assert_eq!(codes, [200, 200, 200, 429], "3 creates per second");
    // Suspended: even a get is refused until the pause ends.
    assert_eq!(call(&sim, "GET", "/v4/couriers/all", None).await.0, 429);
    sim.advance(Duration::from_secs(121));
    let mut codes = Vec::new();
    for _ in 0..11 {
        codes.push(call(&sim, "GET", "/v4/trackings/get", None).await.0);
    }
    assert_eq!(codes.iter().filter(|c| **c == 200).count(), 10, "{codes:?}");
    assert_eq!(codes[10], 429);
    // v2 keeps its own regime.
    let (_, _, v2) = raw(&sim, "GET", "/carriers", Some(KEY), None).await;
    assert_eq!(code(&v2), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrack_restarts_an_expired_tracking() {
    let sim = start(Simulator::builder().rate_limits(false).seed(9)).await;
    let v4 = v4_client(&sim);
    let items: Vec<_> = (0..120)
        .map(|i| CreateTrackingRequest::new("dhl", format!("{:010}", 1_000_000_000u64 + i)))
        .collect();
    v4.trackings().create_many(items).await;
    sim.advance(Duration::from_secs(200 * 86_400));
    let expired = v4
        .trackings()
        .get(
            &GetTrackingsRequest::default()
                .delivery_status(DeliveryStatus::Expired)
                .items_amount(200),
        )
        .await
        .unwrap();
    let t = expired.items.first().expect("some journeys expire");
    let id = t.id.value().unwrap();
    let again = v4.trackings().retrack(id).await.unwrap();
    assert_eq!(again.status(), Some(&DeliveryStatus::Pending));
    assert_eq!(again.updating.value(), Some(&true));
    let e = v4.trackings().retrack(id).await.unwrap_err();
    assert_eq!(
        e.api_code().map(|c| c.code()),
        Some(4113),
        "only an expired tracking"
    );
}

#[cfg(feature = "webhooks")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_pushes_are_signed_with_the_webhook_secret_and_retried() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    for scheme in [
        tm_sim::SignatureScheme::TimestampHex,
        tm_sim::SignatureScheme::BodyBase64,
    ] {
        let sim = start(
            Simulator::builder()
                .rate_limits(false)
                .webhook_secret("whsec-test")
                .webhook(tm_sim::WebhookTarget {
                    retry_base_ms: 10,
                    scheme,
                    ..tm_sim::WebhookTarget::v4(receiver.uri())
                }),
        )
        .await;
        call(
            &sim,
            "POST",
            "/v4/trackings/create",
            Some(json!({"tracking_number": "1Z999AA10123456784", "courier_code": "ups"})),
        )
        .await;
        sim.advance(Duration::from_secs(3 * 86_400));
        let mut delivered = None;
        for _ in 0..100 {
            delivered = sim.deliveries().into_iter().find(|d| d.delivered);
            if delivered.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(delivered.is_some(), "{scheme:?}: {:?}", sim.deliveries());
        let requests = receiver.received_requests().await.unwrap();
        let last = requests.last().unwrap();
        let headers: Vec<(String, String)> = last
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        let verified = tm_core::v4::WebhookVerifier::new("whsec-test")
            .verify(
                headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                &last.body,
            )
            .unwrap_or_else(|e| panic!("{scheme:?}: {e}"));
        assert_eq!(
            verified.tracking.tracking_number.as_deref(),
            Some("1Z999AA10123456784")
        );
        let body: Value = serde_json::from_slice(&last.body).unwrap();
        assert_eq!(body["code"], 200, "the reference's body: {body}");
    }
}

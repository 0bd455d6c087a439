//! RecordingTransport and MockTransport round trip: what is recorded from real sockets replays
//! identically through the mock, and no credential reaches the record or the disk.

use std::time::Duration;

use serde_json::{Value, json};
use tm_transport::fixture::{Body, Reply};
use tm_transport::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "9f2c41d7-5b8e-4a7c-b1d0-3e6f8a2c9d41";

fn requests() -> Vec<HttpRequest> {
    vec![
        HttpRequest::new(Method::Get, "/carriers")
            .operation("v2.carriers.list")
            .sensitive_header("Trackingmore-Api-Key", KEY)
            .header("Lang", "cn"),
        HttpRequest::new(Method::Post, "/trackings/post")
            .operation("v2.trackings.create")
            .sensitive_header("Trackingmore-Api-Key", KEY)
            .header("Content-Type", "application/json")
            // A careless caller echoing the key into a body is scrubbed too.
            .body(format!(
                r#"{{"tracking_number":"RN1","carrier_code":"china-post","comment":"{KEY}"}}"#
            )),
        HttpRequest::new(Method::Get, "/trackings/get")
            .operation("v2.trackings.list")
            .query("page", "2")
            .sensitive_header("Trackingmore-Api-Key", KEY),
    ]
}

#[tokio::test]
async fn recorded_exchanges_replay_identically_and_never_hold_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/carriers"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/json")
                .insert_header("set-cookie", "session=abc")
                .set_body_string(r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":[{"name":"DHL","code":"dhl","homepage":"\/\/www.dhl.com\/"}]}"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/trackings/post"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"meta":{"code":4016,"type":"Bad Request","message":"Tracking already exists."},"data":[]}"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/trackings/get"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let backend = ReqwestTransport::builder(format!("{}/v2", server.uri()))
        .build()
        .unwrap();
    let recorder = RecordingTransport::new(backend)
        .with_dir(dir.path())
        .with_path_prefix("/v2")
        .with_request_headers(&["content-type", "lang"]);
    let mut live = Vec::new();
    for req in requests() {
        live.push(recorder.send(&req).await.unwrap());
    }

    // Nothing recorded, in memory or on disk, holds the key.
    let interactions = recorder.interactions();
    assert_eq!(interactions.len(), 3);
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3);
    assert!(
        files[0].ends_with("0001-v2-carriers-list.json"),
        "{files:?}"
    );
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains(KEY), "{}", f.display());
        assert!(text.contains("<API_KEY>"));
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["schema"], 1);
        let back: Vec<Interaction> = serde_json::from_value(doc["interactions"].clone()).unwrap();
        assert_eq!(back.len(), 1);
    }
    let recorded_text = serde_json::to_string(&interactions).unwrap();
    assert!(!recorded_text.contains(KEY));
    assert!(
        !recorded_text.contains("session=abc"),
        "cookies are redacted"
    );
    // The PHP-style escaped slash is kept byte for byte.
    match &interactions[0].reply {
        Reply::Response(r) => {
            assert!(matches!(&r.body, Some(Body::Text(t)) if t.contains(r#"\/\/www.dhl.com\/"#)))
        }
        other => panic!("{other:?}"),
    }

    // Replay through the mock: same requests match, same responses come back.
    let mock = MockTransport::from_interactions(&interactions).with_path_prefix("/v2");
    for (req, live_resp) in requests().into_iter().zip(&live) {
        let replayed = mock.send(&req).await.unwrap();
        assert_eq!(replayed.status, live_resp.status);
        assert_eq!(replayed.body, live_resp.body);
        assert_eq!(
            replayed.header("content-type"),
            live_resp.header("content-type")
        );
    }
    mock.assert_exhausted();

    // A request that differs from the recording (another body) is reported, not answered.
    let mock = MockTransport::from_interactions(&interactions[1..2]).with_path_prefix("/v2");
    let other = HttpRequest::new(Method::Post, "/trackings/post")
        .sensitive_header("Trackingmore-Api-Key", KEY)
        .header("Content-Type", "application/json")
        .body(r#"{"tracking_number":"RN2","carrier_code":"china-post"}"#);
    assert!(mock.send(&other).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn failures_are_recorded_as_injected_errors_and_replay_as_such() {
    let mock = MockTransport::new()
        .with_step(
            RequestMatcher::new(Method::Get, "/a"),
            MockReply::error(InjectedError::Connect),
        )
        .with_step(
            RequestMatcher::new(Method::Get, "/a"),
            MockReply::error(InjectedError::Timeout),
        )
        .with_step(
            RequestMatcher::new(Method::Get, "/a"),
            MockReply::error(InjectedError::Reset),
        );
    let recorder = RecordingTransport::new(mock);
    let req = HttpRequest::new(Method::Get, "/a").timeout(Duration::from_secs(1));
    for _ in 0..3 {
        assert!(recorder.send(&req).await.is_err());
    }
    let replies: Vec<Reply> = recorder
        .interactions()
        .into_iter()
        .map(|i| i.reply)
        .collect();
    assert_eq!(
        replies,
        [
            Reply::Error(InjectedError::Connect),
            Reply::Error(InjectedError::Timeout),
            Reply::Error(InjectedError::Reset)
        ]
    );
    let replay = MockTransport::from_interactions(&recorder.interactions());
    assert!(matches!(
        replay.send(&req).await,
        Err(TransportError::Connect { .. })
    ));
    assert!(matches!(
        replay.send(&req).await,
        Err(TransportError::Timeout { .. })
    ));
    assert!(matches!(
        replay.send(&req).await,
        Err(TransportError::ConnectionBroken { .. })
    ));
}

#[test]
fn interaction_json_format_is_stable() {
    let i: Interaction = serde_json::from_value(json!({
        "request": {"method": "POST", "path": "/v2/trackings/batch",
                    "headers": {"trackingmore-api-key": "<API_KEY>"},
                    "body": {"json": [{"tracking_number": "RN1"}]}, "body_match": "partial"},
        "response": {"status": 200, "body": {"text": "{\"meta\":{\"code\":202}}"}, "delay_ms": 1500}
    }))
    .unwrap();
    match &i.reply {
        Reply::Response(r) => {
            assert_eq!(r.delay_ms, 1500);
            assert_eq!(&r.to_response().body[..], br#"{"meta":{"code":202}}"#);
        }
        other => panic!("{other:?}"),
    }
    let e: Interaction = serde_json::from_value(json!({
        "request": {"method": "GET", "path": "/v2/carriers"}, "error": "timeout"
    }))
    .unwrap();
    assert_eq!(e.reply, Reply::Error(InjectedError::Timeout));
    assert!(
        serde_json::from_value::<Interaction>(
            json!({"request": {"method": "GET", "path": "/"}, "error": "boom"})
        )
        .is_err()
    );
}

//! Hostile input: numbers and codes that try to change the request, keys that try to split a
//! header, and server bodies built to hurt a decoder. Each is encoded safely, rejected with a
//! clear error, or decoded leniently — never a panic, never an altered request.

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use serde_json::{Value, json};
use tm_core::transport::{HttpRequest, HttpResponse, MockReply, MockTransport};
use tm_core::types::v2::CreateTrackingRequest;
use tm_core::v2::Client;
use tm_core::{ConfigError, Error};

fn capturing() -> (Client, Arc<Mutex<Vec<HttpRequest>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let mock = MockTransport::from_fn(move |req: &HttpRequest| {
        log.lock().unwrap().push(req.clone());
        MockReply::json(
            200,
            json!({"meta": {"code": 200}, "data": {"tracking_number": "x", "carrier_code": "y"}}),
        )
    });
    let client = Client::builder()
        .api_key("hostile-test")
        .transport(mock)
        .without_rate_limits()
        .build()
        .unwrap();
    (client, seen)
}

fn decode_segment(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The request for `get(carrier, number)` keeps exactly its shape.
fn assert_safe(req: &HttpRequest, carrier: &str, number: &str) {
    let segs: Vec<&str> = req.path.split('/').collect();
    assert_eq!(segs.len(), 4, "{:?}", req.path);
    assert_eq!(segs[1], "trackings");
    for s in &segs[2..] {
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~%".contains(c)),
            "unencoded character in {:?}",
            req.path
        );
    }
    assert_eq!(decode_segment(segs[2]), carrier);
    assert_eq!(decode_segment(segs[3]), number);
    assert!(req.query.is_empty());
    let names: Vec<&str> = req.headers.iter().map(|h| h.name.as_ref()).collect();
    assert_eq!(
        names,
        ["trackingmore-api-key", "accept", "content-type"],
        "no header was added or altered"
    );
    assert_eq!(
        req.header_value("trackingmore-api-key"),
        Some("hostile-test")
    );
}

const HOSTILE: &[&str] = &[
    "a/b",
    "../../carriers",
    "a?status=delivered",
    "a#frag",
    "100%",
    "%2e%2e",
    "with space",
    "line\r\nX-Injected: 1",
    "nul\0byte",
    "ünïcödé-номер-号码",
    "🚚📦",
    "...",
    "a\\b",
    "\"quoted\"",
];

#[tokio::test]
async fn hostile_numbers_and_codes_are_encoded_into_one_segment() {
    let (client, seen) = capturing();
    let long = "9".repeat(10_000);
    let mut cases: Vec<&str> = HOSTILE.to_vec();
    cases.push(&long);
    for s in &cases {
        client.trackings().get("ups", s).await.unwrap();
        client
            .trackings()
            .get(s, "1Z999AA10123456784")
            .await
            .unwrap();
    }
    let reqs = seen.lock().unwrap().clone();
    assert_eq!(reqs.len(), cases.len() * 2);
    for (i, s) in cases.iter().enumerate() {
        assert_safe(&reqs[2 * i], "ups", s);
        assert_safe(&reqs[2 * i + 1], s, "1Z999AA10123456784");
    }
}

#[tokio::test]
async fn dot_segments_and_empty_values_are_refused_before_sending() {
    let (client, seen) = capturing();
    for bad in ["", " ", ".", ".."] {
        for e in [
            client.trackings().get("ups", bad).await.unwrap_err(),
            client.trackings().get(bad, "1").await.unwrap_err(),
        ] {
            assert!(matches!(e, Error::InvalidInput { .. }), "{bad:?}: {e}");
        }
        assert!(client.trackings().delete("ups", bad).await.is_err());
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn hostile_strings_travel_intact_in_json_bodies() {
    let (client, seen) = capturing();
    for s in HOSTILE {
        client
            .trackings()
            .create(CreateTrackingRequest::new("ups", *s).title(*s))
            .await
            .unwrap();
    }
    for (req, s) in seen.lock().unwrap().iter().zip(HOSTILE) {
        assert_eq!(req.path, "/trackings/post");
        let body: Value = serde_json::from_slice(req.body.as_ref().unwrap()).unwrap();
        assert_eq!(body["tracking_number"], *s);
        assert_eq!(body["title"], *s);
    }
}

#[tokio::test]
async fn hostile_numbers_reach_a_real_server_as_one_segment() {
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"meta":{"code":200},"data":{"tracking_number":"x","carrier_code":"y"}}"#,
        ))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("hostile-test")
        .base_url(format!("{}/v2", server.uri()))
        .without_rate_limits()
        .build()
        .unwrap();
    for s in HOSTILE {
        client.trackings().get("ups", s).await.unwrap();
    }
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), HOSTILE.len());
    for (r, s) in received.iter().zip(HOSTILE) {
        let segs: Vec<String> = r.url.path_segments().unwrap().map(decode_segment).collect();
        assert_eq!(segs, ["v2", "trackings", "ups", s], "{}", r.url);
        assert!(r.url.query().is_none());
        assert!(r.headers.get("x-injected").is_none());
    }
}

#[test]
fn keys_with_newlines_or_invisible_characters_are_config_errors() {
    for key in [
        "abc\ndef",
        "abc\r\nX-Injected: 1",
        "abc\u{200b}def",
        "abc\u{7f}",
        "tab\tkey",
        "nul\0",
    ] {
        let e = Client::builder()
            .api_key(key)
            .transport(MockTransport::new())
            .build()
            .unwrap_err();
        assert!(matches!(e, ConfigError::InvalidApiKey(_)), "{key:?}: {e}");
        assert!(!e.to_string().contains("abc"), "the key is not echoed");
    }
}

fn answering(body: Vec<u8>) -> Client {
    let mock =
        MockTransport::from_fn(move |_| MockReply::response(HttpResponse::new(200, body.clone())));
    Client::builder()
        .api_key("hostile-test")
        .transport(mock)
        .without_rate_limits()
        .max_attempts(1)
        .build()
        .unwrap()
}

#[tokio::test]
async fn deeply_nested_bodies_are_a_decode_error_not_a_stack_overflow() {
    let depth = 200_000;
    let body = format!(
        "{{\"meta\":{{\"code\":200}},\"data\":{}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let e = answering(body.into_bytes())
        .trackings()
        .get("ups", "1")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
    let nested_objects = format!(
        "{{\"meta\":{{\"code\":200}},\"data\":{}1{}}}",
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    );
    assert!(
        answering(nested_objects.into_bytes())
            .account()
            .user_info()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn out_of_range_numbers_huge_strings_and_duplicate_keys() {
    let t = |extra: &str| {
        format!(r#"{{"meta":{{"code":200}},"data":{{"tracking_number":"1","carrier_code":"ups"{extra}}}}}"#).into_bytes()
    };
    for extra in [
        r#","itemTimeLength":1e400"#,
        r#","itemTimeLength":18446744073709551616"#,
        r#","stayTimeLength":-99999999999999999999"#,
    ] {
        let e = answering(t(extra))
            .trackings()
            .get("ups", "1")
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Decode(_)), "{extra}: {e}");
    }
    let e = answering(t(r#","title":"a","title":"b""#))
        .trackings()
        .get("ups", "1")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("duplicate field"), "{e}");
    let e = answering(br#"{"meta":{"code":200},"meta":{"code":200},"data":{}}"#.to_vec())
        .account()
        .user_info()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
    // A 5 MB string is just a long title.
    let big = format!(r#","title":"{}""#, "x".repeat(5 << 20));
    let got = answering(t(&big))
        .trackings()
        .get("ups", "1")
        .await
        .unwrap();
    assert_eq!(got.title.as_deref().map(str::len), Some(5 << 20));
}

/// Every leaf of a valid tracking body, one at a time, replaced by a value of the wrong type.
#[tokio::test]
async fn wrong_types_in_every_field_decode_leniently_or_fail_cleanly() {
    let capture: Value = serde_json::from_str(include_str!(
        "../../../fixtures/captures/09-realtime-china-ems-with-usps-2018.json"
    ))
    .unwrap();
    let item = capture["body"]["data"]["items"][0].clone();
    let mut paths = Vec::new();
    fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => o
                .iter()
                .for_each(|(k, x)| leaves(x, format!("{at}/{k}"), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| leaves(x, format!("{at}/{i}"), out)),
            _ => out.push(at),
        }
    }
    leaves(&item, String::new(), &mut paths);
    assert!(paths.len() > 50);
    let (mut lenient, mut refused) = (0, 0);
    for p in &paths {
        for wrong in [
            json!(12345),
            json!({"unexpected": true}),
            json!([1, "two"]),
            json!(true),
            json!("text"),
        ] {
            let mut t = item.clone();
            *t.pointer_mut(p).unwrap() = wrong;
            let body = json!({"meta": {"code": 200}, "data": {"items": [t]}});
            let client = answering(serde_json::to_vec(&body).unwrap());
            match client
                .trackings()
                .realtime(tm_core::types::v2::RealtimeRequest::new(
                    "china-ems",
                    "LS912989618CN",
                ))
                .await
            {
                Ok(_) => lenient += 1,
                Err(Error::Decode(d)) => {
                    assert!(d.path.starts_with("data.items[0]"), "{p}: {}", d.path);
                    refused += 1;
                }
                Err(other) => panic!("{p}: {other}"),
            }
        }
    }
    println!(
        "{} mutations: {lenient} decoded leniently, {refused} refused with the path of the bad field",
        lenient + refused
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_number_is_encoded_safely_or_refused(carrier in "\\PC{0,12}|[a-z-]{1,12}", number in "\\PC{0,40}|.{0,10}") {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (client, seen) = capturing();
        let result = rt.block_on(client.trackings().get(&carrier, &number));
        let reqs = seen.lock().unwrap().clone();
        match result {
            Ok(_) => {
                prop_assert_eq!(reqs.len(), 1);
                assert_safe(&reqs[0], &carrier, &number);
            }
            Err(Error::InvalidInput { .. }) => prop_assert!(reqs.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error: {}", other),
        }
    }
}

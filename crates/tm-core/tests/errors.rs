//! Every meta code maps to the right error; throttling and bad bodies become clear errors.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use tm_core::Error;
use tm_core::transport::{HttpResponse, MockReply, MockTransport};
use tm_core::types::v2::MetaCode;
use tm_core::v2::Client;
use tokio::time::Instant;

fn get_client(reply: impl Fn() -> MockReply + Send + Sync + 'static) -> (Client, MockTransport) {
    let mock = MockTransport::from_fn(move |_| reply());
    (client(&mock), mock)
}

#[tokio::test(start_paused = true)]
async fn every_documented_error_code_is_an_api_error_with_that_code() {
    let codes = [
        202, 401, 4001, 4002, 4012, 4013, 4014, 4015, 4016, 4017, 4018, 4019, 4020, 4021, 4031,
        4032, 4033, 402, 403, 404, 405, 409,
    ];
    for code in codes {
        let (client, _) = get_client(move || api_err(code, "Bad Request", "nope"));
        let e = client.trackings().get("dhl", "RN1").await.unwrap_err();
        assert_eq!(
            e.api_code(),
            Some(MetaCode::from_code(code).into()),
            "{code}"
        );
        assert!(!e.is_retryable(), "{code} is not retryable");
        assert_eq!(e.operation(), Some(tm_core::Operation::V2TrackingsGet));
        let Error::Api(api) = &e else {
            panic!("{code}: {e:?}")
        };
        assert_eq!(api.message, "nope");
        assert_eq!(api.kind.as_deref(), Some("Bad Request"));
    }
    let (client, _) = get_client(|| api_err(4001, "Unauthorized", "Invalid API key."));
    assert!(
        client
            .carriers()
            .list()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    let (client, _) = get_client(|| api_err(4019, "Bad Request", "Balance insufficient."));
    assert!(
        client
            .account()
            .user_info()
            .await
            .unwrap_err()
            .is_quota_exhausted()
    );
    // An unknown code is kept, not rejected.
    let (client, _) = get_client(|| api_err(4999, "Bad Request", "new"));
    assert_eq!(
        client.account().user_info().await.unwrap_err().api_code(),
        Some(MetaCode::Other(4999).into())
    );
}

#[tokio::test(start_paused = true)]
async fn success_as_200_and_as_201_both_decode() {
    for code in [200, 201] {
        let (client, _) = get_client(move || {
            MockReply::json(
                200,
                json!({"meta": {"code": code, "type": "Created", "message": "ok"}, "data": {"email": "a@b.c"}}),
            )
        });
        assert_eq!(
            client.account().user_info().await.unwrap().email.as_deref(),
            Some("a@b.c")
        );
    }
}

#[tokio::test(start_paused = true)]
async fn meta_429_is_retried_after_the_cooloff_then_succeeds() {
    let mock = MockTransport::new()
        .with_step(
            tm_core::transport::RequestMatcher::new(
                tm_core::transport::Method::Get,
                "/trackings/getuserinfo",
            ),
            api_err(429, "Too Many Requests", "slow down"),
        )
        .with_step(
            tm_core::transport::RequestMatcher::new(
                tm_core::transport::Method::Get,
                "/trackings/getuserinfo",
            ),
            ok(json!({"email": "a@b.c"})),
        );
    let client = client(&mock);
    let start = Instant::now();
    client.account().user_info().await.unwrap();
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(120),
        "the documented two-minute cool-off"
    );
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn persistent_throttling_ends_as_rate_limited_with_the_wait_and_attempts() {
    let (client, mock) = get_client(|| {
        MockReply::response(HttpResponse::new(429, "").with_header("retry-after", "5"))
    });
    let e = client.trackings().get("dhl", "RN1").await.unwrap_err();
    match &e {
        Error::RateLimited {
            retry_after,
            attempts,
            operation,
        } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(5)));
            assert_eq!(*attempts, 3);
            assert_eq!(*operation, tm_core::Operation::V2TrackingsGet);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.is_rate_limited() && e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(5)));
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_wait_longer_than_allowed_fails_fast() {
    let mock = MockTransport::from_fn(|_| {
        MockReply::response(HttpResponse::new(429, "").with_header("retry-after", "7200"))
    });
    let client = Client::builder()
        .api_key(KEY)
        .transport(mock.clone())
        .build()
        .unwrap();
    let start = Instant::now();
    let e = client.account().user_info().await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7200)));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn meta_503_on_a_read_is_retried() {
    let mock = MockTransport::new()
        .with_step(
            tm_core::transport::RequestMatcher::new(tm_core::transport::Method::Get, "/carriers"),
            api_err(503, "Service Unavailable", "maintenance"),
        )
        .with_step(
            tm_core::transport::RequestMatcher::new(tm_core::transport::Method::Get, "/carriers"),
            ok(json!([{"code": "dhl"}])),
        );
    let client = client(&mock);
    assert_eq!(client.carriers().list().await.unwrap().len(), 1);
    mock.assert_exhausted();
}

#[tokio::test(start_paused = true)]
async fn an_html_error_page_is_a_clear_api_error() {
    let (client, _) = get_client(|| {
        MockReply::response(
            HttpResponse::new(502, "<html><body>Bad Gateway</body></html>")
                .with_header("content-type", "text/html; charset=utf-8"),
        )
    });
    let e = client.trackings().get("dhl", "RN1").await.unwrap_err();
    let Error::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.http_status, 502);
    assert_eq!(api.code, None);
    assert!(api.message.contains("text/html"), "{}", api.message);
    assert!(api.body.as_deref().unwrap().contains("Bad Gateway"));
    assert!(e.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn an_empty_error_body_is_a_clear_api_error() {
    let (client, _) = get_client(|| MockReply::response(HttpResponse::new(500, "")));
    let e = client.carriers().list().await.unwrap_err();
    assert!(e.to_string().contains("HTTP 500 with an empty body"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn an_error_status_with_an_envelope_keeps_the_meta_code() {
    let (client, _) = get_client(|| {
        MockReply::json(
            400,
            json!({"meta": {"code": 4016, "type": "Bad Request", "message": "Tracking already exists."}, "data": []}),
        )
    });
    let e = client.trackings().get("dhl", "RN1").await.unwrap_err();
    assert_eq!(e.api_code(), Some(MetaCode::TrackingExists.into()));
    assert_eq!(e.status(), Some(400));
}

#[tokio::test(start_paused = true)]
async fn a_truncated_200_on_a_read_is_retried_then_reported_as_a_decode_error() {
    let (client, mock) = get_client(|| {
        MockReply::response(HttpResponse::new(
            200,
            r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":{"tracking_nu"#,
        ))
    });
    let e = client.trackings().get("dhl", "RN1").await.unwrap_err();
    assert_eq!(
        mock.requests().len(),
        3,
        "a cut-off body on a read is retried"
    );
    let Error::Decode(d) = &e else {
        panic!("{e:?}")
    };
    assert!(d.message.contains("not valid JSON"), "{}", d.message);
    assert!(d.excerpt.contains("tracking_nu"), "{}", d.excerpt);
}

#[tokio::test(start_paused = true)]
async fn a_malformed_200_on_change_carrier_is_not_resent() {
    let (client, mock) = get_client(|| MockReply::response(HttpResponse::new(200, "{meta: 200}")));
    let req = tm_core::types::v2::ChangeCarrierRequest::new("RN1", "dhl", "ups");
    let e = client.trackings().change_carrier(req).await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_wrongly_typed_field_names_its_json_path() {
    let (client, _) = get_client(|| {
        ok(
            json!({"tracking_number": "B", "carrier_code": "dhl", "origin_info": {"trackinfo": "not a list"}}),
        )
    });
    let e = client.trackings().get("dhl", "B").await.unwrap_err();
    let Error::Decode(d) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(d.path, "data.origin_info.trackinfo");
    assert!(d.line >= 1 && d.column > 1);
    assert!(e.to_string().contains("data.origin_info.trackinfo"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn one_tracking_that_does_not_decode_does_not_lose_its_page() {
    let page = || {
        ok(json!({"page": 1, "limit": 10, "total": "3", "items": [
            {"tracking_number": "A", "carrier_code": "dhl"},
            {"tracking_number": "B", "carrier_code": "dhl", "origin_info": {"trackinfo": "not a list"}},
            {"tracking_number": "C", "carrier_code": "dhl", "archived": "1", "itemTimeLength": "4"}
        ]}))
    };
    let (client, _) = get_client(page);
    let p = client.trackings().list(&Default::default()).await.unwrap();
    let numbers: Vec<&str> = p
        .items()
        .iter()
        .map(|t| t.tracking_number.as_str())
        .collect();
    assert_eq!(numbers, ["A", "C"], "PHP-style values decode; only B fails");
    assert_eq!(p.len(), 3);
    let bad = &p.undecoded[0];
    assert_eq!(bad.index, 1);
    assert_eq!(bad.raw["tracking_number"], "B", "kept as sent");
    assert_eq!(bad.error.path, "data.items[1].origin_info.trackinfo");

    // A stream puts the error in the item's place and goes on after it.
    let (client, _) = get_client(page);
    use futures::StreamExt;
    let all: Vec<_> = client
        .trackings()
        .list_all(Default::default())
        .collect()
        .await;
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].as_ref().unwrap().tracking_number, "A");
    match &all[1] {
        Err(Error::Undecoded(u)) => assert_eq!(u.raw["tracking_number"], "B"),
        other => panic!("{other:?}"),
    }
    assert_eq!(all[2].as_ref().unwrap().tracking_number, "C");
}

#[tokio::test(start_paused = true)]
async fn a_200_with_a_wrong_content_type_but_a_valid_envelope_is_read() {
    let (client, _) = get_client(|| {
        MockReply::response(
            HttpResponse::new(200, r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":{"email":"a@b.c"}}"#)
                .with_header("content-type", "text/html"),
        )
    });
    assert!(client.account().user_info().await.is_ok());
}

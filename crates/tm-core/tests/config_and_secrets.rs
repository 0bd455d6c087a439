//! Construction rules and the key's secrecy: never in Debug, Display, errors or logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;
use tm_core::transport::{HttpResponse, InjectedError, MockReply, MockTransport};
use tm_core::types::v2::CreateTrackingRequest;
use tm_core::v2::Client;
use tm_core::{ConfigError, Error};

#[test]
fn https_by_default_and_http_only_to_loopback_or_on_opt_in() {
    let c = Client::builder().api_key(KEY).build().unwrap();
    assert_eq!(c.config().base_url, "https://api.trackingmore.com/v2");
    for ok in [
        "http://127.0.0.1:8080/v2",
        "http://localhost:9/v2",
        "http://[::1]:80/v2",
        "https://api.example.com/v2",
    ] {
        assert!(
            Client::builder().api_key(KEY).base_url(ok).build().is_ok(),
            "{ok}"
        );
    }
    let e = Client::builder()
        .api_key(KEY)
        .base_url("http://api.trackingmore.com/v2")
        .build()
        .unwrap_err();
    assert!(matches!(e, ConfigError::InvalidBaseUrl { .. }), "{e}");
    assert!(e.to_string().contains("clear text"));
    assert!(
        Client::builder()
            .api_key(KEY)
            .base_url("http://api.trackingmore.com/v2")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
    for bad in [
        "ftp://x/v2",
        "not a url",
        "https://u:p@x/v2",
        "https://x/v2?k=1",
    ] {
        assert!(
            Client::builder()
                .api_key(KEY)
                .base_url(bad)
                .build()
                .is_err(),
            "{bad}"
        );
    }
}

#[test]
fn a_malformed_key_is_a_config_error_that_never_shows_the_key() {
    for bad in [
        "", "abc def", "abc\ndef", "abc\r\n", "abc\u{0}", "tab\tkey", "ключ",
    ] {
        let e = Client::builder().api_key(bad).build().unwrap_err();
        assert!(matches!(e, ConfigError::InvalidApiKey(_)), "{bad:?}: {e}");
        if !bad.is_empty() {
            assert!(!e.to_string().contains(bad));
        }
    }
    assert_eq!(
        Client::builder().build().unwrap_err(),
        ConfigError::MissingApiKey
    );
}

#[test]
fn explicit_settings_beat_the_environment_whichever_comes_first() {
    let env = |name: &str| match name {
        "TRACKINGMORE_API_KEY" => Some("env-key".to_owned()),
        "TRACKINGMORE_BASE_URL" => Some("http://127.0.0.1:1/v2".to_owned()),
        "TRACKINGMORE_MAX_ATTEMPTS" => Some("7".to_owned()),
        "TRACKINGMORE_TIMEOUT_SECS" => Some("2.5".to_owned()),
        _ => None,
    };
    let c = Client::builder()
        .with_env_from(env)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(c.config().base_url, "http://127.0.0.1:1/v2");
    assert_eq!(c.config().retry.max_attempts, 7);
    assert_eq!(c.config().attempt_timeout.as_millis(), 2500);
    let c = Client::builder()
        .base_url("http://127.0.0.1:2/v2")
        .max_attempts(2)
        .with_env_from(env)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(c.config().base_url, "http://127.0.0.1:2/v2");
    assert_eq!(c.config().retry.max_attempts, 2);
    let c = Client::builder()
        .with_env_from(env)
        .unwrap()
        .base_url("http://127.0.0.1:3/v2")
        .build()
        .unwrap();
    assert_eq!(c.config().base_url, "http://127.0.0.1:3/v2");
    let bad = Client::builder()
        .with_env_from(|n| (n == "TRACKINGMORE_MAX_ATTEMPTS").then(|| "many".to_owned()));
    assert!(matches!(bad, Err(ConfigError::InvalidSetting { .. })));
    let bad = Client::builder()
        .with_env_from(|n| (n == "TRACKINGMORE_TIMEOUT_SECS").then(|| "-1".to_owned()));
    assert!(bad.is_err());
}

/// A `tracing` writer that keeps everything, at the most verbose level.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn the_key_never_appears_in_debug_display_errors_or_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = MockTransport::new()
        .with_step(
            tm_core::transport::RequestMatcher::new(tm_core::transport::Method::Get, "/carriers"),
            MockReply::error(InjectedError::Connect),
        )
        .with_step(
            tm_core::transport::RequestMatcher::new(tm_core::transport::Method::Get, "/carriers"),
            ok(json!([{"code": "dhl"}])),
        );
    let client = client(&mock);
    let mut texts = vec![
        format!("{client:?}"),
        format!("{:?}", Client::builder().api_key(KEY)),
    ];
    client.carriers().list().await.unwrap();

    let failing = MockTransport::from_fn(|_| {
        MockReply::response(HttpResponse::new(
            502,
            format!("<html>{}</html>", "x".repeat(10)),
        ))
    });
    let client = common::client(&failing);
    let errors: Vec<Error> = vec![
        client.trackings().get("dhl", "RN1").await.unwrap_err(),
        client
            .trackings()
            .create(CreateTrackingRequest::new("dhl", ""))
            .await
            .unwrap_err(),
        Error::Config(
            Client::builder()
                .api_key(format!("{KEY}\n"))
                .build()
                .unwrap_err(),
        ),
    ];
    for e in &errors {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
    }
    for req in mock.requests() {
        texts.push(format!("{req:?}"));
    }
    texts.push(String::from_utf8(capture.0.lock().unwrap().clone()).unwrap());
    let all = texts.join("\n");
    assert!(all.contains("v2.trackings.get"), "the log was captured");
    assert!(!all.contains(KEY), "the key leaked:\n{all}");
    assert!(!all.contains(&KEY[..12]), "part of the key leaked");
}

#[test]
fn settings_that_cannot_take_effect_are_refused_with_a_reason() {
    use std::sync::Arc;
    use std::time::Duration;
    use tm_core::transport::{LocalRateLimiter, MockTransport, Rate, RateClass, RateLimits};
    use tm_core::{ConfigError, v2::rules};

    let mock = MockTransport::new();
    let with_mock = || {
        tm_core::v2::Client::builder()
            .api_key("k")
            .transport(mock.clone())
    };
    for (setting, built) in [
        (
            "base_url",
            with_mock().base_url("https://api.example.com/v2").build(),
        ),
        (
            "connect_timeout",
            with_mock().connect_timeout(Duration::from_secs(2)).build(),
        ),
        ("max_body_bytes", with_mock().max_body_bytes(1024).build()),
    ] {
        match built {
            Err(ConfigError::NotApplicable { setting: s, reason }) => {
                assert_eq!(s, setting);
                assert!(reason.contains("custom transport"), "{reason}");
            }
            other => panic!("{setting}: expected NotApplicable, got {other:?}"),
        }
    }
    // The base URL from the environment is refused too, and the message says where it came from.
    let env = |name: &str| {
        (name == "TRACKINGMORE_BASE_URL").then(|| "https://proxy.example/v2".to_owned())
    };
    let err = with_mock().with_env_from(env).unwrap().build().unwrap_err();
    assert!(err.to_string().contains("TRACKINGMORE_BASE_URL"), "{err}");

    // Limits for a limiter that brings its own.
    let limiter = Arc::new(LocalRateLimiter::new(rules::rate_limits()));
    let err = tm_core::v2::Client::builder()
        .api_key("k")
        .rate_limiter(limiter)
        .rate_limits(RateLimits::new().with_class(rules::LIST, Some(Rate::per_second(2))))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::NotApplicable {
                setting: "rate_limits",
                ..
            }
        ),
        "{err}"
    );

    // A misspelt class is refused, naming the real ones.
    let err = tm_core::v2::Client::builder()
        .api_key("k")
        .rate_limits(RateLimits::new().with_class(RateClass::new("realtme"), None))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rate class `realtme` is not one of this API's classes (default, list, realtime)"
    );
}

#[test]
fn overridden_limits_keep_the_documented_ones_for_the_other_classes() {
    use tm_core::transport::{Rate, RateLimits};
    use tm_core::v2::rules::{DEFAULT, LIST, REALTIME};
    let client = tm_core::v2::Client::builder()
        .api_key("k")
        .rate_limits(RateLimits::new().with_class(LIST, Some(Rate::per_second(5))))
        .build()
        .unwrap();
    let limits = &client.config().rate_limits;
    assert_eq!(limits.rate_for(&LIST), Ok(Some(Rate::per_second(5))));
    assert_eq!(limits.rate_for(&REALTIME), Ok(Some(Rate::per_second(3))));
    assert_eq!(limits.rate_for(&DEFAULT), Ok(Some(Rate::per_second(1))));
    assert_eq!(
        client.config().retry.throttle_cooloff.as_secs(),
        120,
        "v2's documented pause"
    );
}

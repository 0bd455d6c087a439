//! ReqwestTransport against real sockets on loopback: wiremock, and a raw TCP peer for
//! broken connections.

use std::time::Duration;

use tm_transport::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn transport(base: &str) -> ReqwestTransport {
    ReqwestTransport::builder(base).build().unwrap()
}

#[tokio::test]
async fn sends_method_path_query_headers_and_body_and_reads_the_response() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/trackings/post"))
        .and(query_param("lang", "en & cn"))
        .and(header("trackingmore-api-key", "k-123"))
        .and(header("content-type", "application/json"))
        .and(header(
            "user-agent",
            concat!("trackingmore-rs/", env!("CARGO_PKG_VERSION")),
        ))
        .and(body_string(r#"{"tracking_number":"RN1"}"#))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("x-request-id", "abc")
                .set_body_string(r#"{"meta":{"code":201}}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let t = transport(&format!("{}/v2/", server.uri()));
    let req = HttpRequest::new(Method::Post, "/trackings/post")
        .query("lang", "en & cn")
        .sensitive_header("Trackingmore-Api-Key", "k-123")
        .header("Content-Type", "application/json")
        .body(r#"{"tracking_number":"RN1"}"#);
    let resp = t.send(&req).await.unwrap();
    assert_eq!(resp.status, 201);
    assert_eq!(resp.header("X-Request-Id"), Some("abc"));
    assert_eq!(&resp.body[..], br#"{"meta":{"code":201}}"#);
}

#[tokio::test]
async fn paths_join_the_base_path_and_keep_their_percent_encoding() {
    let server = MockServer::start().await;
    // The server sees the raw request target, so an encoded `/` inside a segment stays one
    // segment and a `..` segment has been resolved by the client. Each path answers its own
    // name, so a request that lands elsewhere (wiremock's 404) fails the check.
    let served = [
        ("/v4/trackings/dhl/AB%2FC%20D", "prefixed"),
        ("/v4/couriers/all", "dot segments"),
        ("/carriers", "bare host"),
    ];
    for (at, name) in served {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_string(name))
            .mount(&server)
            .await;
    }
    let uri = server.uri();
    let cases = [
        (format!("{uri}/v4"), "/trackings/dhl/AB%2FC%20D", "prefixed"),
        (
            format!("{uri}/v4/"),
            "/trackings/dhl/AB%2FC%20D",
            "prefixed",
        ),
        (format!("{uri}/v4"), "/x/../couriers/all", "dot segments"),
        (format!("{uri}/v4/"), "/x/../couriers/all", "dot segments"),
        (uri.clone(), "/carriers", "bare host"),
    ];
    for (base, request_path, expected) in cases {
        let got = transport(&base)
            .send(&HttpRequest::new(Method::Get, request_path).query("lang", "cn"))
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&got.body).into_owned();
        assert_eq!(
            (got.status, text.as_str()),
            (200, expected),
            "{base} + {request_path}"
        );
    }
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.iter().any(|r| r.url.query() == Some("lang=cn")));
}

#[tokio::test]
async fn error_statuses_are_responses_not_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>down</html>"))
        .mount(&server)
        .await;
    let resp = transport(&server.uri())
        .send(&HttpRequest::new(Method::Get, "/x"))
        .await
        .unwrap();
    assert_eq!(resp.status, 503);
    assert_eq!(&resp.body[..], b"<html>down</html>");
}

#[tokio::test]
async fn a_slow_response_hits_the_attempt_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let t = transport(&server.uri());
    let err = t
        .send(&HttpRequest::new(Method::Get, "/slow").timeout(Duration::from_millis(200)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::Timeout { after } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert!(err.maybe_sent());
}

#[tokio::test]
async fn the_transport_timeout_applies_unless_the_request_sets_its_own() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(600)))
        .mount(&server)
        .await;
    let t = ReqwestTransport::builder(server.uri())
        .attempt_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    // No timeout on the request, or the transport's own: the transport's default cuts it off.
    for req in [
        HttpRequest::new(Method::Get, "/slow"),
        HttpRequest::new(Method::Get, "/slow").timeout(Duration::from_millis(150)),
    ] {
        let err = t.send(&req).await.unwrap_err();
        assert!(
            matches!(err, TransportError::Timeout { after } if after == Duration::from_millis(150)),
            "{err:?}"
        );
    }
    // A longer timeout on the request wins over the transport's shorter default.
    let resp = t
        .send(&HttpRequest::new(Method::Get, "/slow").timeout(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn an_oversized_body_fails_cleanly_by_content_length_and_by_streaming() {
    let server = MockServer::start().await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 10_000]))
        .mount(&server)
        .await;
    let t = ReqwestTransport::builder(server.uri())
        .max_body_bytes(1_000)
        .build()
        .unwrap();
    let err = t
        .send(&HttpRequest::new(Method::Get, "/big"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::BodyTooLarge { limit: 1_000 }),
        "{err:?}"
    );

    // Chunked, without a Content-Length: the cap is enforced while reading.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = sock.read(&mut buf).await;
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            .await;
        for _ in 0..20 {
            if sock.write_all(b"100\r\n").await.is_err() {
                return;
            }
            let _ = sock.write_all(&[b'y'; 256]).await;
            let _ = sock.write_all(b"\r\n").await;
        }
        let _ = sock.write_all(b"0\r\n\r\n").await;
    });
    let t = ReqwestTransport::builder(format!("http://{addr}"))
        .max_body_bytes(1_000)
        .build()
        .unwrap();
    let err = t
        .send(&HttpRequest::new(Method::Get, "/chunked"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::BodyTooLarge { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_gzip_body_is_decoded() {
    let server = MockServer::start().await;
    let plain = br#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":[]}"#;
    let mut gz = Vec::new();
    {
        // A stored (uncompressed) deflate block inside a gzip frame: valid gzip without a
        // compression library.
        gz.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        gz.push(1);
        let len = plain.len() as u16;
        gz.extend_from_slice(&len.to_le_bytes());
        gz.extend_from_slice(&(!len).to_le_bytes());
        gz.extend_from_slice(plain);
        gz.extend_from_slice(&crc32(plain).to_le_bytes());
        gz.extend_from_slice(&(plain.len() as u32).to_le_bytes());
    }
    Mock::given(method("GET"))
        .and(header("accept-encoding", "gzip"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_bytes(gz),
        )
        .expect(1)
        .mount(&server)
        .await;
    let resp = transport(&server.uri())
        .send(&HttpRequest::new(Method::Get, "/gz"))
        .await
        .unwrap();
    assert_eq!(&resp.body[..], &plain[..]);
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn a_connection_closed_mid_response_is_a_broken_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = sock.read(&mut buf).await;
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 500\r\ncontent-type: application/json\r\n\r\n{\"meta\":")
            .await;
        // Dropping the socket closes it with 490 bytes still owed.
    });
    let err = transport(&format!("http://{addr}"))
        .send(&HttpRequest::new(Method::Get, "/cut"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::ConnectionBroken { .. }),
        "{err:?}"
    );
    assert!(err.maybe_sent());
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_with_nothing_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = transport(&format!("http://{addr}"))
        .send(&HttpRequest::new(Method::Get, "/"))
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Connect { .. }), "{err:?}");
    assert!(!err.maybe_sent());
}

#[tokio::test]
async fn redirects_are_returned_not_followed_so_the_key_never_leaves_for_another_host() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    let resp = transport(&server.uri())
        .send(
            &HttpRequest::new(Method::Get, "/carriers")
                .sensitive_header("Trackingmore-Api-Key", "k-123"),
        )
        .await
        .unwrap();
    assert_eq!(resp.status, 302);
}

#[tokio::test]
async fn bad_requests_are_refused_before_sending_without_echoing_secrets() {
    let t = transport("http://127.0.0.1:9");
    for bad in [
        "/a b",
        "/a?b=1",
        "/a#frag",
        "/a\r\nX-Injected: 1",
        "no-slash",
    ] {
        let err = t
            .send(&HttpRequest::new(Method::Get, bad))
            .await
            .unwrap_err();
        assert!(
            matches!(err, TransportError::InvalidRequest { .. }),
            "{bad:?}: {err:?}"
        );
    }
    let err = t
        .send(
            &HttpRequest::new(Method::Get, "/")
                .sensitive_header("Trackingmore-Api-Key", "secret\nvalue"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::InvalidRequest { .. }));
    assert!(!err.to_string().contains("secret"), "{err}");
    assert!(!format!("{err:?}").contains("secret"));
    for base in [
        "ftp://example.com",
        "not a url",
        "https://example.com/v2?x=1",
    ] {
        assert!(ReqwestTransport::builder(base).build().is_err(), "{base}");
    }
}

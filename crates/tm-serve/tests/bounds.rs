//! Every wait is bounded: slow and idle clients are dropped while others are served, large
//! bodies are refused, the connection count is capped, and a stop ends within its deadline
//! even with a stream open. Real sockets and short limits; each bound is checked with room to
//! spare, so a loaded machine does not fail it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::routing::{get, post};
use tm_serve::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::IntervalStream;

fn app() -> Router {
    Router::new()
        .route(
            "/",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move {
                format!("hello {}", peer.ip())
            }),
        )
        .route(
            "/echo",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .route(
            "/stream",
            get(|| async {
                // A body that never ends, as an event stream's.
                let ticks = IntervalStream::new(tokio::time::interval(Duration::from_millis(50)))
                    .map(|_| Ok::<_, std::io::Error>(Bytes::from_static(b"tick\n")));
                axum::body::Body::from_stream(ticks)
            }),
        )
}

struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(limits: Limits) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(tm_serve::serve(listener, app(), limits, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        task,
    }
}

fn short() -> Limits {
    Limits::default()
        .header_timeout(Duration::from_millis(400))
        .body_timeout(Duration::from_millis(600))
        .idle_timeout(Duration::from_millis(800))
        .max_body(1024)
}

/// A GET on a fresh connection: the status line.
async fn status_of(addr: SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out.lines().next().unwrap_or_default().to_owned()
}

/// Waits until the server closes `s` (reads return 0 or fail); how long it took.
async fn closed_within(s: &mut TcpStream, bound: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at((start + bound).into(), s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_loris_client_is_dropped_while_another_is_served() {
    let server = start(short()).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Served meanwhile, with its address.
    let line = status_of(server.addr, "/").await;
    assert!(line.contains("200"), "{line}");
    let took = closed_within(&mut slow, Duration::from_secs(10)).await;
    assert!(took.is_some(), "the half-sent request was never dropped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_and_a_trickled_one_408() {
    let server = start(short()).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 70000000\r\nConnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out).await;
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
    // Chunked, so no length announces it: refused once it passes the limit.
    let client = reqwest::Client::new();
    let big = client
        .post(format!("http://{}/echo", server.addr))
        .body(reqwest::Body::wrap_stream(tokio_stream::iter(
            (0..8).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 512])),
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    // Headers, then a body that stops coming.
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        .await
        .unwrap();
    let mut out = vec![0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut out))
        .await
        .expect("answered within the bound")
        .unwrap();
    let text = String::from_utf8_lossy(&out[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed() {
    let server = start(short()).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(
        closed_within(&mut s, Duration::from_secs(10))
            .await
            .is_some(),
        "the idle connection stayed open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_wait_for_a_free_slot() {
    let server = start(short().max_connections(2)).await;
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf).await.unwrap();
        holders.push(s);
    }
    // Both slots are taken by streams: a third request waits ...
    let third = tokio::spawn(status_of(server.addr, "/"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!third.is_finished(), "served past the connection limit");
    // ... and is served once a slot frees.
    drop(holders.pop());
    let line = tokio::time::timeout(Duration::from_secs(10), third)
        .await
        .expect("served after a slot freed")
        .unwrap();
    assert!(line.contains("200"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_ends_within_its_deadline_with_streams_open() {
    let mut server = start(short()).await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf).await.unwrap();
        streams.push(s);
    }
    let asked = Instant::now();
    let _ = server.stop.take().unwrap().send(());
    let ended = tokio::time::timeout(Duration::from_secs(2), &mut server.task).await;
    assert!(
        ended.is_ok(),
        "still serving 2 s after the stop ({:?})",
        asked.elapsed()
    );
    for s in &mut streams {
        assert!(closed_within(s, Duration::from_secs(2)).await.is_some());
    }
}

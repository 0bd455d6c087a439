//! # tm-serve — every wait bounded
//!
//! This layer owns the connection loop of the HTTP servers trackingmore-rs runs (the
//! simulator, the dashboard, the webhook listener): each one waits a bounded time for a
//! request's headers, for its body and for the next request on a kept-alive connection; holds
//! a bounded number of connections (the rest wait in the kernel's backlog, so a flood of idle
//! connections cannot take the process's file descriptors); refuses a body over its limit with
//! 413; and stops within a deadline whatever its clients do (a page holding an event stream
//! open, a client that never finishes its request).
//!
//! It serves an axum `Router` over HTTP/1 with what hyper and tower-http already provide:
//! hyper's header read timeout (which hyper also starts when a kept-alive connection falls
//! idle), tower-http's request body limit and request timeout. The peer's address reaches
//! handlers as axum's `ConnectInfo<SocketAddr>`.
//!
//! It must not know TrackingMore, the simulator or the command: callers give the router and
//! the [`Limits`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use axum::{Router, routing::get};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let app = Router::new().route("/", get(|| async { "hello" }));
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(tm_serve::serve(listener, app, tm_serve::Limits::default(), async {
//!     let _ = stopped.await;
//! }));
//! let _ = stop.send(());
//! server.await.expect("the server task")?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// How long a server waits for its clients, and how much it takes from them.
///
/// A body announced larger than `max_body` is answered 413 before any of it is read, and the
/// connection closed: a client still writing it may see the connection reset rather than the
/// answer (as with most servers); one that waits for the answer (`Expect: 100-continue`, or
/// headers first) reads the 413.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How long a client may take to send a request's headers, counted from when the
    /// connection opens or falls idle (default 10 s). A slow-loris client is dropped after it.
    pub header_timeout: Duration,
    /// How long a request may take once its headers are in: reading its body and answering it
    /// (default 30 s; 408 after it). An event stream's body is not counted: only the time to
    /// its first byte.
    pub body_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request (default 60 s; hyper's
    /// header timeout also applies, so the shorter one closes it).
    pub idle_timeout: Duration,
    /// Connections served at once (default 256); more wait in the kernel's backlog.
    pub max_connections: usize,
    /// The largest request body (default 1 MiB); a larger one is answered 413.
    pub max_body: usize,
    /// How long a stop waits for requests in flight before it closes their connections
    /// (default 1.5 s, so a server stops within 2 s).
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
            max_body: 1024 * 1024,
            shutdown_grace: Duration::from_millis(1500),
        }
    }
}

impl Limits {
    /// The header timeout.
    #[must_use]
    pub fn header_timeout(mut self, d: Duration) -> Self {
        self.header_timeout = d;
        self
    }

    /// The body timeout.
    #[must_use]
    pub fn body_timeout(mut self, d: Duration) -> Self {
        self.body_timeout = d;
        self
    }

    /// The idle timeout.
    #[must_use]
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Connections served at once (at least 1).
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The largest request body, in bytes.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How long a stop waits for requests in flight.
    #[must_use]
    pub fn shutdown_grace(mut self, d: Duration) -> Self {
        self.shutdown_grace = d;
        self
    }

    /// Checks that every duration is positive: a zero timeout would refuse every request.
    pub fn check(&self) -> Result<(), String> {
        for (name, d) in [
            ("header timeout", self.header_timeout),
            ("body timeout", self.body_timeout),
            ("idle timeout", self.idle_timeout),
        ] {
            if d.is_zero() {
                return Err(format!("the {name} must be more than 0 seconds"));
            }
        }
        Ok(())
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes; then stops
/// accepting, lets requests in flight finish for [`Limits::shutdown_grace`], and closes the
/// connections still open.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let router = router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.body_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(limits.max_body));
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A free slot first: at the limit, new connections wait in the kernel's backlog.
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // the listener itself is fine; wait a little rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        connections.spawn(connection(
            builder.clone(),
            stream,
            peer,
            router.clone(),
            limits.idle_timeout,
            stopping.clone(),
            permit,
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        let open = connections.len();
        connections.abort_all();
        while connections.join_next().await.is_some() {}
        tracing::debug!(open, "closed the connections still open at the deadline");
    }
    Ok(())
}

/// One connection: served until it ends, falls idle for `idle`, or the server stops.
async fn connection(
    builder: hyper::server::conn::http1::Builder,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    idle: Duration,
    mut stopping: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let opened = Instant::now();
    // When the last request started, in milliseconds after `opened`.
    let last_request = Arc::new(AtomicU64::new(0));
    let seen = last_request.clone();
    let service = router.map_request(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        seen.store(opened.elapsed().as_millis() as u64, Ordering::Relaxed);
        req
    });
    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    let mut conn = std::pin::pin!(conn);
    let mut closing = false;
    loop {
        let started = last_request.load(Ordering::Relaxed);
        let deadline = opened + Duration::from_millis(started) + idle;
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended");
                }
                return;
            }
            _ = stopping.changed(), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            () = tokio::time::sleep_until(deadline), if !closing => {
                // No request started since: idle. A response still streaming finishes first.
                if last_request.load(Ordering::Relaxed) == started {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// What a failure to read a request's body (e.g. `axum::body::to_bytes`) means for its
/// answer: 413 past a size limit, 400 otherwise (a client that stopped sending is answered
/// 408 by the body timeout before its handler sees it).
pub fn body_error_status(e: &(dyn std::error::Error + 'static)) -> StatusCode {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return StatusCode::PAYLOAD_TOO_LARGE;
        }
        source = err.source();
    }
    StatusCode::BAD_REQUEST
}

//! `tm dashboard`: a local web page over the account, served by the `tm` binary. It reads
//! through tm-core's client like every other command (same limits, retries and errors):
//!
//! - `/`: the overview (counts per status as an SVG chart, stuck shipments, exceptions,
//!   delivered today, average days in transit), filtered by carrier, status and creation
//!   dates; read as a stream of pages, folded in flat memory, cached for `--refresh` seconds.
//! - `/shipment/{carrier}/{number}`: details, a checkpoint timeline and actions (mark
//!   delivered, archive, delete, change carrier), each behind a confirmation page whose POST
//!   carries the session's token.
//! - `/events`: server-sent events of status changes, found by the same change detection as
//!   `tm watch`, so the overview updates without a reload.
//!
//! Safety (`access.rs`): loopback unless `--bind` and `--allow-remote` say otherwise, and then
//! a secret for every page; requests naming another host (DNS rebinding) are refused; actions
//! need the session's token and a same-origin POST; the API key stays in this process; every
//! value from the API is escaped (`pages.rs`). Every wait is bounded (`tm-serve`), and a stop
//! ends the event streams and exits within 2 s.

mod access;
mod cache;
mod overview;
mod pages;
mod source;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast;

use crate::cli::DashboardArgs;
use crate::output::Out;
use crate::{Failure, Session};
use cache::{Overviews, Shown};
use overview::{Folder, Overview};
use pages::Frame;
use source::{Action, Filter};
use tm_core::account::{Change, Cursor};

const CSS: &str = include_str!("assets/dashboard.css");
const JS: &str = include_str!("assets/dashboard.js");
/// `examples/shipments.csv`: what an empty sandbox starts with.
const EXAMPLES: &str = include_str!("../../data/shipments.csv");

/// How long a page waits for the first reading of an overview before it shows the figures
/// read so far (and refreshes itself).
const FIRST_WAIT: Duration = Duration::from_secs(2);

struct Dashboard {
    session: Session,
    access: access::Access,
    refresh: Duration,
    stuck_days: u32,
    overviews: Arc<Overviews>,
    changes: broadcast::Sender<Change>,
    /// Turns true when the dashboard stops: the event streams end.
    stopping: tokio::sync::watch::Receiver<bool>,
}

type Shared = Arc<Dashboard>;

impl Dashboard {
    fn frame(&self) -> Frame {
        Frame {
            generation: self.session.account.generation(),
            sandbox: self.session.sandbox.is_some(),
        }
    }

    /// The account's clock: the simulator's in the sandbox (it runs ahead of the wall
    /// clock), the wall clock otherwise.
    fn now(&self) -> DateTime<Utc> {
        self.session
            .sandbox
            .as_ref()
            .and_then(|s| DateTime::from_timestamp_millis(s.now_ms()))
            .unwrap_or_else(Utc::now)
    }

    /// The overview for `filter` as the cache has it (see `cache.rs`).
    async fn overview(&self, filter: &Filter) -> Result<Shown, Failure> {
        let start = || {
            let stream = self
                .session
                .account
                .shipments(&filter.to_account()?)
                .map_err(|e| e.to_string())?;
            let folder = Folder::new(self.now(), self.session.account.statuses(), self.stuck_days);
            Ok((stream, folder))
        };
        self.overviews
            .get(filter, FIRST_WAIT, start)
            .await
            .map_err(Failure::Usage)
    }

    fn page(&self, status: StatusCode, markup: maud::Markup) -> Response {
        (status, Html(markup.into_string())).into_response()
    }

    fn failure(&self, f: &Failure) -> Response {
        let status = match f {
            Failure::Usage(_) => StatusCode::BAD_REQUEST,
            Failure::Refused(_) => StatusCode::NOT_FOUND,
            // Either generation's "no such tracking" (v2 4031/4017, v4's empty answer).
            Failure::Client(e) if e.is_not_found() => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_GATEWAY,
        };
        self.page(
            status,
            pages::problem(&self.frame(), "Could not load", &f.message()),
        )
    }
}

async fn overview_page(State(d): State<Shared>, Query(filter): Query<Filter>) -> Response {
    let statuses = d.session.account.statuses();
    let render = |o: &Overview, problem: Option<&str>| {
        pages::overview(&d.frame(), o, &filter, &statuses, d.stuck_days, problem)
    };
    if let Err(why) = filter.window() {
        return d.page(
            StatusCode::BAD_REQUEST,
            render(&Overview::default(), Some(&why)),
        );
    }
    match d.overview(&filter).await {
        Ok(Shown::Ready(o) | Shown::Partial(o)) => d.page(StatusCode::OK, render(&o, None)),
        Ok(Shown::Failed(message)) => d.failure(&Failure::Coded { code: 3, message }),
        Err(f) => d.failure(&f),
    }
}

/// The chart alone, for the live page to refresh after changes.
async fn chart_fragment(State(d): State<Shared>, Query(filter): Query<Filter>) -> Response {
    match d.overview(&filter).await {
        Ok(Shown::Ready(o) | Shown::Partial(o)) => (
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
            pages::chart(&o).into_string(),
        )
            .into_response(),
        Ok(Shown::Failed(message)) => d.failure(&Failure::Coded { code: 3, message }),
        Err(f) => d.failure(&f),
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(State(d): State<Shared>, Query(q): Query<SearchQuery>) -> Response {
    let number = q.q.trim();
    if number.is_empty() {
        return Redirect::to("/").into_response();
    }
    match d
        .session
        .account
        .search(number)
        .await
        .map_err(Failure::from)
    {
        Ok(found) if found.len() == 1 => {
            Redirect::to(&pages::shipment_href(&found[0])).into_response()
        }
        Ok(found) => d.page(StatusCode::OK, pages::results(&d.frame(), number, &found)),
        Err(f) => d.failure(&f),
    }
}

fn offered(d: &Dashboard) -> Vec<Action> {
    [
        Action::MarkDelivered,
        Action::Archive,
        Action::Delete,
        Action::ChangeCarrier(String::new()),
    ]
    .into_iter()
    .filter(|a| source::offers(&d.session.account, a))
    .collect()
}

async fn shipment_page(
    State(d): State<Shared>,
    Path((carrier, number)): Path<(String, String)>,
) -> Response {
    let r = tm_core::account::ShipmentRef::number(&carrier, &number);
    match d.session.account.find(&r).await.map_err(Failure::from) {
        Ok(s) => d.page(
            StatusCode::OK,
            pages::shipment(&d.frame(), &s, &offered(&d), None),
        ),
        Err(f) => d.failure(&f),
    }
}

#[derive(Deserialize)]
struct ActionForm {
    action: String,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

async fn confirm_page(
    State(d): State<Shared>,
    session: Option<Extension<access::Session>>,
    Path((carrier, number)): Path<(String, String)>,
    Query(form): Query<ActionForm>,
) -> Response {
    let token = d.access.token(session.as_deref());
    match Action::parse(&form.action, form.to.as_deref()) {
        Ok(a) if source::offers(&d.session.account, &a) => d.page(
            StatusCode::OK,
            pages::confirm(&d.frame(), &carrier, &number, &a, &token),
        ),
        Ok(a) => d.failure(&Failure::Usage(format!(
            "API {} has no `{}`",
            d.session.account.generation(),
            a.name()
        ))),
        Err(why) => d.failure(&Failure::Usage(why)),
    }
}

async fn act(
    State(d): State<Shared>,
    session: Option<Extension<access::Session>>,
    Path((carrier, number)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    // The token stands between another page and the account: it is this session's, or nothing.
    let given = form.token.as_deref().unwrap_or("");
    if !d.access.token_matches(session.as_deref(), given) {
        return d.page(
            StatusCode::FORBIDDEN,
            pages::problem(
                &d.frame(),
                "Not allowed",
                "This action did not come from this dashboard's own page (the session token \
                 is missing or stale): reload the shipment and try again.",
            ),
        );
    }
    let action = match Action::parse(&form.action, form.to.as_deref()) {
        Ok(a) => a,
        Err(why) => return d.failure(&Failure::Usage(why)),
    };
    let back = pages::shipment_path(&carrier, &number);
    match source::act(&d.session.account, &carrier, &number, &action).await {
        Ok(message) => {
            // The figures changed: the next overview is read afresh.
            d.overviews.forget();
            let back = match action {
                Action::Delete => "/".to_owned(),
                Action::ChangeCarrier(ref to) => pages::shipment_path(to, &number),
                _ => back,
            };
            d.page(
                StatusCode::OK,
                pages::outcome(&d.frame(), &message, true, &back),
            )
        }
        Err(f) => d.page(
            StatusCode::BAD_GATEWAY,
            pages::outcome(&d.frame(), &f.message(), false, &back),
        ),
    }
}

async fn events(State(d): State<Shared>) -> impl IntoResponse {
    let rx = d.changes.subscribe();
    let mut stopping = d.stopping.clone();
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(change) => {
                    let (carrier, number) = change.key.split_once(':').unwrap_or(("", &change.key));
                    let data = serde_json::json!({
                        "key": change.key, "carrier": carrier, "number": number,
                        "from": change.from, "to": change.to, "event": change.event,
                        "updated": change.updated,
                    });
                    let event = Event::default().event("change").data(data.to_string());
                    return Some((Ok::<_, Infallible>(event), rx));
                }
                // A slow page missed some: it goes on with the next (the figures are
                // re-read on the chart refresh anyway).
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    // A stop ends every stream, so the server is not held open by its pages.
    let stream = stream.take_until(async move {
        let _ = stopping.wait_for(|s| *s).await;
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn asset(Path(name): Path<String>) -> Response {
    let (ct, body) = match name.as_str() {
        "dashboard.css" => ("text/css; charset=utf-8", CSS),
        "dashboard.js" => ("text/javascript; charset=utf-8", JS),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Polls for changes every `--refresh` and sends each one to the live pages.
async fn poll_changes(d: Shared) {
    let mut cursor = Cursor::starting_at(d.now().timestamp());
    loop {
        tokio::time::sleep(d.refresh).await;
        let mut any = false;
        let mut stream = match d.session.account.changes(&mut cursor) {
            Ok(s) => std::pin::pin!(s),
            Err(e) => {
                tracing::warn!("dashboard: polling for changes failed: {e}");
                continue;
            }
        };
        while let Some(item) = stream.next().await {
            match item {
                Ok(change) => {
                    any = true;
                    // No page listening is fine.
                    let _ = d.changes.send(change);
                }
                Err(tm_core::Error::Undecoded(_)) => {}
                Err(e) => {
                    // Said once per failed poll; the next poll tries again.
                    tracing::warn!("dashboard: polling for changes failed: {e}");
                    break;
                }
            }
        }
        if any {
            d.overviews.stale();
        }
    }
}

/// The router, for `run` and the tests.
fn router(d: Shared) -> Router {
    Router::new()
        .route("/", get(overview_page))
        .route("/chart", get(chart_fragment))
        .route("/search", get(search))
        .route("/events", get(events))
        .route("/assets/{name}", get(asset))
        .route("/shipment/{carrier}/{number}", get(shipment_page))
        .route("/shipment/{carrier}/{number}/confirm", get(confirm_page))
        .route("/shipment/{carrier}/{number}/action", post(act))
        .layer(middleware::from_fn_with_state(d.clone(), access::guard))
        .with_state(d)
}

/// `tm dashboard`: serves until Ctrl-C or SIGTERM.
pub async fn run(session: Session, args: DashboardArgs, out: &mut Out) -> Result<(), Failure> {
    if !(args.refresh.is_finite() && args.refresh >= 0.5) {
        return Err(Failure::Usage(
            "--refresh must be at least 0.5 seconds".into(),
        ));
    }
    let remote = !args.bind.is_loopback();
    if remote && !args.allow_remote {
        return Err(Failure::Usage(format!(
            "--bind {} would let the network reach your account: add --allow-remote to do it \
             on purpose (every page then needs a secret printed once; see `tm dashboard --help`)",
            args.bind
        )));
    }
    if !remote && !args.allow_host.is_empty() {
        return Err(Failure::Usage(
            "--allow-host names hosts for a dashboard bound beyond loopback (--bind, \
             --allow-remote)"
                .into(),
        ));
    }
    let limits = args.server.limits(64 * 1024)?;
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Usage(format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::Io(format!("{addr}: {e}")))?;
    let (access, shown) = if remote {
        let (access, secret) = access::Access::remote(local.port(), &args.allow_host)?;
        let host = match (args.allow_host.first(), args.bind.is_unspecified()) {
            (Some(name), _) => format!("{name}:{}", local.port()),
            (None, true) => format!("127.0.0.1:{}", local.port()),
            (None, false) => local.to_string(),
        };
        out.warn(&format!(
            "the dashboard is reachable beyond this machine ({addr}): anyone with the address \
             below can act on your account; it is plain HTTP, so use it only on a network you \
             trust, or behind a TLS proxy"
        ));
        (access, format!("http://{host}/?key={secret}"))
    } else {
        let access = access::Access::loopback(local.port())?;
        (access, format!("http://127.0.0.1:{}/", local.port()))
    };
    seed_empty_sandbox(&session, out).await?;
    let (changes, _) = broadcast::channel(1024);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let d = Arc::new(Dashboard {
        session,
        access,
        refresh: Duration::from_secs_f64(args.refresh),
        stuck_days: args.stuck_days,
        overviews: Arc::new(Overviews::new(Duration::from_secs_f64(args.refresh))),
        changes,
        stopping,
    });
    // The URL is the one line on stdout: scripts (and the tests) read it.
    out.line(&shown)?;
    out.note("serving the dashboard; Ctrl-C stops it");
    if args.open {
        open_browser(&shown, out);
    }
    // The unfiltered overview starts reading now, so that the first visit finds it (or most
    // of it) read.
    let warm = d.clone();
    let warm = tokio::spawn(async move {
        let _ = warm.overview(&Filter::default()).await;
    });
    let poller = tokio::spawn(poll_changes(d.clone()));
    let shutdown = async move {
        crate::stop_signal().await;
        let _ = stop.send(true);
    };
    let served = tm_serve::serve(listener, router(d.clone()), limits, shutdown)
        .await
        .map_err(|e| Failure::Io(format!("the dashboard server stopped: {e}")));
    for task in [poller, warm] {
        task.abort();
        let _ = task.await;
    }
    // Every other holder of the session is gone: the sandbox stops (every change it answered
    // is already kept); a failure to keep one is the outcome.
    match Arc::try_unwrap(d) {
        Ok(d) => d.session.close(served).await,
        Err(_) => served,
    }
}

/// An empty sandbox gets the twelve example shipments (`examples/shipments.csv`), so that a
/// first `tm --sandbox dashboard` has something to show; it says so.
async fn seed_empty_sandbox(session: &Session, out: &Out) -> Result<(), Failure> {
    let Some(sim) = &session.sandbox else {
        return Ok(());
    };
    if sim.try_tracking_count()? > 0 {
        return Ok(());
    }
    let requests: Vec<_> =
        crate::import::read_csv_from(EXAMPLES.as_bytes(), "examples/shipments.csv")?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
    let n = requests.len();
    let settled = session.account.create_many(requests).await;
    if let Some(e) = sim.state_failure() {
        return Err(Failure::from(e));
    }
    let failed = settled.iter().filter(|s| s.outcome.is_none()).count();
    out.note(&format!(
        "the sandbox was empty: added the {n} example shipments (`tm --sandbox reset` empties it)"
    ));
    if failed > 0 {
        out.warn(&format!(
            "{failed} example shipment(s) could not be created"
        ));
    }
    Ok(())
}

/// Opens `url` with the desktop's opener; says so when there is none.
fn open_browser(url: &str, out: &Out) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        out.warn(&format!(
            "could not open a browser ({opener}: {e}); open {url} yourself"
        ));
    }
}

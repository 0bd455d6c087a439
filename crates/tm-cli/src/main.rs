//! # tm — the TrackingMore command line
//!
//! This layer owns the `tm` command: flags, the sandbox (an in-process `tm-sim` with a state
//! file), output formats, exit codes, and the workflows built from client calls (track, import,
//! export, watch, webhooks, and the local web dashboard).
//!
//! It must not know HTTP details: every API call goes through `tm_core::v2::Client`.

mod cli;
mod commands;
mod dashboard;
mod import;
mod output;
mod sim;
mod state;
mod watch;
mod webhooks;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tm_sim::{ClockMode, SimHandle, Simulator};

use crate::cli::{Cli, Command, Global};
use crate::output::Out;

/// Why a command failed, with its exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad flags, configuration or input files: exit 2.
    Usage(String),
    /// A client error, classified by its predicates.
    Client(tm_core::Error),
    /// The API refused part of the work (rejected rows): exit 1.
    Refused(String),
    /// A local I/O failure (writing output, a file): exit 2.
    Io(String),
    /// What tm keeps could not be kept (the state database): exit 5. The message names the
    /// file and the cause.
    State(String),
    /// A failure that keeps the exit code of the client error behind it (a batch shares
    /// that error between items).
    Coded {
        /// The exit code.
        code: u8,
        /// The message.
        message: String,
    },
}

impl Failure {
    /// The exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Io(_) => 2,
            Failure::State(_) => 5,
            Failure::Refused(_) => 1,
            Failure::Client(e) => client_exit_code(e),
            Failure::Coded { code, .. } => *code,
        }
    }

    /// The message for stderr.
    pub fn message(&self) -> String {
        match self {
            Failure::Usage(m) | Failure::Refused(m) | Failure::Io(m) | Failure::State(m) => {
                m.clone()
            }
            Failure::Coded { message, .. } => message.clone(),
            Failure::Client(e) => e.to_string(),
        }
    }
}

/// 1 API refusal, 2 usage/config, 3 network/transport/server failure, 4 rate limited or
/// quota exhausted.
pub fn client_exit_code(e: &tm_core::Error) -> u8 {
    if e.is_usage() {
        2
    } else if e.is_rate_limited() || e.is_quota_exhausted() {
        4
    } else if e.is_retryable()
        || matches!(
            e,
            tm_core::Error::Transport { .. } | tm_core::Error::Decode(_)
        )
    {
        // Could not connect, timed out, broken or unreadable response, or a 5xx: try later.
        3
    } else {
        1
    }
}

impl From<tm_core::Error> for Failure {
    fn from(e: tm_core::Error) -> Self {
        match &e {
            tm_core::Error::Unsupported { api, capability } => {
                Failure::Usage(format!("{e}: {}", instead(*api, *capability)))
            }
            _ => Failure::Client(e),
        }
    }
}

/// What to do instead, when the account's generation lacks `capability`.
fn instead(api: tm_core::Api, capability: tm_core::account::Capability) -> &'static str {
    use tm_core::Api::{V2, V4};
    use tm_core::account::Capability as C;
    match (capability, api) {
        (C::ForcedStatus, _) => "`--mark` is v2's; in v4 the carrier's events decide",
        (C::Retrack, _) => {
            "v2 creates an expired tracking again (`tm delete`, `tm create`); v4 retracks it: \
             `tm --api v4 retrack …`"
        }
        (C::Realtime, _) => {
            "v4's create is the real-time call and returns the results: `tm --api v4 create \
             CARRIER NUMBER`"
        }
        (C::AccountInfo, _) => {
            "the dashboard shows the quota; `tm --api v4 stats` counts trackings per status"
        }
        (C::ById, V2) => {
            "v2 addresses a tracking by CARRIER NUMBER (a 32-hex id works with --api v4)"
        }
        (C::Note, V2) => {
            "v2's comment is set at creation (`tm create … --comment`); v4 takes --note"
        }
        (C::OrderFilter, _) => {
            "--orders is v2's: v4 filters by --numbers, --courier, --status, dates and --archived"
        }
        (C::Language, _) => "--lang is v2's (v4's couriers carry their own languages)",
        (_, V4) | (_, _) => "the other generation has it (`--api`)",
    }
}

impl From<tm_sim::SimError> for Failure {
    /// The sandbox could not start or keep its account.
    fn from(e: tm_sim::SimError) -> Self {
        match e {
            tm_sim::SimError::State {
                path,
                problem,
                message,
            } => {
                let hint = match problem {
                    tm_sim::StateProblem::Damaged => {
                        "; `tm --sandbox reset` moves it aside (keeping a copy) and starts afresh"
                    }
                    tm_sim::StateProblem::Full => "; free some space and run the command again",
                    _ => "",
                };
                Failure::State(format!(
                    "could not keep the sandbox in {}: {message}{hint}",
                    path.display()
                ))
            }
            other => Failure::Usage(format!("could not start the sandbox: {other}")),
        }
    }
}

impl From<tm_core::ConfigError> for Failure {
    fn from(e: tm_core::ConfigError) -> Self {
        Failure::Client(tm_core::Error::Config(e))
    }
}

/// The account for this run, and the sandbox behind it when `--sandbox` is set.
pub struct Session {
    /// The account, in the generation `--api` chose.
    pub account: tm_core::Account,
    /// The in-process simulator, in sandbox mode.
    pub sandbox: Option<SimHandle>,
    /// The state database (`--state-db`).
    pub state_db: PathBuf,
    /// The API key, to name the account in the state database by its hash.
    key: String,
}

impl Session {
    /// Opens the state database (import journals, watch cursors).
    pub fn state(&self) -> Result<state::State, Failure> {
        state::State::open(&self.state_db)
    }

    /// What names this account in the state database (never the key itself).
    pub fn account_key(&self) -> Result<String, Failure> {
        let generation = self.account.generation();
        let base_url = self.account.config().base_url.clone();
        let instance = match &self.sandbox {
            Some(sim) => Some(
                sim.account_instance()?
                    .ok_or_else(|| Failure::Usage("the sandbox has no state database".into()))?,
            ),
            None => None,
        };
        Ok(state::account_key(
            generation,
            &base_url,
            &self.key,
            instance.as_deref(),
        ))
    }

    /// Stops the sandbox (if any); the failure to keep its account, if one happened, is the
    /// outcome that counts: nothing that was not kept may be reported done.
    pub async fn close(self, result: Result<(), Failure>) -> Result<(), Failure> {
        let Some(sim) = self.sandbox else {
            return result;
        };
        match sim.shutdown().await {
            Err(e) => Err(Failure::from(e)),
            Ok(()) => result,
        }
    }
}

/// The state database: `--state-db`, or `tm.db` in the data directory.
fn state_db(g: &Global) -> PathBuf {
    g.state_db.clone().unwrap_or_else(state::default_path)
}

/// The sandbox's state file of versions before the database, carried over once.
fn legacy_sandbox() -> PathBuf {
    state::data_dir().join("sandbox.json")
}

/// A rate limiter shared through Redis for `key` with `api`'s limits, or none without
/// `--redis-url`. Each generation has its own Redis keys: both name a class `default`, at
/// different rates.
fn shared_limits(
    g: &Global,
    key: &str,
) -> Result<Option<std::sync::Arc<dyn tm_core::transport::RateLimiter>>, Failure> {
    let Some(url) = &g.redis_url else {
        return Ok(None);
    };
    if !(g.redis_wait.is_finite() && g.redis_wait >= 0.0) {
        return Err(Failure::Usage(format!(
            "--redis-wait {}: must be a number of seconds, 0 or more",
            g.redis_wait
        )));
    }
    let (limits, prefix) = match g.api {
        cli::ApiVersion::V2 => (tm_core::v2::rules::rate_limits(), "tm:rl"),
        cli::ApiVersion::V4 => (tm_core::v4::rules::rate_limits(), "tm:rl:v4"),
    };
    let options = tm_redis::RedisLimiterOptions {
        unavailable_wait: Duration::from_secs_f64(g.redis_wait),
        key_prefix: prefix.into(),
        ..tm_redis::RedisLimiterOptions::default()
    };
    let limiter = tm_redis::RedisRateLimiter::new(url, key, limits, options)
        .map_err(|e| Failure::Usage(format!("--redis-url: {e}")))?
        // Told at once, whatever the verbosity: a worker silently waiting on Redis looks hung.
        .on_availability(|change| match change {
            tm_redis::Availability::Lost {
                url, cause, wait, ..
            } => eprintln!(
                "tm: Redis at {url} is unreachable ({cause}); waiting up to {wait:?} for it \
                 (--redis-wait), then giving up"
            ),
            tm_redis::Availability::Restored { url } => {
                eprintln!("tm: Redis at {url} answers again")
            }
            _ => {}
        });
    Ok(Some(std::sync::Arc::new(limiter)))
}

/// The flags' settings on a builder of either generation.
fn configure<C>(
    g: &Global,
    mut builder: tm_core::ClientBuilder<C>,
    key: &str,
    base_url: Option<String>,
) -> Result<tm_core::ClientBuilder<C>, Failure> {
    if let Some(t) = g.timeout {
        if !(t.is_finite() && t > 0.0) {
            return Err(Failure::Usage(format!(
                "--timeout {t}: must be a positive number of seconds"
            )));
        }
        builder = builder.attempt_timeout(Duration::from_secs_f64(t));
    }
    if let Some(r) = g.max_retries {
        builder = builder.max_attempts(r.saturating_add(1));
    }
    if let Some(l) = shared_limits(g, key)? {
        builder = builder.rate_limiter(l);
    }
    builder = builder.api_key(key);
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    Ok(builder)
}

/// Builds the client from the flags (and starts the sandbox).
pub async fn connect(g: &Global) -> Result<Session, Failure> {
    let (key, base, sandbox) = if g.sandbox {
        let mut builder = Simulator::builder()
            .state_file(state_db(g))
            .suspension(cli::SANDBOX_SUSPENSION)
            .clock(ClockMode::Real {
                scale: g.sandbox_speed,
            });
        if g.state_db.is_none() {
            builder = builder.carry_over(legacy_sandbox());
        }
        let sim = builder.start().await?;
        let base = match g.api {
            cli::ApiVersion::V2 => sim.base_url(),
            cli::ApiVersion::V4 => sim.v4_base_url(),
        };
        ("sandbox".to_owned(), Some(base), Some(sim))
    } else {
        let Some(key) = g.api_key.clone().filter(|k| !k.is_empty()) else {
            return Err(Failure::Usage(
                "no API key: pass --api-key or set TRACKINGMORE_API_KEY (get one at \
                 https://www.trackingmore.com), or add --sandbox to use the built-in simulator"
                    .into(),
            ));
        };
        (key, g.base_url.clone(), None)
    };
    // The one place that picks a generation.
    let account = match g.api {
        cli::ApiVersion::V2 => tm_core::Account::from(
            configure(g, tm_core::v2::Client::builder(), &key, base)?.build()?,
        ),
        cli::ApiVersion::V4 => tm_core::Account::from(
            configure(g, tm_core::v4::Client::builder(), &key, base)?.build()?,
        ),
    };
    Ok(Session {
        account,
        sandbox,
        state_db: state_db(g),
        key,
    })
}

/// Ctrl-C, or (on Unix) SIGTERM from a service manager: what stops a server `tm` runs.
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

async fn run(cli: Cli, out: &mut Out) -> Result<(), Failure> {
    match cli.command {
        // Commands that need no client.
        Command::Webhook { command } => return webhooks::run(command, out).await,
        Command::Sim(args) => return sim::run(args, cli.global.redis_url.clone(), out).await,
        Command::Reset => return reset(&cli.global, out),
        _ => {}
    }
    let session = connect(&cli.global).await?;
    let command = match cli.command {
        // The dashboard owns the session while it serves, and saves the sandbox itself.
        Command::Dashboard(args) => return dashboard::run(session, args, out).await,
        other => other,
    };
    let result = match command {
        Command::Import(args) => import::run(&session, args, out).await,
        Command::Watch(args) => watch::run(&session, args, out).await,
        command => commands::run(&session.account, command, out).await,
    };
    session.close(result).await
}

/// `tm --sandbox reset`: empties the sandbox's account, after keeping a copy of the database
/// beside it (or moving a damaged one there), and forgets the journals and cursors of the
/// account it replaced.
fn reset(g: &Global, out: &mut Out) -> Result<(), Failure> {
    if !g.sandbox {
        return Err(Failure::Usage(
            "`tm reset` only resets the sandbox: add --sandbox".into(),
        ));
    }
    let path = state_db(g);
    let legacy = legacy_sandbox();
    if g.state_db.is_none() && tm_sim::is_legacy_state(&legacy) {
        // Not carried over yet: it would come back at the next start.
        let kept = tm_sim::backup_name(&legacy);
        std::fs::rename(&legacy, &kept)
            .map_err(|e| Failure::State(format!("{}: {e}", legacy.display())))?;
        out.note(&format!(
            "the older sandbox file is kept as {}",
            kept.display()
        ));
    }
    let clock = ClockMode::Real {
        scale: g.sandbox_speed,
    };
    match tm_sim::reset_state(&path, clock)? {
        None => out.note("sandbox already empty"),
        Some(reset) => {
            if let Some(old) = &reset.previous_instance {
                let state = state::State::open(&path)?;
                state.forget_accounts(&state::sandbox_prefix(old))?;
            }
            out.note(&format!(
                "sandbox reset; what it held is kept in {}",
                reset.backup.display()
            ));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse_args();
    init_logging(cli.global.verbose);
    let mut out = Out::new(cli.global.output, cli.global.quiet, cli.global.csv_raw);
    match run(cli, &mut out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            out.error(&f);
            ExitCode::from(f.code())
        }
    }
}

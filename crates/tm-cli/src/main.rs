//! # tm — the TrackingMore command line
//!
//! This layer owns the `tm` command: flags, the sandbox (an in-process `tm-sim` with a state
//! file), output formats, exit codes, and the workflows built from client calls (track, import,
//! export, watch, webhooks, and the local web dashboard).
//!
//! It must not know HTTP details: every API call goes through `tm_core::Client`.

mod cli;
mod commands;
mod dashboard;
mod import;
mod output;
mod sim;
mod v4cmd;
mod watch;
mod webhooks;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tm_core::Client;
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
    /// A local I/O failure (writing output, a journal): exit 2.
    Io(String),
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
            Failure::Refused(_) => 1,
            Failure::Client(e) => client_exit_code(e),
            Failure::Coded { code, .. } => *code,
        }
    }

    /// The message for stderr.
    pub fn message(&self) -> String {
        match self {
            Failure::Usage(m) | Failure::Refused(m) | Failure::Io(m) => m.clone(),
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
        Failure::Client(e)
    }
}

impl From<tm_core::ConfigError> for Failure {
    fn from(e: tm_core::ConfigError) -> Self {
        Failure::Client(tm_core::Error::Config(e))
    }
}

/// The client for this run: one generation's.
pub enum Backend {
    /// v2.
    V2(Client),
    /// v4.
    V4(tm_core::v4::Client),
}

/// The client for this run, and the sandbox behind it when `--sandbox` is set.
pub struct Session {
    /// The client.
    pub client: Backend,
    /// The in-process simulator, in sandbox mode.
    pub sandbox: Option<SimHandle>,
}

fn sandbox_state(g: &Global) -> PathBuf {
    g.sandbox_state.clone().unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("trackingmore-rs")
            .join("sandbox.json")
    })
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
        let sim = Simulator::builder()
            .state_file(sandbox_state(g))
            .suspension(cli::SANDBOX_SUSPENSION)
            .clock(ClockMode::Real {
                scale: g.sandbox_speed,
            })
            .start()
            .await
            .map_err(|e| Failure::Usage(format!("could not start the sandbox: {e}")))?;
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
    let client = match g.api {
        cli::ApiVersion::V2 => Backend::V2(configure(g, Client::builder(), &key, base)?.build()?),
        cli::ApiVersion::V4 => {
            Backend::V4(configure(g, tm_core::v4::Client::builder(), &key, base)?.build()?)
        }
    };
    Ok(Session { client, sandbox })
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
        Command::Reset => {
            if !cli.global.sandbox {
                return Err(Failure::Usage(
                    "`tm reset` only resets the sandbox: add --sandbox".into(),
                ));
            }
            let path = sandbox_state(&cli.global);
            match std::fs::remove_file(&path) {
                Ok(()) => out.note(&format!("sandbox reset ({} removed)", path.display())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    out.note("sandbox already empty")
                }
                Err(e) => return Err(Failure::Io(format!("{}: {e}", path.display()))),
            }
            return Ok(());
        }
        _ => {}
    }
    let session = connect(&cli.global).await?;
    let command = match cli.command {
        // The dashboard owns the session while it serves, and saves the sandbox itself.
        Command::Dashboard(args) => return dashboard::run(session, args, out).await,
        other => other,
    };
    let result = match &session.client {
        Backend::V2(client) => commands::run(client, command, out).await,
        Backend::V4(client) => v4cmd::run(client, command, out).await,
    };
    if let Some(sim) = session.sandbox {
        if let Err(e) = sim.shutdown().await {
            out.warn(&format!("could not save the sandbox: {e}"));
        }
    }
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse_args();
    init_logging(cli.global.verbose);
    let mut out = Out::new(cli.global.output, cli.global.quiet);
    match run(cli, &mut out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            out.error(&f);
            ExitCode::from(f.code())
        }
    }
}

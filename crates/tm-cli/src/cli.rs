//! The command line: global connection flags and every subcommand.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  the API refused the request (its meta code and message are printed)
  2  usage or configuration error (bad flags, no API key, unreadable file)
  3  network, transport or server failure (could not connect, timed out, broken or
     unreadable response, HTTP 5xx / meta 500 or 503): worth retrying later
  4  rate limited, or the account's quota is used up
  5  tm could not keep its state (the --state-db database: a full disk, a read-only
     directory, a file locked by another process for too long, a damaged file); the path
     and the cause are printed, and nothing is reported done that was not kept

Without an API key, --sandbox runs every command against a built-in simulator whose state
persists between runs (and whose clock runs 6 hours per second, so shipments move). The
sandbox, import journals and watch cursors live in one SQLite database (--state-db), which
any number of tm processes share safely.";

/// Track parcels with TrackingMore — or offline, against the built-in simulator.
#[derive(Debug, Parser)]
#[command(name = "tm", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Connection and output settings.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How long the sandbox refuses requests after a rate-limit refusal: the API's two minutes
/// would stall an interactive session (said in `--sandbox`'s help).
pub const SANDBOX_SUSPENSION: std::time::Duration = std::time::Duration::from_secs(10);

/// The global flags that mean nothing to `tm sim` (it makes no API calls, serves both
/// generations and prints one line): hidden from its help and refused on its command line.
const NOT_FOR_SIM: &[&str] = &[
    "csv_raw",
    "api_key",
    "base_url",
    "timeout",
    "max_retries",
    "output",
    "sandbox",
    "state_db",
    "sandbox_speed",
    "redis_wait",
    "api",
];

impl Cli {
    /// Parses the command line (exiting with clap's message on an error), with each
    /// subcommand's help listing only the flags that apply to it.
    pub fn parse_args() -> Cli {
        let cmd = Cli::command().mut_arg("sandbox", |a| {
            a.help(format!(
                "Run against the built-in simulator instead of the API (its documented rate \
                 limits, but a refusal suspends for {} s instead of the API's 120 s)",
                SANDBOX_SUSPENSION.as_secs()
            ))
        });
        // A subcommand's own copy of a global flag is kept when the globals are propagated:
        // give `sim` hidden copies.
        // The ones that apply are listed after sim's own.
        let copies: Vec<clap::Arg> = cmd
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| match a.get_id().as_str() {
                id if NOT_FOR_SIM.contains(&id) => a.clone().hide(true),
                "redis_url" => a.clone().display_order(1000).help(
                    "Share the rate-limit windows through Redis with every simulator using it \
                     (`redis://…`)",
                ),
                _ => a.clone().display_order(1000),
            })
            .collect();
        let mut cmd = cmd.mut_subcommand("sim", |sim| sim.args(copies));
        let matches = cmd.get_matches_mut();
        if let Some(("sim", sim)) = matches.subcommand() {
            for id in NOT_FOR_SIM {
                if sim.value_source(id) == Some(ValueSource::CommandLine) {
                    let sim_cmd = cmd.find_subcommand_mut("sim").expect("sim is a subcommand");
                    sim_cmd
                        .error(
                            ErrorKind::ArgumentConflict,
                            format!(
                                "--{} does not apply to `tm sim`, which serves the simulator \
                             (see `tm sim --help`)",
                                id.replace('_', "-")
                            ),
                        )
                        .exit();
                }
            }
        }
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table sized to the terminal.
    Table,
    /// The typed result as JSON, with the API's own field names.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values (lists).
    Csv,
}

/// The API generation a command speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiVersion {
    /// TrackingMore v2 (`/v2`, `Trackingmore-Api-Key`).
    V2,
    /// TrackingMore v4 (`/v4`, `Tracking-Api-Key`), the generation accounts use today.
    V4,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The API generation: v2 or v4 (the sandbox serves both).
    #[arg(
        long = "api",
        value_enum,
        env = "TRACKINGMORE_API_VERSION",
        default_value_t = ApiVersion::V2,
        global = true
    )]
    pub api: ApiVersion,
    /// TrackingMore API key.
    #[arg(
        long,
        env = "TRACKINGMORE_API_KEY",
        global = true,
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// API base URL.
    #[arg(long, env = "TRACKINGMORE_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Per-attempt timeout in seconds.
    #[arg(long, value_name = "SECS", global = true)]
    pub timeout: Option<f64>,
    /// Retries after the first attempt.
    #[arg(long, value_name = "N", global = true)]
    pub max_retries: Option<u32>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Table, global = true)]
    pub output: Format,
    /// Write CSV cells as they are. By default a cell starting with =, +, -, @, a tab or a
    /// carriage return gets a ' in front, so a spreadsheet shows it instead of running it as a
    /// formula (OWASP's rule); JSON is never changed.
    #[arg(long, global = true)]
    pub csv_raw: bool,
    /// Print only what was asked for (no progress, no summaries).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log requests and retries to stderr (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Share the rate limits through Redis (`redis://…` or `rediss://…`): with every process
    /// using this key, or, for `tm sim`, with every simulator using this Redis.
    #[arg(long, env = "TM_REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// How long a request waits for an unreachable --redis-url before failing with exit 3
    /// (it never falls back to a local limit, which would let N workers exceed the shared one).
    #[arg(long, value_name = "SECS", default_value_t = 30.0, global = true)]
    pub redis_wait: f64,
    /// Run against the built-in simulator instead of the API.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// The database of everything tm keeps: the sandbox's account, import journals, watch
    /// cursors (default: tm.db in your data directory, e.g. ~/.local/share/trackingmore-rs).
    /// Any number of tm processes may share it.
    #[arg(
        long,
        value_name = "PATH",
        env = "TM_STATE_DB",
        global = true,
        alias = "sandbox-state"
    )]
    pub state_db: Option<PathBuf>,
    /// Simulated seconds per real second in the sandbox.
    #[arg(
        long,
        value_name = "FACTOR",
        default_value_t = 21_600.0,
        global = true,
        hide = true
    )]
    pub sandbox_speed: f64,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Track shipments: create the ones not yet tracked, then show each one's status.
    Track(TrackArgs),
    /// List carriers (v4: couriers).
    #[command(visible_alias = "couriers")]
    Carriers {
        /// Carrier names in this language (en, cn, tw, es, ru, it).
        #[arg(long)]
        lang: Option<String>,
        /// Only carriers whose code or name contains this text.
        #[arg(long)]
        search: Option<String>,
    },
    /// Guess the carrier of a tracking number.
    Detect {
        /// The tracking number.
        number: String,
    },
    /// Create one tracking.
    Create {
        /// Carrier code.
        carrier: String,
        /// Tracking number.
        number: String,
        #[command(flatten)]
        fields: CreateFields,
    },
    /// Show one tracking with its checkpoints (v4: by CARRIER NUMBER or by its 32-hex id).
    Get {
        /// Carrier code (v4: or the tracking's id).
        carrier: String,
        /// Tracking number.
        number: Option<String>,
        /// Checkpoint language.
        #[arg(long)]
        lang: Option<String>,
    },
    /// List trackings.
    List(ListArgs),
    /// Change a tracking's fields, status or archive flag (v4: by CARRIER NUMBER or id).
    Update {
        /// Carrier code (v4: or the tracking's id).
        carrier: String,
        /// Tracking number.
        number: Option<String>,
        /// Move it to this carrier (v4; v2: `tm change-carrier`).
        #[arg(long)]
        courier: Option<String>,
        /// A note (v4; v2 names it the comment).
        #[arg(long)]
        note: Option<String>,
        /// Product title.
        #[arg(long)]
        title: Option<String>,
        /// Order id.
        #[arg(long)]
        order_id: Option<String>,
        /// Customer name.
        #[arg(long)]
        customer_name: Option<String>,
        /// Customer e-mail.
        #[arg(long)]
        customer_email: Option<String>,
        /// Customer phone.
        #[arg(long)]
        customer_phone: Option<String>,
        /// Destination country code.
        #[arg(long)]
        destination: Option<String>,
        /// Logistics channel.
        #[arg(long)]
        logistics_channel: Option<String>,
        /// Mark delivered, mark an exception, or revert to the carrier's status.
        #[arg(long, value_enum)]
        mark: Option<Mark>,
        /// Archive (true) or unarchive (false).
        #[arg(long)]
        archived: Option<bool>,
    },
    /// Delete a tracking (v4: by CARRIER NUMBER or id).
    Delete {
        /// Carrier code (v4: or the tracking's id).
        carrier: String,
        /// Tracking number.
        number: Option<String>,
    },
    /// Restart an expired tracking (v4 only; by CARRIER NUMBER or id).
    Retrack {
        /// Carrier code, or the tracking's id.
        carrier: String,
        /// Tracking number.
        number: Option<String>,
    },
    /// Look up an air waybill (air cargo), e.g. 235-69030430.
    Awb {
        /// The air waybill number: 3-digit airline prefix, 8 digits.
        number: String,
    },
    /// Query the carrier right now.
    Realtime {
        /// Carrier code.
        carrier: String,
        /// Tracking number.
        number: String,
        /// Destination country code.
        #[arg(long)]
        destination: Option<String>,
    },
    /// Move a tracking to another carrier.
    ChangeCarrier {
        /// Tracking number.
        number: String,
        /// Current carrier.
        from: String,
        /// New carrier.
        to: String,
    },
    /// Count trackings per status (v4: counted from the list; it has no counts endpoint).
    Stats {
        /// Created at or after (Unix seconds).
        #[arg(long)]
        created_since: Option<i64>,
        /// Created at or before (Unix seconds).
        #[arg(long)]
        created_until: Option<i64>,
    },
    /// Show the account: e-mail and remaining quota.
    Account,
    /// Create every tracking in a CSV file; resumable after an interruption.
    Import(ImportArgs),
    /// Write every tracking (with filters) as CSV or JSON lines.
    Export(ExportArgs),
    /// Poll for changes and print each status change as it happens.
    Watch(WatchArgs),
    /// Serve a local web dashboard: statuses, stuck shipments, timelines, live changes.
    Dashboard(DashboardArgs),
    /// Verify or receive webhooks.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// Run the simulator as a server.
    Sim(SimArgs),
    /// Empty the sandbox (sandbox only); a copy of what it held is kept beside the database.
    Reset,
}

/// `--mark` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mark {
    /// Status 4.
    Delivered,
    /// Status 7.
    Exception,
    /// Status 8.
    Revert,
}

/// Optional create fields.
#[derive(Debug, Args, Default)]
pub struct CreateFields {
    /// Product title.
    #[arg(long)]
    pub title: Option<String>,
    /// Order id.
    #[arg(long)]
    pub order_id: Option<String>,
    /// Customer name.
    #[arg(long)]
    pub customer_name: Option<String>,
    /// Customer e-mail.
    #[arg(long)]
    pub customer_email: Option<String>,
    /// Customer phone.
    #[arg(long)]
    pub customer_phone: Option<String>,
    /// Destination country code (two letters).
    #[arg(long)]
    pub destination: Option<String>,
    /// Logistics channel.
    #[arg(long)]
    pub logistics_channel: Option<String>,
    /// Order time.
    #[arg(long)]
    pub order_create_time: Option<String>,
    /// Ship date YYYYMMDD (some carriers need it).
    #[arg(long)]
    pub ship_date: Option<String>,
    /// Postal code (some carriers need it).
    #[arg(long)]
    pub postal_code: Option<String>,
    /// Comment.
    #[arg(long)]
    pub comment: Option<String>,
}

/// `tm track`.
#[derive(Debug, Args)]
pub struct TrackArgs {
    /// Shipments as CARRIER:NUMBER.
    #[arg(value_name = "CARRIER:NUMBER")]
    pub shipments: Vec<String>,
    /// A CSV file with `tracking_number,carrier_code` columns.
    #[arg(long)]
    pub file: Option<PathBuf>,
}

/// List filters.
#[derive(Debug, Args, Default)]
pub struct Filters {
    /// Only this status (pending, notfound, transit, pickup, delivered, undelivered,
    /// exception, expired).
    #[arg(long)]
    pub status: Option<String>,
    /// Created at or after (Unix seconds).
    #[arg(long)]
    pub created_since: Option<i64>,
    /// Created at or before (Unix seconds).
    #[arg(long)]
    pub created_until: Option<i64>,
    /// Updated at or after (Unix seconds).
    #[arg(long)]
    pub updated_since: Option<i64>,
    /// Only these numbers (comma-separated, up to 40).
    #[arg(long, value_delimiter = ',')]
    pub numbers: Vec<String>,
    /// Only these order ids (comma-separated, up to 40).
    #[arg(long, value_delimiter = ',')]
    pub orders: Vec<String>,
    /// Archived only (true) or unarchived only (false).
    #[arg(long)]
    pub archived: Option<bool>,
    /// Only this carrier (v4).
    #[arg(long)]
    pub courier: Option<String>,
}

/// `tm list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Page number.
    #[arg(long, default_value_t = 1)]
    pub page: u32,
    /// Page size (up to 2000).
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Every page, streamed.
    #[arg(long)]
    pub all: bool,
}

/// `tm import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (`tracking_number,carrier_code` required; any create field as a column).
    /// Streamed: any size imports in flat memory. Each row's outcome is kept in the state
    /// database once the API confirmed it, keyed by the account and the file's content, so
    /// the same command resumes after an interruption (and a changed file starts afresh).
    pub file: PathBuf,
    /// Where rejected rows go with their reason (default FILE.rejected.csv; written only when
    /// a row is rejected).
    #[arg(long)]
    pub rejected: Option<PathBuf>,
}

/// `tm export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Write to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `tm watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Seconds between polls.
    #[arg(long, default_value_t = 60.0)]
    pub interval: f64,
    /// The name the cursor is kept under in the state database, per account (watchers with
    /// different names each see every change).
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub cursor: String,
    /// Poll once and exit.
    #[arg(long)]
    pub once: bool,
}

/// Bounds on the clients of a server `tm` runs: every wait and every size is limited, so a
/// slow or hostile client cannot hold it (the shorter of the header and idle timeouts closes
/// an idle connection).
#[derive(Debug, Args, Clone)]
pub struct ServerArgs {
    /// Seconds a client may take to send a request's headers (also the longest a kept-alive
    /// connection waits for its next request).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub header_timeout: f64,
    /// Seconds a request may take once its headers are in: its body and the answer (408 after).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub body_timeout: f64,
    /// Seconds a kept-alive connection may sit idle between requests.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub idle_timeout: f64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,
    /// The largest request body, in bytes (413 past it; default: the server's own).
    #[arg(long, value_name = "BYTES")]
    pub max_body: Option<usize>,
}

impl ServerArgs {
    /// The limits these flags set, `max_body` by default unless `--max-body` is given.
    pub fn limits(&self, max_body: usize) -> Result<tm_serve::Limits, crate::Failure> {
        let secs = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= 86_400.0 {
                Ok(std::time::Duration::from_secs_f64(v))
            } else {
                Err(crate::Failure::Usage(format!(
                    "--{name} {v}: must be a number of seconds above 0 (at most a day)"
                )))
            }
        };
        if self.max_connections == 0 {
            return Err(crate::Failure::Usage(
                "--max-connections must be at least 1".into(),
            ));
        }
        if self.max_body == Some(0) {
            return Err(crate::Failure::Usage(
                "--max-body must be at least 1".into(),
            ));
        }
        Ok(tm_serve::Limits::default()
            .header_timeout(secs("header-timeout", self.header_timeout)?)
            .body_timeout(secs("body-timeout", self.body_timeout)?)
            .idle_timeout(secs("idle-timeout", self.idle_timeout)?)
            .max_connections(self.max_connections)
            .max_body(self.max_body.unwrap_or(max_body)))
    }
}

/// `tm dashboard`.
#[derive(Debug, Args)]
#[command(after_help = DASHBOARD_AFTER_HELP)]
pub struct DashboardArgs {
    /// Port to listen on (0: any free port; the URL is printed).
    #[arg(long, default_value_t = 8777)]
    pub port: u16,
    /// Address to bind. Loopback unless told otherwise: the page acts on your account. Any
    /// other address needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Serve beyond loopback (with --bind): every page then needs a secret, printed once in
    /// the address (`?key=…`) and kept by the browser in a cookie.
    #[arg(long)]
    pub allow_remote: bool,
    /// A host name the dashboard may be reached by beyond loopback (repeatable; with
    /// --allow-remote). Loopback names and IP addresses are always accepted; any other name
    /// is refused (DNS rebinding).
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Open the page in a browser.
    #[arg(long)]
    pub open: bool,
    /// Seconds the overview is cached and between polls for live changes.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub refresh: f64,
    /// Days without an update after which an undelivered shipment counts as stuck.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub stuck_days: u32,
}

const WEBHOOK_AFTER_HELP: &str = "\
What each signature proves, and what it cannot:
  v2 (--email): HMAC-SHA256 of verifyInfo.timeStr keyed by the account e-mail. Proves the
      sender knew the e-mail, at that time. Does not prove the body: a captured signature
      fits any body until it is older than --max-age; and an e-mail is not a strong secret.
  v4 timestamp (--secret, the reference's example): HMAC-SHA256 of the timestamp header
      keyed by the webhook secret. Proves the secret, at that time; not the body.
  v4 body (--secret, the reference's prose): HMAC-SHA256 of the body. Proves the body; not
      when: without a timestamp a captured push never expires.
Each printed line says \"body_signed\": true or false. A push is printed once: sent again
within --replay-window it is answered 200 and not printed; its signature over another body is
refused (401; a real second push in the same second is retried by TrackingMore with a new
signature). What no receiver can stop: an edited body under a captured time-only signature
that arrives before the real push, within --max-age; a body-signed push replayed after the
window (or after a restart: the window is kept in memory).";

const DASHBOARD_AFTER_HELP: &str = "\
On loopback (the default) the dashboard needs nothing more: only this machine reaches it, pages
naming another host are refused, and every action needs a token the page carries.

To reach it from another machine, choose it explicitly:
  tm dashboard --bind 0.0.0.0 --allow-remote --allow-host shop-box.lan
tm prints a warning and an address ending in ?key=SECRET, once. Opening it sets a session
cookie (HttpOnly, SameSite=Strict) and drops the key from the address; without the session
every page, asset and event stream answers 401. What it costs: the page is plain HTTP, so
anyone who can watch the network can read the key and the pages; use a network you trust,
or put a TLS proxy in front (its name goes in --allow-host). A new start makes a new key.";

/// `tm webhook …`.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Check one webhook body from a file or stdin.
    Verify {
        /// The account e-mail (v2's signing key).
        #[arg(long, required_unless_present = "secret")]
        email: Option<String>,
        /// The webhook secret (v4's signing key).
        #[arg(long, conflicts_with = "email")]
        secret: Option<String>,
        /// The push's `timestamp` header (v4).
        #[arg(long)]
        timestamp: Option<String>,
        /// The push's `signature` header (v4).
        #[arg(long)]
        signature: Option<String>,
        /// Refuse bodies signed longer ago than this many seconds.
        #[arg(long)]
        max_age: Option<u64>,
        /// The body (default: stdin).
        file: Option<PathBuf>,
    },
    /// Serve an endpoint that verifies each webhook and prints it as a JSON line, once.
    #[command(after_help = WEBHOOK_AFTER_HELP)]
    Listen {
        /// Port to listen on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// The account e-mail (v2's signing key).
        #[arg(long, required_unless_present = "secret")]
        email: Option<String>,
        /// The webhook secret (v4's signing key: verifies v4 pushes, signed in their headers).
        #[arg(long, conflicts_with = "email")]
        secret: Option<String>,
        /// Refuse bodies signed longer ago than this many seconds (0: no limit).
        #[arg(long, default_value_t = 600)]
        max_age: u64,
        /// Seconds a printed push is remembered: sent again within them (TrackingMore retries,
        /// or someone replays it), it is answered 200 and not printed again; its signature
        /// over another body is refused. At least --max-age.
        #[arg(long, value_name = "SECS", default_value_t = 86_400)]
        replay_window: u64,
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// `tm sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Seed of journeys and ids.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Accept only these keys (repeatable; default any key).
    #[arg(long = "accept-key")]
    pub accept_keys: Vec<String>,
    /// Turn the documented rate limits off.
    #[arg(long)]
    pub no_rate_limits: bool,
    /// Items per batch call.
    #[arg(long, default_value_t = 40)]
    pub batch_max: usize,
    /// Answer oversized batches with 4020 instead of 202.
    #[arg(long)]
    pub over_limit_4020: bool,
    /// Tracking quota.
    #[arg(long, default_value_t = 100_000)]
    pub quota: i64,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 1.0)]
    pub clock_scale: f64,
    /// A manual clock (moved with POST /_sim/clock).
    #[arg(long)]
    pub manual_clock: bool,
    /// Keep the account in this SQLite database (default: in memory). Every change is
    /// committed before it is answered, and every simulator (the sandbox included) using the
    /// same file serves the same account (`--state ~/.local/share/trackingmore-rs/tm.db` is
    /// the sandbox's). An existing database keeps its clock; an older JSON state file is
    /// carried over once (and kept as FILE.imported).
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// POST status changes here.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// The account e-mail (webhook signing key).
    #[arg(long)]
    pub account_email: Option<String>,
    /// Mirror meta codes into HTTP statuses.
    #[arg(long)]
    pub mirror_http_status: bool,
    /// Chance of a random fault per request (0–1).
    #[arg(long, default_value_t = 0.0)]
    pub fault_probability: f64,
    /// A fault plan as JSON (`{"script": [{"path": "/trackings/post", "kind": "http500"}], …}`).
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
    /// A rate limit per class, e.g. `list=1`, `realtime=3`, `default=1`; `CLASS=none` removes
    /// one (repeatable).
    #[arg(long = "limit", value_name = "CLASS=PER_SEC")]
    pub limits: Vec<String>,
    /// How long a client is refused after a rate-limit refusal, in seconds (the document's
    /// "about two minutes"); e.g. `--suspension 1` for tests.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub suspension: f64,
    /// Who a rate limit counts: each client IP (the document's rule) or each API key.
    #[arg(long, value_enum, default_value_t = SimLimitScope::Ip)]
    pub limit_scope: SimLimitScope,
    /// Trackings per second the list route may return, or `none` (default 2000).
    #[arg(long, value_name = "N|none", default_value = "2000")]
    pub list_trackings_per_second: String,
    /// A deleted key, answered with 4002 (repeatable).
    #[arg(long = "revoked-key", value_name = "KEY")]
    pub revoked_keys: Vec<String>,
    /// A route not activated for the account, e.g. `trackings/aircargo`, answered with 4018
    /// (repeatable).
    #[arg(long = "inactive-feature", value_name = "ROUTE")]
    pub inactive_features: Vec<String>,
    /// The webhook secret v4 pushes are signed with.
    #[arg(long, value_name = "SECRET")]
    pub webhook_secret: Option<String>,
    /// The webhook's version (it must equal the API version the receiver speaks).
    #[arg(long, value_enum, default_value_t = ApiVersion::V2)]
    pub webhook_version: ApiVersion,
    /// How v4 pushes are signed: timestamp-hex (the reference's example), timestamp-base64,
    /// body-hex, body-base64.
    #[arg(long, value_name = "SCHEME", default_value = "timestamp-hex")]
    pub webhook_scheme: String,
    /// `data` of a v4 error answer: empty-array, empty-object, null or absent.
    #[arg(long, value_name = "FORM", default_value = "empty-array")]
    pub v4_error_data: String,
    /// Slack for early requests, in milliseconds.
    #[arg(long, default_value_t = 100)]
    pub tolerance_ms: u64,
    /// Send `Retry-After: 1` with rate-limit refusals.
    #[arg(long)]
    pub retry_after_header: bool,
    /// Plain JSON instead of PHP-style `\/` and `\uXXXX` escapes.
    #[arg(long)]
    pub no_php_escapes: bool,
    /// Simulated start time, Unix seconds (default now).
    #[arg(long)]
    pub start_time: Option<i64>,
}

/// Who the simulator's rate limits count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimLimitScope {
    /// Each client IP address.
    Ip,
    /// Each API key.
    Key,
}

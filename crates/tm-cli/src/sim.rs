//! `tm sim`: the simulator as a server, with every option as a flag.

use crate::Failure;
use crate::cli::{SimArgs, SimLimitScope};
use crate::output::Out;

/// `tm sim`: serve until interrupted.
pub async fn run(args: SimArgs, redis_url: Option<String>, out: &mut Out) -> Result<(), Failure> {
    let bind: std::net::IpAddr = args
        .bind
        .parse()
        .map_err(|_| Failure::Usage(format!("--bind {:?}: not an IP address", args.bind)))?;
    if !(0.0..=1.0).contains(&args.fault_probability) {
        return Err(Failure::Usage(
            "--fault-probability must be between 0 and 1".into(),
        ));
    }
    if !(args.clock_scale.is_finite() && args.clock_scale > 0.0) {
        return Err(Failure::Usage("--clock-scale must be positive".into()));
    }
    if !(args.suspension.is_finite() && args.suspension >= 0.0) {
        return Err(Failure::Usage(
            "--suspension must be a number of seconds, 0 or more".into(),
        ));
    }
    let list_limit = match args.list_trackings_per_second.as_str() {
        "none" | "off" => None,
        n => Some(n.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            Failure::Usage(format!(
                "--list-trackings-per-second {n:?}: expected a positive whole number or `none`"
            ))
        })?),
    };
    let mut b = tm_sim::Simulator::builder()
        .bind(std::net::SocketAddr::new(bind, args.port))
        .seed(args.seed)
        .api_keys(args.accept_keys)
        .rate_limits(!args.no_rate_limits)
        .batch_max(args.batch_max)
        .quota(args.quota)
        .server_limits(
            args.server
                .limits(tm_sim::default_server_limits().max_body)?,
        )
        .mirror_http_status(args.mirror_http_status)
        .suspension(std::time::Duration::from_secs_f64(args.suspension))
        .limit_scope(match args.limit_scope {
            SimLimitScope::Ip => tm_sim::LimitScope::Ip,
            SimLimitScope::Key => tm_sim::LimitScope::Key,
        })
        .list_trackings_per_second(list_limit)
        .revoked_keys(args.revoked_keys)
        .inactive_features(args.inactive_features)
        .clock(if args.manual_clock {
            tm_sim::ClockMode::Manual
        } else {
            tm_sim::ClockMode::Real {
                scale: args.clock_scale,
            }
        });
    if args.over_limit_4020 {
        b = b.over_limit(tm_sim::OverLimitStyle::Meta4020);
    }
    if let Some(s) = args.state {
        b = b.state_file(s);
    }
    if let Some(e) = args.account_email {
        b = b.account_email(e);
    }
    let scheme = match args.webhook_scheme.as_str() {
        "timestamp-hex" => tm_sim::SignatureScheme::TimestampHex,
        "timestamp-base64" => tm_sim::SignatureScheme::TimestampBase64,
        "body-hex" => tm_sim::SignatureScheme::BodyHex,
        "body-base64" => tm_sim::SignatureScheme::BodyBase64,
        other => {
            return Err(Failure::Usage(format!(
                "--webhook-scheme {other:?}: expected timestamp-hex, timestamp-base64, body-hex or body-base64"
            )));
        }
    };
    let error_data = match args.v4_error_data.as_str() {
        "empty-array" => tm_sim::ErrorData::EmptyArray,
        "empty-object" => tm_sim::ErrorData::EmptyObject,
        "null" => tm_sim::ErrorData::Null,
        "absent" => tm_sim::ErrorData::Absent,
        other => {
            return Err(Failure::Usage(format!(
                "--v4-error-data {other:?}: expected empty-array, empty-object, null or absent"
            )));
        }
    };
    let mut v4 = tm_sim::V4Config {
        error_data,
        ..Default::default()
    };
    if let Some(secret) = args.webhook_secret {
        v4.webhook_secret = secret;
    }
    b = b.v4(v4);
    if let Some(url) = args.webhook_url {
        b = b.webhook(match args.webhook_version {
            crate::cli::ApiVersion::V2 => tm_sim::WebhookTarget::new(url),
            crate::cli::ApiVersion::V4 => tm_sim::WebhookTarget {
                scheme,
                ..tm_sim::WebhookTarget::v4(url)
            },
        });
    }
    for spec in &args.limits {
        let (class, rate) = spec.split_once('=').ok_or_else(|| {
            Failure::Usage(format!(
                "--limit {spec:?}: expected CLASS=PER_SEC or CLASS=none"
            ))
        })?;
        let rate = match rate {
            "none" | "off" => None,
            r => Some(
                r.parse::<f64>()
                    .ok()
                    .filter(|r| r.is_finite() && *r > 0.0)
                    .ok_or_else(|| {
                        Failure::Usage(format!("--limit {spec:?}: {r:?} is not a positive number"))
                    })?,
            ),
        };
        b = b.limit(class, rate);
    }
    b = b
        .rate_limit_tolerance(std::time::Duration::from_millis(args.tolerance_ms))
        .retry_after_header(args.retry_after_header)
        .php_escapes(!args.no_php_escapes);
    if let Some(t) = args.start_time {
        b = b.start_time(t);
    }
    if let Some(url) = redis_url {
        b = b.redis_url(url);
    }
    if let Some(path) = &args.faults {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        let plan: tm_sim::FaultPlan = serde_json::from_str(&text)
            .map_err(|e| Failure::Usage(format!("{}: not a fault plan: {e}", path.display())))?;
        b = b.faults(plan);
    } else if args.fault_probability > 0.0 {
        b = b.faults(tm_sim::FaultPlan {
            probability: args.fault_probability,
            random: vec![
                tm_sim::Fault::Http500,
                tm_sim::Fault::Http503,
                tm_sim::Fault::Meta429,
                tm_sim::Fault::Delay { ms: 2000 },
                tm_sim::Fault::Truncated,
                tm_sim::Fault::Drop,
            ],
            ..Default::default()
        });
    }
    let handle = b.start().await.map_err(|e| Failure::Usage(e.to_string()))?;
    out.line(&handle.base_url())?;
    out.note(&format!(
        "simulator running; admin routes at {} (Ctrl-C to stop)",
        handle.admin_url()
    ));
    crate::stop_signal().await;
    handle
        .shutdown()
        .await
        .map_err(|e| Failure::Io(e.to_string()))?;
    out.note("simulator stopped");
    Ok(())
}

//! The descriptions' tool, run by `cargo xtask openapi check`:
//!
//! ```text
//! openapi check    check 1: every response and webhook body in fixtures/ validates against
//!                  openapi/trackingmore-{v2,v4}.yaml; check 2: every request the client sends
//!                  in the conformance replays validates against them
//! ```

use std::process::ExitCode;

use tm_conformance::openapi::{
    Descriptions, check_client_requests, check_fixture_bodies, openapi_dir,
};
use tm_conformance::{fixtures_dir, load_all};

fn report(what: &str, r: Result<tm_conformance::openapi::Checked, Vec<String>>) -> bool {
    match r {
        Ok(c) => {
            println!(
                "{what}: {} validated, {} outside the description (tagged)",
                c.validated, c.outside
            );
            true
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!("{what}: {} problem(s)", problems.len());
            false
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("check") {
        eprintln!("usage: openapi check");
        return ExitCode::from(2);
    }
    let loaded =
        Descriptions::load(&openapi_dir()).and_then(|d| Ok((d, load_all(&fixtures_dir())?)));
    let (d, fixtures) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprintln!("openapi check: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bodies = report(
        "check 1, fixture bodies",
        check_fixture_bodies(&fixtures, &d),
    );
    // The replays wait on tokio's clock (backoff, throttling): paused, they take no time.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build();
    let requests = match runtime {
        Ok(rt) => report(
            "check 2, client requests",
            rt.block_on(check_client_requests(&fixtures, &d)),
        ),
        Err(e) => {
            eprintln!("openapi check: no runtime: {e}");
            false
        }
    };
    if bodies && requests {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! Records a live exchange as a fixture: `cargo xtask fixtures record` runs this.
//!
//! ```text
//! record --operation trackings.get --input '{"carrier_code":"ups","tracking_number":"1Z…"}' \
//!        --name trackings/get/live-ups --docs "A live UPS tracking." --out fixtures/trackings/get/live-ups.json \
//!        [--base-url https://api.trackingmore.com/v2]
//! ```
//!
//! The key comes from `TRACKINGMORE_API_KEY` and is replaced by the placeholder before anything
//! is written.

use std::process::ExitCode;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(op), Some(out)) = (arg(&args, "--operation"), arg(&args, "--out")) else {
        eprintln!(
            "usage: record --operation OP --input JSON --out FILE [--name N] [--docs TEXT] [--base-url URL]"
        );
        return ExitCode::from(2);
    };
    let Ok(key) = std::env::var("TRACKINGMORE_API_KEY") else {
        eprintln!("record: set TRACKINGMORE_API_KEY (it is never written to the fixture)");
        return ExitCode::from(2);
    };
    let input: serde_json::Value =
        match serde_json::from_str(&arg(&args, "--input").unwrap_or_else(|| "{}".into())) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("record: --input is not JSON: {e}");
                return ExitCode::from(2);
            }
        };
    let base = arg(&args, "--base-url").unwrap_or_else(|| tm_core::DEFAULT_BASE_URL.to_owned());
    let name = arg(&args, "--name").unwrap_or_else(|| {
        out.trim_start_matches("fixtures/")
            .trim_end_matches(".json")
            .to_owned()
    });
    let docs = arg(&args, "--docs").unwrap_or_else(|| format!("A live {op} exchange, recorded."));
    match tm_conformance::record(&base, &key, &name, &docs, &op, input).await {
        Ok(f) => {
            let text = serde_json::to_string_pretty(&serde_json::to_value(&f).unwrap_or_default())
                .unwrap_or_default();
            if let Err(e) = std::fs::write(&out, text + "\n") {
                eprintln!("record: {out}: {e}");
                return ExitCode::FAILURE;
            }
            eprintln!("recorded {} exchange(s) into {out}", f.attempts);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("record: {e}");
            ExitCode::FAILURE
        }
    }
}

//! `tm import`: a CSV of shipments in, batched creates out, resumable through a journal.
//!
//! The journal (`FILE.journal`, JSON lines) records each row's final outcome as soon as its
//! batch returns. A rerun skips every row with a final outcome and sends the rest, so an
//! interruption at any point loses nothing, and a row sent twice meets 4016 ("already
//! existed") rather than being created twice.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;
use tm_core::types::{CreateTrackingRequest, CustomerEmail};
use tm_core::{Client, ItemOutcome};

use crate::cli::{Format, ImportArgs};
use crate::output::Out;
use crate::{Failure, client_exit_code};

/// Columns a CSV may have besides the two required ones.
const OPTIONAL: &[&str] = &[
    "destination_code",
    "title",
    "logistics_channel",
    "customer_name",
    "customer_email",
    "customer_phone",
    "order_id",
    "order_create_time",
    "tracking_ship_date",
    "tracking_postal_code",
    "tracking_account_number",
    "tracking_destination_country",
    "specialnumberdestination",
    "lang",
    "comment",
    "auto_correct",
];

/// Reads a shipments CSV: `(row number, request)` per data row, rows numbered from 1.
pub fn read_csv(path: &Path) -> Result<Vec<(usize, CreateTrackingRequest)>, Failure> {
    let file = File::open(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(file);
    let bad = |m: String| Failure::Usage(format!("{}: {m}", path.display()));
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    for required in ["tracking_number", "carrier_code"] {
        if !headers.iter().any(|h| h == required) {
            return Err(bad(format!("the header has no `{required}` column")));
        }
    }
    if let Some(unknown) = headers.iter().find(|h| {
        !OPTIONAL.contains(&h.as_str()) && *h != "tracking_number" && *h != "carrier_code"
    }) {
        return Err(bad(format!(
            "unknown column `{unknown}`; allowed besides tracking_number and carrier_code: {}",
            OPTIONAL.join(", ")
        )));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let cell = |name: &str| -> Option<String> {
            let idx = headers.iter().position(|h| h == name)?;
            record.get(idx).map(str::to_owned).filter(|v| !v.is_empty())
        };
        let mut r = CreateTrackingRequest::new(
            cell("carrier_code").unwrap_or_default(),
            cell("tracking_number").unwrap_or_default(),
        );
        r.destination_code = cell("destination_code");
        r.title = cell("title");
        r.logistics_channel = cell("logistics_channel");
        r.customer_name = cell("customer_name");
        r.customer_email = cell("customer_email").map(CustomerEmail::from);
        r.customer_phone = cell("customer_phone");
        r.order_id = cell("order_id");
        r.order_create_time = cell("order_create_time");
        r.tracking_ship_date = cell("tracking_ship_date");
        r.tracking_postal_code = cell("tracking_postal_code");
        r.tracking_account_number = cell("tracking_account_number");
        r.tracking_destination_country = cell("tracking_destination_country");
        r.special_number_destination = cell("specialnumberdestination");
        r.lang = cell("lang");
        r.comment = cell("comment");
        if let Some(v) = cell("auto_correct") {
            r.auto_correct =
                Some(v.parse().map_err(|_| {
                    bad(format!("row {}: auto_correct {v:?} is not 0 or 1", i + 1))
                })?);
        }
        rows.push((i + 1, r));
    }
    Ok(rows)
}

/// One journal line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Entry {
    row: usize,
    carrier_code: String,
    tracking_number: String,
    outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Entry {
    fn is_final(&self) -> bool {
        matches!(
            self.outcome.as_str(),
            "created" | "already_exists" | "rejected" | "invalid"
        )
    }
}

/// Journals written before the label was renamed say `already_existed`.
const LEGACY_ALREADY_EXISTS: &str = "already_existed";

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The final outcomes recorded so far, by row. A torn last line (an interruption mid-write) is
/// ignored: its row is simply sent again.
fn read_journal(path: &Path, out: &Out) -> Result<HashMap<usize, Entry>, Failure> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(Failure::Io(format!("{}: {e}", path.display()))),
    };
    let mut done = HashMap::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(&line) {
            Ok(mut e) => {
                if e.outcome == LEGACY_ALREADY_EXISTS {
                    e.outcome = "already_exists".into();
                }
                if e.is_final() {
                    done.insert(e.row, e);
                }
            }
            Err(_) => out.warn(&format!(
                "{} line {}: unreadable, its row will be sent again",
                path.display(),
                n + 1
            )),
        }
    }
    Ok(done)
}

/// `tm import FILE`.
pub async fn run(client: &Client, args: ImportArgs, out: &mut Out) -> Result<(), Failure> {
    let rows = read_csv(&args.file)?;
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| with_suffix(&args.file, ".journal"));
    let rejected_path = args
        .rejected
        .clone()
        .unwrap_or_else(|| with_suffix(&args.file, ".rejected.csv"));
    let mut done = read_journal(&journal_path, out)?;
    // A journal entry only counts for the row it describes (the file may have changed).
    done.retain(|row, e| {
        rows.get(row - 1).is_some_and(|(_, r)| {
            r.tracking_number == e.tracking_number && r.carrier_code == e.carrier_code
        })
    });
    let pending: Vec<&(usize, CreateTrackingRequest)> =
        rows.iter().filter(|(n, _)| !done.contains_key(n)).collect();
    if !done.is_empty() {
        out.note(&format!(
            "resuming: {} of {} rows already done",
            done.len(),
            rows.len()
        ));
    }
    let mut journal = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal_path)
        .map_err(|e| Failure::Io(format!("{}: {e}", journal_path.display())))?;
    // A line torn by a crash must not swallow the next entry: start on a fresh line.
    let ends_cleanly = std::fs::read(&journal_path)
        .map(|b| b.last().is_none_or(|c| *c == b'\n'))
        .unwrap_or(true);
    if !ends_cleanly {
        journal
            .write_all(b"\n")
            .map_err(|e| Failure::Io(format!("{}: {e}", journal_path.display())))?;
    }
    let progress = out.interactive().then(|| {
        let bar = indicatif::ProgressBar::new(pending.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} rows  {elapsed_precise} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut failure: Option<Failure> = None;
    let mut unsent = 0usize;
    for chunk in pending.chunks(client.config().batch_size) {
        if failure.is_some() {
            unsent += chunk.len();
            continue;
        }
        let report = client
            .trackings()
            .create_many(chunk.iter().map(|(_, r)| r.clone()))
            .await;
        let mut lines = String::new();
        for ((row, _), item) in chunk.iter().zip(&report.items) {
            if let ItemOutcome::Failed(e) = &item.outcome {
                failure.get_or_insert(Failure::Coded {
                    code: client_exit_code(e),
                    message: e.to_string(),
                });
                unsent += 1;
                continue;
            }
            if matches!(
                item.outcome,
                ItemOutcome::NotSent | ItemOutcome::Unconfirmed
            ) {
                unsent += 1;
                continue;
            }
            let entry = Entry {
                row: *row,
                carrier_code: item.target.carrier_code.clone(),
                tracking_number: item.target.tracking_number.clone(),
                outcome: item.outcome.label().to_owned(),
                reason: item.outcome.reason(),
            };
            lines.push_str(&serde_json::to_string(&entry).unwrap_or_default());
            lines.push('\n');
            done.insert(*row, entry);
        }
        // Durable before the next batch: a crash after this point never re-creates these.
        journal
            .write_all(lines.as_bytes())
            .and_then(|()| journal.sync_data())
            .map_err(|e| Failure::Io(format!("{}: {e}", journal_path.display())))?;
        if let Some(bar) = &progress {
            bar.inc(chunk.len() as u64);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }

    let count = |label: &str| done.values().filter(|e| e.outcome == label).count();
    let (created, existed) = (count("created"), count("already_exists"));
    let rejected: Vec<&Entry> = {
        let mut v: Vec<&Entry> = done
            .values()
            .filter(|e| matches!(e.outcome.as_str(), "rejected" | "invalid"))
            .collect();
        v.sort_by_key(|e| e.row);
        v
    };
    if !rejected.is_empty() {
        write_rejected(&rejected_path, &rejected)?;
    }
    let summary = json!({
        "rows": rows.len(),
        "created": created,
        "already_exists": existed,
        "rejected": rejected.len(),
        "not_done": unsent,
        "journal": journal_path.display().to_string(),
        "rejected_file": (!rejected.is_empty()).then(|| rejected_path.display().to_string()),
    });
    if matches!(out.format, Format::Json | Format::Jsonl) {
        out.json(&summary)?;
    } else if !out.quiet() {
        let mut line = format!(
            "{} rows: {created} created, {existed} already existed, {} rejected",
            rows.len(),
            rejected.len()
        );
        if !rejected.is_empty() {
            line.push_str(&format!(" (reasons in {})", rejected_path.display()));
        }
        if unsent > 0 {
            line.push_str(&format!(
                ", {unsent} not done yet: run the same command again to resume"
            ));
        }
        out.line(&line)?;
    }
    match failure {
        Some(f) => Err(f),
        None if !rejected.is_empty() => Err(Failure::Refused(format!(
            "{} row(s) were rejected",
            rejected.len()
        ))),
        None => Ok(()),
    }
}

fn write_rejected(path: &Path, rows: &[&Entry]) -> Result<(), Failure> {
    let io = |e: csv::Error| Failure::Io(format!("{}: {e}", path.display()));
    let mut w = csv::Writer::from_path(path).map_err(io)?;
    w.write_record(["row", "tracking_number", "carrier_code", "reason"])
        .map_err(io)?;
    for e in rows {
        w.write_record([
            e.row.to_string(),
            e.tracking_number.clone(),
            e.carrier_code.clone(),
            e.reason.clone().unwrap_or_default(),
        ])
        .map_err(io)?;
    }
    w.flush()
        .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))
}

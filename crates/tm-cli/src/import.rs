//! `tm import`: a CSV of shipments in, batched creates out, resumable through a journal.
//!
//! The journal (`FILE.journal`, JSON lines) records each row's final outcome as soon as its
//! batch returns. A rerun skips every row with a final outcome and sends the rest, so an
//! interruption at any point loses nothing, and a row sent twice meets "already exists" (v2
//! 4016, v4 4101) rather than being created twice. The same file imports into either
//! generation: under `--api v4` each row becomes a v4 create request (`tm_core::bridge`).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;
use tm_core::types::v2::CreateTrackingRequest;
use tm_core::{BatchReport, ItemOutcome};

use crate::cli::{Format, ImportArgs};
use crate::output::Out;
use crate::{Backend, Failure, client_exit_code};

/// One data row of a shipments CSV: the create fields, by their API names (headers are read
/// case-insensitively). A column this does not name is refused with the list of known ones.
/// It becomes a create request through serde, field by field under the same names.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Row {
    tracking_number: String,
    carrier_code: String,
    destination_code: Option<String>,
    title: Option<String>,
    logistics_channel: Option<String>,
    customer_name: Option<String>,
    customer_email: Option<String>,
    customer_phone: Option<String>,
    order_id: Option<String>,
    order_create_time: Option<String>,
    tracking_ship_date: Option<String>,
    tracking_postal_code: Option<String>,
    tracking_account_number: Option<String>,
    tracking_destination_country: Option<String>,
    #[serde(rename(
        deserialize = "specialnumberdestination",
        serialize = "specialNumberDestination"
    ))]
    special_number_destination: Option<String>,
    lang: Option<String>,
    comment: Option<String>,
    auto_correct: Option<u8>,
}

impl Row {
    fn into_request(self) -> Result<CreateTrackingRequest, String> {
        serde_json::to_value(self)
            .and_then(serde_json::from_value)
            .map_err(|e| e.to_string())
    }
}

/// Reads a shipments CSV: `(row number, request)` per data row, rows numbered from 1. A bad
/// header (an unknown or a missing column) is reported before any row is read.
pub fn read_csv(path: &Path) -> Result<Vec<(usize, CreateTrackingRequest)>, Failure> {
    let file = File::open(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    read_csv_from(file, &path.display().to_string())
}

/// [`read_csv`] from any reader; `name` names it in errors.
pub fn read_csv_from(
    input: impl std::io::Read,
    name: &str,
) -> Result<Vec<(usize, CreateTrackingRequest)>, Failure> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let bad = |m: String| Failure::Usage(format!("{name}: {m}"));
    let headers: csv::StringRecord = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    reader.set_headers(headers.clone());
    // An empty row against the header: serde names an unknown or a missing column now.
    let empty: csv::StringRecord = headers.iter().map(|_| "").collect();
    if let Err(e) = empty.deserialize::<Row>(Some(&headers)) {
        return Err(bad(format!("the header: {}", describe(&e, &headers))));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.deserialize::<Row>().enumerate() {
        let row = record.map_err(|e| bad(format!("row {}: {}", i + 1, describe(&e, &headers))))?;
        let request = row
            .into_request()
            .map_err(|e| bad(format!("row {}: {e}", i + 1)))?;
        rows.push((i + 1, request));
    }
    Ok(rows)
}

/// A CSV error in the file's terms: columns rather than fields, named by their header.
fn describe(e: &csv::Error, headers: &csv::StringRecord) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let text = err
                .kind()
                .to_string()
                .replace("unknown field", "unknown column")
                .replace("missing field", "missing column");
            match err.field().and_then(|f| headers.get(f as usize)) {
                Some(column) => format!("column `{column}`: {text}"),
                None => text,
            }
        }
        _ => e.to_string(),
    }
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

/// What happened to one row, whichever generation created it.
pub struct Settled {
    /// The outcome's label (`created`, `already_exists`, `rejected`, …).
    pub label: &'static str,
    /// Why, for a rejected, invalid or failed row.
    pub reason: Option<String>,
    /// The error of a call that failed as a whole.
    pub failed: Option<std::sync::Arc<tm_core::Error>>,
    /// False when the row was not sent or not confirmed: it is sent again on a rerun.
    pub settled: bool,
}

fn settle<C>(report: BatchReport<C>) -> Vec<Settled> {
    report
        .items
        .into_iter()
        .map(|i| Settled {
            label: i.outcome.label(),
            reason: i.outcome.reason(),
            settled: !matches!(
                i.outcome,
                ItemOutcome::NotSent | ItemOutcome::Unconfirmed | ItemOutcome::Failed(_)
            ),
            failed: match i.outcome {
                ItemOutcome::Failed(e) => Some(e),
                _ => None,
            },
        })
        .collect()
}

impl Backend {
    /// Items per batch call.
    pub fn batch_size(&self) -> usize {
        match self {
            Backend::V2(c) => c.config().batch_size,
            Backend::V4(c) => c.config().batch_size,
        }
    }

    /// Creates `requests` in batches; one outcome per request, in order.
    pub async fn create_many(&self, requests: Vec<CreateTrackingRequest>) -> Vec<Settled> {
        match self {
            Backend::V2(c) => settle(c.trackings().create_many(requests).await),
            Backend::V4(c) => settle(
                c.trackings()
                    .create_many(requests.iter().map(tm_core::bridge::create_request_to_v4))
                    .await,
            ),
        }
    }
}

/// `tm import FILE`.
pub async fn run(client: &Backend, args: ImportArgs, out: &mut Out) -> Result<(), Failure> {
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
    for chunk in pending.chunks(client.batch_size()) {
        if failure.is_some() {
            unsent += chunk.len();
            continue;
        }
        let settled = client
            .create_many(chunk.iter().map(|(_, r)| r.clone()).collect())
            .await;
        let mut lines = String::new();
        for ((row, request), item) in chunk.iter().zip(settled) {
            if let Some(e) = &item.failed {
                failure.get_or_insert(Failure::Coded {
                    code: client_exit_code(e),
                    message: e.to_string(),
                });
            }
            if !item.settled {
                unsent += 1;
                continue;
            }
            let entry = Entry {
                row: *row,
                carrier_code: request.carrier_code.clone(),
                tracking_number: request.tracking_number.clone(),
                outcome: item.label.to_owned(),
                reason: item.reason,
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

//! `tm import`: a CSV of shipments in, batched creates out, resumable through a journal.
//!
//! The file is read twice, streamed (flat memory at any size): once to hash its content and
//! check every row (a bad row is named before anything is sent), once to send the rows. The
//! journal lives in the state database, keyed by the account and the file's content hash
//! (`state.rs`); a row's final outcome is kept only once the API confirmed it (in the
//! sandbox, once its account committed it). A rerun skips every row with a final outcome and
//! sends the rest, so an interruption at any point loses nothing, and a row whose outcome was
//! unknown is sent again and meets "already exists" (v2 4016, v4 4101), counted as such,
//! rather than being created twice. The summary counts only what the journal holds. The same
//! file imports into either generation: under `--api v4` each row becomes a v4 create request
//! (`tm_core::bridge`).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tm_core::account::{ImportError, NewShipment};

use crate::cli::{Format, ImportArgs};
use crate::output::Out;
use crate::{Failure, Session, client_exit_code};

/// One data row of a shipments CSV: the create fields, by their API names (headers are read
/// case-insensitively). A column this does not name is refused with the list of known ones.
#[derive(Debug, Deserialize)]
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
    #[serde(rename = "specialnumberdestination")]
    special_number_destination: Option<String>,
    lang: Option<String>,
    comment: Option<String>,
    auto_correct: Option<u8>,
}

impl Row {
    fn into_shipment(self) -> NewShipment {
        let mut s = NewShipment::new(self.carrier_code, self.tracking_number);
        s.destination = self.destination_code;
        s.title = self.title;
        s.logistics_channel = self.logistics_channel;
        s.customer_name = self.customer_name;
        s.customer_email = self.customer_email;
        s.customer_phone = self.customer_phone;
        s.order_id = self.order_id;
        s.order_created = self.order_create_time;
        s.ship_date = self.tracking_ship_date;
        s.postal_code = self.tracking_postal_code;
        s.account_number = self.tracking_account_number;
        s.destination_country = self.tracking_destination_country;
        s.special_number_destination = self.special_number_destination;
        s.lang = self.lang;
        s.note = self.comment;
        s.auto_correct = self.auto_correct.map(|a| a != 0);
        s
    }
}

/// The rows of a shipments CSV, streamed: `(row number, request)` per data row, rows
/// numbered from 1. A bad header (an unknown or a missing column, or no header at all) is
/// reported when it is opened, before any row is read.
pub struct CsvRows<R: Read> {
    reader: csv::Reader<R>,
    headers: csv::StringRecord,
    record: csv::StringRecord,
    name: String,
    row: usize,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header of `input`; `name` names it in errors.
    pub fn new(input: R, name: &str) -> Result<Self, Failure> {
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
        if headers.iter().all(str::is_empty) {
            return Err(bad(
                "the file is empty: expected a header line naming at least \
                 tracking_number,carrier_code"
                    .into(),
            ));
        }
        reader.set_headers(headers.clone());
        // An empty row against the header: serde names an unknown or a missing column now.
        let empty: csv::StringRecord = headers.iter().map(|_| "").collect();
        if let Err(e) = empty.deserialize::<Row>(Some(&headers)) {
            return Err(bad(format!("the header: {}", describe(&e, &headers))));
        }
        Ok(CsvRows {
            reader,
            headers,
            record: csv::StringRecord::new(),
            name: name.to_owned(),
            row: 0,
        })
    }

    /// The next data row, or `None` at the end; a row that does not read is named.
    pub fn next_row(&mut self) -> Option<Result<(usize, NewShipment), Failure>> {
        let bad = |row: usize, m: String| Failure::Usage(format!("{}: row {row}: {m}", self.name));
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Err(e) => Some(Err(bad(self.row + 1, e.to_string()))),
            Ok(true) => {
                self.row += 1;
                let row = self.row;
                Some(
                    self.record
                        .deserialize::<Row>(Some(&self.headers))
                        .map_err(|e| bad(row, describe(&e, &self.headers)))
                        .map(|r| (row, r.into_shipment())),
                )
            }
        }
    }

    /// The input, past what the CSV reader consumed.
    fn into_inner(self) -> R {
        self.reader.into_inner()
    }
}

impl CsvRows<File> {
    /// Opens a shipments CSV file.
    pub fn open(path: &Path) -> Result<Self, Failure> {
        let file =
            File::open(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
        CsvRows::new(file, &path.display().to_string())
    }
}

/// Reads a whole (small) shipments CSV: `(row number, request)` per data row.
pub fn read_csv(path: &Path) -> Result<Vec<(usize, NewShipment)>, Failure> {
    collect(CsvRows::open(path)?)
}

/// [`read_csv`] from any reader; `name` names it in errors.
pub fn read_csv_from(input: impl Read, name: &str) -> Result<Vec<(usize, NewShipment)>, Failure> {
    collect(CsvRows::new(input, name)?)
}

fn collect<R: Read>(mut rows: CsvRows<R>) -> Result<Vec<(usize, NewShipment)>, Failure> {
    std::iter::from_fn(|| rows.next_row()).collect()
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

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// The first pass: every row checked, the content hashed. `(rows, SHA-256 hex)`.
fn check_file(path: &Path) -> Result<(usize, String), Failure> {
    let file = File::open(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let mut rows = CsvRows::new(
        Hashing {
            inner: file,
            hash: Sha256::new(),
        },
        &path.display().to_string(),
    )?;
    let mut count = 0;
    while let Some(row) = rows.next_row() {
        row?;
        count += 1;
    }
    let mut rest = rows.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink())
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    Ok((count, hex::encode(rest.hash.finalize())))
}

/// `tm import FILE`.
pub async fn run(session: &Session, args: ImportArgs, out: &mut Out) -> Result<(), Failure> {
    let (total, sha) = check_file(&args.file)?;
    let rejected_path = args
        .rejected
        .clone()
        .unwrap_or_else(|| with_suffix(&args.file, ".rejected.csv"));
    let state = session.state()?;
    let file_name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let journal = state.journal(&session.account_key()?, &sha, &file_name)?;
    let before = journal.counts()?;
    if before.done() > 0 {
        out.note(&format!(
            "resuming: {} of {total} rows already done",
            before.done()
        ));
    }
    let progress = out.interactive().then(|| {
        let bar = indicatif::ProgressBar::new(total.saturating_sub(before.done()) as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} rows  {elapsed_precise} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut rows = CsvRows::open(&args.file)?;
    let rows = std::iter::from_fn(move || rows.next_row()).map(|r| r.map(|(n, s)| (n as u64, s)));
    let run = session
        .account
        .import(rows, &journal, |n| {
            if let Some(bar) = &progress {
                bar.inc(n as u64);
            }
        })
        .await
        .map_err(|e| match e {
            ImportError::Rows(f) => f,
            ImportError::Journal(j) => Failure::State(j.0),
        })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let failure = run.failure.map(|e| Failure::Coded {
        code: client_exit_code(&e),
        message: e.to_string(),
    });

    let counts = journal.counts()?;
    let not_done = total.saturating_sub(counts.done());
    if counts.rejected > 0 {
        write_rejected(&rejected_path, &journal, out.csv_raw)?;
    }
    if matches!(out.format, Format::Json | Format::Jsonl) {
        out.json(&json!({
            "rows": total,
            "created": counts.created,
            "already_exists": counts.already_exists,
            "rejected": counts.rejected,
            "not_done": not_done,
            "state": state.path().display().to_string(),
            "rejected_file": (counts.rejected > 0).then(|| rejected_path.display().to_string()),
        }))?;
    } else if !out.quiet() {
        let mut line = format!(
            "{total} rows: {} created, {} already existed, {} rejected",
            counts.created, counts.already_exists, counts.rejected
        );
        if counts.rejected > 0 {
            line.push_str(&format!(" (reasons in {})", rejected_path.display()));
        }
        if not_done > 0 {
            line.push_str(&format!(
                ", {not_done} not done yet: run the same command again to resume"
            ));
        }
        out.line(&line)?;
    }
    match failure {
        Some(f) => Err(f),
        None if counts.rejected > 0 => Err(Failure::Refused(format!(
            "{} row(s) were rejected",
            counts.rejected
        ))),
        None => Ok(()),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Writes every rejected row of `journal`, with its reason, to `path` (cells neutralised
/// unless `raw`).
fn write_rejected(
    path: &Path,
    journal: &crate::state::Journal<'_>,
    raw: bool,
) -> Result<(), Failure> {
    let io = |e: csv::Error| Failure::Io(format!("{}: {e}", path.display()));
    let mut w = csv::Writer::from_path(path).map_err(io)?;
    w.write_record(["row", "tracking_number", "carrier_code", "reason"])
        .map_err(io)?;
    journal.rejected(|e| {
        let cells = [
            e.row.to_string(),
            e.number,
            e.carrier,
            e.reason.unwrap_or_default(),
        ];
        crate::output::write_csv_record(&mut w, cells, raw).map_err(io)
    })?;
    w.flush()
        .map_err(|e| Failure::Io(format!("{}: {e}", path.display())))
}

//! Rendering results: tables sized to the terminal, JSON with the API's field names, JSON
//! lines, CSV; errors and notes on stderr. Shipments of either generation are rendered from
//! one shape (`tm_core::account::Shipment`): one set of table and CSV columns, and the
//! generation's own tracking for JSON.

use std::io::{IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;
use serde_json::{Value, json};
use tm_core::account::Shipment;

use crate::Failure;
use crate::cli::Format;

/// Columns of a shipment in CSV exports, whichever generation listed it.
pub const CSV_COLUMNS: &[&str] = &[
    "carrier_code",
    "tracking_number",
    "id",
    "status",
    "substatus",
    "last_event",
    "last_checkpoint_time",
    "days_in_transit",
    "created_at",
    "updated_at",
    "order_id",
    "title",
    "customer_name",
    "origin_country",
    "destination_country",
    "archived",
];

fn text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A shipment's CSV row, in [`CSV_COLUMNS`] order.
pub fn csv_row(s: &Shipment) -> Vec<String> {
    vec![
        s.carrier.clone(),
        s.number.clone(),
        text(s.id.as_deref()),
        s.status.clone(),
        text(s.substatus.as_deref()),
        text(s.last_event.as_deref()),
        s.checkpoints
            .first()
            .map(|c| c.time.clone())
            .unwrap_or_default(),
        text(s.transit_days),
        text(s.created.map(|t| t.to_rfc3339())),
        text(s.updated.map(|t| t.to_rfc3339())),
        text(s.order_id.as_deref()),
        text(s.title.as_deref()),
        text(s.customer_name.as_deref()),
        text(s.origin.as_deref()),
        text(s.destination.as_deref()),
        s.archived.to_string(),
    ]
}

/// The colour a status shows in, by what it means in either generation.
fn status_color(status: &str) -> Option<Color> {
    Some(match status {
        "delivered" => Color::Green,
        "transit" | "pickup" | "inforeceived" => Color::Cyan,
        "exception" | "undelivered" | "expired" => Color::Red,
        _ => return None,
    })
}

/// The columns of a shipment's table row; with the id where the account addresses trackings
/// by it.
pub fn row_header(with_id: bool) -> Vec<&'static str> {
    let mut h = vec!["CARRIER", "NUMBER", "STATUS", "LAST EVENT", "DAYS"];
    if with_id {
        h.push("ID");
    }
    h
}

/// A shipment's table row (`carrier`, `number`, `status` from `s`); `note` replaces the last
/// event (e.g. why it was not created).
pub fn shipment_row(
    carrier: &str,
    number: &str,
    s: Option<&Shipment>,
    note: Option<&str>,
    with_id: bool,
) -> Vec<Cell> {
    let status = s.map_or("-", |s| s.status.as_str());
    let mut status_cell = Cell::new(status);
    if let Some(c) = status_color(status) {
        status_cell = status_cell.fg(c);
    }
    let mut row = vec![
        Cell::new(carrier),
        Cell::new(number),
        status_cell,
        Cell::new(
            note.map(str::to_owned)
                .unwrap_or_else(|| text(s.and_then(|s| s.last_event.as_deref()))),
        ),
        Cell::new(text(s.and_then(|s| s.transit_days))),
    ];
    if with_id {
        row.push(Cell::new(text(s.and_then(|s| s.id.as_deref()))));
    }
    row
}

/// A CSV cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return (OWASP's list of formula triggers) gets a `'` in front; others are kept.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes one CSV record, its cells neutralised unless `raw`.
pub fn write_csv_record<W: Write, I, S>(
    w: &mut csv::Writer<W>,
    cells: I,
    raw: bool,
) -> Result<(), csv::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    if raw {
        return w.write_record(cells.into_iter().map(|c| c.as_ref().to_owned()));
    }
    w.write_record(
        cells
            .into_iter()
            .map(|c| neutralise(c.as_ref()).into_owned()),
    )
}

/// Where results go, in the chosen format.
pub struct Out {
    /// The format.
    pub format: Format,
    /// CSV cells as they are, formula triggers included (`--csv-raw`).
    pub csv_raw: bool,
    quiet: bool,
    stdout: std::io::Stdout,
    tty: bool,
}

impl Out {
    /// An output for `format`; CSV cells neutralised unless `csv_raw`.
    pub fn new(format: Format, quiet: bool, csv_raw: bool) -> Out {
        let stdout = std::io::stdout();
        let tty = stdout.is_terminal();
        Out {
            format,
            csv_raw,
            quiet,
            stdout,
            tty,
        }
    }

    /// True when stderr is a terminal and not quiet (for progress bars).
    pub fn interactive(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// True when quiet.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// A line of text on stdout.
    pub fn line(&mut self, s: &str) -> Result<(), Failure> {
        writeln!(self.stdout, "{s}").map_err(|e| Failure::Io(format!("stdout: {e}")))
    }

    /// A summary line on stderr, unless quiet.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            eprintln!("{s}");
        }
    }

    /// A warning on stderr.
    pub fn warn(&self, s: &str) {
        eprintln!("warning: {s}");
    }

    /// A tracking of a listing, or — when one did not decode — a warning naming it (its raw
    /// JSON included) and `None`, so that the listing goes on; any other error ends it.
    pub fn readable<T>(
        &self,
        item: tm_core::Result<T>,
        unread: &mut usize,
    ) -> Result<Option<T>, Failure> {
        match item {
            Ok(t) => Ok(Some(t)),
            Err(tm_core::Error::Undecoded(u)) => {
                *unread += 1;
                self.warn(&format!(
                    "skipped a tracking that could not be read at `{}`: {} — as sent: {}",
                    u.error.path, u.error.message, u.raw
                ));
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The failure after a listing that went on past trackings it could not read: exit 3, as for
/// any unreadable response, once everything readable was handled.
pub fn unread_failure(unread: usize) -> Result<(), Failure> {
    if unread == 0 {
        return Ok(());
    }
    Err(Failure::Coded {
        code: 3,
        message: format!("{unread} tracking(s) could not be read (each is reported above)"),
    })
}

impl Out {
    /// The error on stderr: plain, or JSON with `--output json`.
    pub fn error(&self, f: &Failure) {
        if matches!(self.format, Format::Json | Format::Jsonl) {
            let mut err = json!({"message": f.message(), "exit_code": f.code()});
            if let Failure::Client(e) = f {
                if let Some(code) = e.api_code() {
                    err["code"] = json!(code.code());
                }
                if let Some(op) = e.operation() {
                    err["operation"] = json!(op.name());
                }
                if let Some(w) = e.retry_after() {
                    err["retry_after_secs"] = json!(w.as_secs());
                }
            }
            eprintln!("{}", json!({"error": err}));
        } else {
            eprintln!("error: {}", f.message());
        }
    }

    /// A table on stdout, sized to the terminal.
    /// One tracking as two tables, whichever generation's it is: its `fields` (those with a
    /// non-empty value), then its checkpoints newest first, each `(time, [date, status,
    /// event, where])`.
    pub fn tracking_detail(
        &mut self,
        fields: Vec<(&str, Option<String>)>,
        mut checkpoints: Vec<(Option<chrono::NaiveDateTime>, [String; 4])>,
    ) -> Result<(), Failure> {
        let rows = fields
            .into_iter()
            .filter_map(|(label, v)| {
                Some(vec![
                    Cell::new(label),
                    Cell::new(v.filter(|v| !v.is_empty())?),
                ])
            })
            .collect();
        self.table(&["FIELD", "VALUE"], rows)?;
        if checkpoints.is_empty() {
            return Ok(());
        }
        checkpoints.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
        let rows = checkpoints
            .into_iter()
            .map(|(_, cells)| cells.into_iter().map(Cell::new).collect())
            .collect();
        self.table(&["DATE", "STATUS", "EVENT", "WHERE"], rows)
    }

    pub fn table(&mut self, header: &[&str], rows: Vec<Vec<Cell>>) -> Result<(), Failure> {
        let mut table = Table::new();
        table
            .load_preset(presets::NOTHING)
            .set_header(header.to_vec());
        if self.tty {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        } else {
            table.force_no_tty();
        }
        for row in rows {
            table.add_row(row);
        }
        self.line(&table.to_string())
    }

    /// A serialisable value as pretty JSON (or one line with `jsonl`).
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failure> {
        let text = if self.format == Format::Jsonl {
            serde_json::to_string(value)
        } else {
            serde_json::to_string_pretty(value)
        }
        .map_err(|e| Failure::Io(e.to_string()))?;
        self.line(&text)
    }

    /// Shipments in the chosen format: a summary table, the API's own JSON, or CSV.
    pub fn shipments(&mut self, items: &[Shipment], with_id: bool) -> Result<(), Failure> {
        match self.format {
            Format::Json => {
                let raw: Vec<&tm_core::account::Tracked> = items.iter().map(|s| &s.raw).collect();
                self.json(&raw)
            }
            Format::Jsonl | Format::Csv => {
                let mut w = TrackingWriter::new(self, Box::new(std::io::stdout()))?;
                for s in items {
                    w.write(s)?;
                }
                w.finish()
            }
            Format::Table => {
                let rows = items
                    .iter()
                    .map(|s| shipment_row(&s.carrier, &s.number, Some(s), None, with_id))
                    .collect();
                self.table(&row_header(with_id), rows)
            }
        }
    }

    /// One shipment: its fields and checkpoints, or its JSON.
    pub fn shipment(&mut self, s: &Shipment) -> Result<(), Failure> {
        if !matches!(self.format, Format::Table) {
            return self.shipments(std::slice::from_ref(s), false);
        }
        let fields = vec![
            ("tracking", Some(s.key())),
            ("status", Some(s.status.clone())),
            ("substatus", s.substatus.clone()),
            ("last event", s.last_event.clone()),
            ("days in transit", s.transit_days.map(|d| d.to_string())),
            ("from", s.origin.clone()),
            ("to", s.destination.clone()),
            ("title", s.title.clone()),
            ("order", s.order_id.clone()),
            ("created", s.created.map(|t| t.to_rfc3339())),
            ("id", s.id.clone()),
        ];
        let checkpoints = s
            .checkpoints
            .iter()
            .map(|c| {
                let cells = [
                    c.time.clone(),
                    c.status.clone().unwrap_or_default(),
                    c.text.clone(),
                    c.place.clone().unwrap_or_default(),
                ];
                (c.at, cells)
            })
            .collect();
        self.tracking_detail(fields, checkpoints)
    }
}

/// Streams shipments as CSV or JSON lines (the API's own JSON), one at a time.
pub struct TrackingWriter {
    csv: Option<csv::Writer<Box<dyn Write>>>,
    raw: Option<Box<dyn Write>>,
    /// CSV cells as they are (`--csv-raw`).
    csv_raw: bool,
}

impl TrackingWriter {
    /// A writer to `sink` in `out`'s format: CSV for `Csv` and `Table`, JSON lines otherwise.
    pub fn new(out: &Out, sink: Box<dyn Write>) -> Result<TrackingWriter, Failure> {
        let columns = CSV_COLUMNS;
        Ok(match out.format {
            Format::Csv | Format::Table => {
                let mut w = csv::Writer::from_writer(sink);
                w.write_record(columns)
                    .map_err(|e| Failure::Io(e.to_string()))?;
                TrackingWriter {
                    csv: Some(w),
                    raw: None,
                    csv_raw: out.csv_raw,
                }
            }
            Format::Json | Format::Jsonl => TrackingWriter {
                csv: None,
                raw: Some(sink),
                csv_raw: out.csv_raw,
            },
        })
    }

    /// Writes one shipment.
    pub fn write(&mut self, s: &Shipment) -> Result<(), Failure> {
        let io = |e: std::io::Error| Failure::Io(e.to_string());
        if let Some(w) = &mut self.csv {
            write_csv_record(w, csv_row(s), self.csv_raw)
                .map_err(|e| Failure::Io(e.to_string()))?;
        }
        if let Some(w) = &mut self.raw {
            let line = serde_json::to_string(&s.raw).map_err(|e| Failure::Io(e.to_string()))?;
            writeln!(w, "{line}").map_err(io)?;
        }
        Ok(())
    }

    /// Flushes.
    pub fn finish(mut self) -> Result<(), Failure> {
        if let Some(w) = &mut self.csv {
            w.flush().map_err(|e| Failure::Io(e.to_string()))?;
        }
        if let Some(w) = &mut self.raw {
            w.flush().map_err(|e| Failure::Io(e.to_string()))?;
        }
        Ok(())
    }
}

/// A JSON value's text for a table cell.
pub fn cell_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

//! Rendering results: tables sized to the terminal, JSON with the API's field names, JSON
//! lines, CSV; errors and notes on stderr.

use std::io::{IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;
use serde_json::{Value, json};
use tm_types::v2::{Tracking, TrackingStatus};
use tm_types::v4;

use crate::Failure;
use crate::cli::Format;

/// Columns of a tracking in CSV and JSON-line exports.
pub const CSV_COLUMNS: &[&str] = &[
    "carrier_code",
    "tracking_number",
    "status",
    "substatus",
    "last_event",
    "last_update_time",
    "days_in_transit",
    "created_at",
    "updated_at",
    "order_id",
    "title",
    "customer_name",
    "original_country",
    "destination_country",
    "archived",
];

fn text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Columns of a v4 tracking in CSV exports.
pub const V4_CSV_COLUMNS: &[&str] = &[
    "courier_code",
    "tracking_number",
    "id",
    "delivery_status",
    "substatus",
    "latest_event",
    "latest_checkpoint_time",
    "transit_time",
    "created_at",
    "update_at",
    "order_number",
    "order_id",
    "title",
    "customer_name",
    "origin_country",
    "destination_country",
    "archived",
];

/// A tracking of either generation as an export row.
pub trait Exportable: Serialize {
    /// The CSV header.
    const COLUMNS: &'static [&'static str];
    /// The CSV row, in [`Self::COLUMNS`] order.
    fn csv_row(&self) -> Vec<String>;
}

impl Exportable for Tracking {
    const COLUMNS: &'static [&'static str] = CSV_COLUMNS;
    fn csv_row(&self) -> Vec<String> {
        csv_row(self)
    }
}

impl Exportable for v4::Tracking {
    const COLUMNS: &'static [&'static str] = V4_CSV_COLUMNS;
    fn csv_row(&self) -> Vec<String> {
        let t = self;
        vec![
            text(t.courier_code.value()),
            text(t.tracking_number.value()),
            text(t.id.value()),
            text(t.status()),
            text(t.substatus.value()),
            text(t.latest_event.value()),
            text(t.latest_checkpoint_time.value()),
            text(t.transit_time.value()),
            text(t.created_at.value()),
            text(t.update_at.value()),
            text(t.order_number.value()),
            text(t.order_id.value()),
            text(t.title.value()),
            text(t.customer_name.value()),
            text(t.origin_country.value()),
            text(t.destination_country.value()),
            text(t.archived.value()),
        ]
    }
}

/// A tracking's CSV row, in [`CSV_COLUMNS`] order.
pub fn csv_row(t: &Tracking) -> Vec<String> {
    vec![
        t.carrier_code.clone(),
        t.tracking_number.clone(),
        text(t.status()),
        text(t.substatus.value()),
        text(t.last_event.value()),
        text(t.last_update_time.value()),
        text(t.item_time_length.value()),
        text(t.created_at.value()),
        text(t.updated_at.value()),
        text(t.order_id.value()),
        text(t.title.value()),
        text(t.customer_name.value()),
        text(t.original_country.value()),
        text(t.destination_country.value()),
        text(t.archived.value()),
    ]
}

fn status_color(s: Option<&TrackingStatus>) -> Option<Color> {
    Some(match s? {
        TrackingStatus::Delivered => Color::Green,
        TrackingStatus::Transit | TrackingStatus::Pickup => Color::Cyan,
        TrackingStatus::Exception | TrackingStatus::Undelivered | TrackingStatus::Expired => {
            Color::Red
        }
        _ => return None,
    })
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

    /// Trackings in the chosen format (a summary table by default).
    pub fn trackings(&mut self, items: &[Tracking]) -> Result<(), Failure> {
        self.listing(
            items,
            &["CARRIER", "NUMBER", "STATUS", "LAST EVENT", "DAYS"],
            |t| tracking_row(t, None),
        )
    }

    /// Items of either generation as JSON, JSON lines, CSV, or a table of `header` with a
    /// `row` per item.
    fn listing<T: Exportable>(
        &mut self,
        items: &[T],
        header: &[&str],
        row: impl Fn(&T) -> Vec<Cell>,
    ) -> Result<(), Failure> {
        match self.format {
            Format::Json => self.json(items),
            Format::Jsonl => {
                for t in items {
                    self.json(t)?;
                }
                Ok(())
            }
            Format::Csv => {
                let mut w = TrackingWriter::for_rows::<T>(self, Box::new(std::io::stdout()))?;
                for t in items {
                    w.write(t)?;
                }
                w.finish()
            }
            Format::Table => {
                let rows = items.iter().map(row).collect();
                self.table(header, rows)
            }
        }
    }
}

impl Out {
    /// v4 trackings in the chosen format (a summary table by default).
    pub fn v4_trackings(&mut self, items: &[v4::Tracking]) -> Result<(), Failure> {
        self.listing(items, &V4_ROW_HEADER, |t| v4_tracking_row(t, None))
    }
}

/// The header of [`v4_tracking_row`].
pub const V4_ROW_HEADER: [&str; 6] = ["COURIER", "NUMBER", "STATUS", "LATEST EVENT", "DAYS", "ID"];

fn v4_status_color(s: Option<&v4::DeliveryStatus>) -> Option<Color> {
    Some(match s? {
        v4::DeliveryStatus::Delivered => Color::Green,
        v4::DeliveryStatus::Transit
        | v4::DeliveryStatus::Pickup
        | v4::DeliveryStatus::InfoReceived => Color::Cyan,
        v4::DeliveryStatus::Exception
        | v4::DeliveryStatus::Undelivered
        | v4::DeliveryStatus::Expired => Color::Red,
        _ => return None,
    })
}

/// A v4 tracking's table row; `note` replaces the latest event.
pub fn v4_tracking_row(t: &v4::Tracking, note: Option<&str>) -> Vec<Cell> {
    let status = t.status();
    let mut status_cell = Cell::new(status.map_or("-".to_owned(), |s| s.to_string()));
    if let Some(c) = v4_status_color(status) {
        status_cell = status_cell.fg(c);
    }
    vec![
        Cell::new(text(t.courier_code.value())),
        Cell::new(text(t.tracking_number.value())),
        status_cell,
        Cell::new(
            note.map(str::to_owned)
                .unwrap_or_else(|| text(t.latest_event.value())),
        ),
        Cell::new(text(t.transit_time.value())),
        Cell::new(text(t.id.value())),
    ]
}

/// A tracking's table row; `note` replaces the last event (e.g. why it was not created).
pub fn tracking_row(t: &Tracking, note: Option<&str>) -> Vec<Cell> {
    let status = t.status();
    let mut status_cell = Cell::new(status.map_or("-".to_owned(), |s| s.to_string()));
    if let Some(c) = status_color(status) {
        status_cell = status_cell.fg(c);
    }
    vec![
        Cell::new(&t.carrier_code),
        Cell::new(&t.tracking_number),
        status_cell,
        Cell::new(
            note.map(str::to_owned)
                .unwrap_or_else(|| text(t.last_event.value())),
        ),
        Cell::new(text(t.item_time_length.value())),
    ]
}

/// Streams trackings as CSV or JSON lines, one at a time.
pub struct TrackingWriter {
    csv: Option<csv::Writer<Box<dyn Write>>>,
    raw: Option<Box<dyn Write>>,
    /// CSV cells as they are (`--csv-raw`).
    csv_raw: bool,
}

impl TrackingWriter {
    /// A writer to `sink` in `out`'s format: CSV for `Csv` and `Table`, JSON lines otherwise
    /// (CSV with v2's columns; [`TrackingWriter::for_rows`] for another generation's).
    pub fn new(out: &Out, sink: Box<dyn Write>) -> Result<TrackingWriter, Failure> {
        TrackingWriter::with_columns(out, sink, CSV_COLUMNS)
    }

    /// A writer of `T`s: CSV with `T`'s columns, or JSON lines.
    pub fn for_rows<T: Exportable>(
        out: &Out,
        sink: Box<dyn Write>,
    ) -> Result<TrackingWriter, Failure> {
        TrackingWriter::with_columns(out, sink, T::COLUMNS)
    }

    fn with_columns(
        out: &Out,
        sink: Box<dyn Write>,
        columns: &[&str],
    ) -> Result<TrackingWriter, Failure> {
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

    /// Writes one tracking.
    pub fn write<T: Exportable>(&mut self, t: &T) -> Result<(), Failure> {
        let io = |e: std::io::Error| Failure::Io(e.to_string());
        if let Some(w) = &mut self.csv {
            write_csv_record(w, t.csv_row(), self.csv_raw)
                .map_err(|e| Failure::Io(e.to_string()))?;
        }
        if let Some(w) = &mut self.raw {
            let line = serde_json::to_string(t).map_err(|e| Failure::Io(e.to_string()))?;
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

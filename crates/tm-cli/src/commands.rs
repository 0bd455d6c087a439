//! Every command that talks to the account, for either generation: parsing the flags into
//! tm-core's neutral requests, calling `tm_core::Account`, rendering what comes back. What a
//! generation lacks is refused by the account (`Error::Unsupported`) and explained in
//! `main.rs`'s hints; nothing here asks which generation it speaks.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;

use comfy_table::Cell;
use futures::StreamExt;
use serde_json::json;
use tm_core::Account;
use tm_core::account::{
    Capability, Carrier, Created, Filter, Mark as CoreMark, NewShipment, Shipment, ShipmentRef,
    Update,
};

use crate::cli::{Command, CreateFields, ExportArgs, Filters, Format, ListArgs, Mark, TrackArgs};
use crate::output::{
    Out, TrackingWriter, cell_text, row_header, shipment_row, unread_failure, write_csv_record,
};
use crate::{Failure, client_exit_code, import};

/// Runs a command that needs the account.
pub async fn run(account: &Account, command: Command, out: &mut Out) -> Result<(), Failure> {
    let with_id = account.supports(Capability::ById);
    match command {
        Command::Track(args) => track(account, args, out).await,
        Command::Carriers { lang, search } => {
            let list = account.carriers(lang.as_deref()).await?;
            let needle = search.map(|s| s.to_lowercase());
            let shown: Vec<&Carrier> = list
                .iter()
                .filter(|c| {
                    needle.as_ref().is_none_or(|n| {
                        c.code.to_lowercase().contains(n)
                            || c.name
                                .as_deref()
                                .is_some_and(|x| x.to_lowercase().contains(n))
                    })
                })
                .collect();
            carriers(&shown, false, out)
        }
        Command::Detect { number } => {
            let found = account.detect(&number).await?;
            if found.is_empty() {
                return Err(Failure::Refused(format!(
                    "no carrier recognises {number:?}"
                )));
            }
            carriers(&found.iter().collect::<Vec<_>>(), true, out)
        }
        Command::Create {
            carrier,
            number,
            fields,
        } => match account
            .create(&new_shipment(&carrier, &number, fields))
            .await?
        {
            Created::New(s) => {
                out.note(&format!("created {carrier}:{number}"));
                out.shipment(&s)
            }
            Created::AlreadyExists(s) => {
                out.note(&format!("{carrier}:{number} is already tracked"));
                if matches!(out.format, Format::Json | Format::Jsonl) {
                    out.json(&json!({"tracking_number": number, "carrier_code": carrier,
                                     "already_exists": true, "tracking": s.map(|s| s.raw)}))?;
                }
                Ok(())
            }
            _ => Ok(()),
        },
        Command::Get {
            carrier,
            number,
            lang,
        } => {
            let r = reference(&carrier, number.as_deref())?;
            let s = account.find_in(&r, lang.as_deref()).await?;
            out.shipment(&s)
        }
        Command::List(args) => list(account, args, with_id, out).await,
        Command::Update {
            carrier,
            number,
            title,
            order_id,
            customer_name,
            customer_email,
            customer_phone,
            destination,
            logistics_channel,
            mark,
            archived,
            courier,
            note,
        } => {
            let r = reference(&carrier, number.as_deref())?;
            let mut changes = Update::default();
            changes.title = title;
            changes.order_id = order_id;
            changes.customer_name = customer_name;
            changes.customer_email = customer_email;
            changes.customer_phone = customer_phone;
            changes.destination = destination;
            changes.logistics_channel = logistics_channel;
            changes.note = note;
            changes.archived = archived;
            changes.carrier = courier;
            changes.mark = mark.map(|m| match m {
                Mark::Delivered => CoreMark::Delivered,
                Mark::Exception => CoreMark::Exception,
                Mark::Revert => CoreMark::Revert,
            });
            if changes.is_empty() {
                return Err(Failure::Usage(
                    "nothing to change: give at least one field, --courier, --mark or --archived"
                        .into(),
                ));
            }
            let updated = account.update(&r, &changes).await?;
            out.note(&format!("updated {r}"));
            match (&updated.shipment, out.format) {
                (_, Format::Json | Format::Jsonl) => out.json(&updated.answer),
                (Some(s), _) => out.shipment(s),
                (None, _) => Ok(()),
            }
        }
        Command::Delete { carrier, number } => {
            let r = reference(&carrier, number.as_deref())?;
            account.delete(&r).await?;
            if matches!(out.format, Format::Json | Format::Jsonl) {
                out.json(&json!({"tracking": r.to_string(), "deleted": true}))
            } else {
                out.note(&format!("deleted {r}"));
                Ok(())
            }
        }
        Command::Retrack { carrier, number } => {
            let r = reference(&carrier, number.as_deref())?;
            let s = account.retrack(&r).await?;
            out.note(&format!("retracking {r}"));
            out.shipment(&s)
        }
        Command::Realtime {
            carrier,
            number,
            destination,
        } => {
            let mut new = NewShipment::new(&carrier, &number);
            new.destination = destination;
            let s = account.realtime(&new).await?;
            out.shipment(&s)
        }
        Command::ChangeCarrier { number, from, to } => {
            let r = ShipmentRef::number(&from, &number);
            let mut changes = Update::default();
            changes.carrier = Some(to.clone());
            account.update(&r, &changes).await?;
            if matches!(out.format, Format::Json | Format::Jsonl) {
                out.json(&json!({"tracking_number": number, "carrier_code": to, "previous_carrier_code": from}))
            } else {
                out.note(&format!("{number} moved from {from} to {to}"));
                Ok(())
            }
        }
        Command::Stats {
            created_since,
            created_until,
        } => {
            let c = account.status_counts(created_since, created_until).await?;
            match out.format {
                Format::Table | Format::Csv => {
                    let mut rows: Vec<Vec<Cell>> = c
                        .counts
                        .iter()
                        .map(|(s, n)| vec![Cell::new(s), Cell::new(n)])
                        .collect();
                    rows.push(vec![Cell::new("total"), Cell::new(c.total)]);
                    out.table(&["STATUS", "TRACKINGS"], rows)?;
                }
                _ => {
                    let counts: serde_json::Map<String, serde_json::Value> = c
                        .counts
                        .iter()
                        .map(|(s, n)| (s.clone(), json!(n)))
                        .collect();
                    out.json(&json!({"counts": counts, "total": c.total}))?
                }
            }
            unread_failure(c.unread as usize)
        }
        Command::Account => {
            let info = account.info().await?;
            match out.format {
                Format::Table | Format::Csv => {
                    let rows = info
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| vec![Cell::new(k), Cell::new(cell_text(v))])
                                .collect()
                        })
                        .unwrap_or_default();
                    out.table(&["FIELD", "VALUE"], rows)
                }
                _ => out.json(&info),
            }
        }
        Command::Awb { number } => {
            let awb = account.air_waybill(&number).await?;
            out.json(&awb)
        }
        Command::Export(args) => export(account, args, out).await,
        Command::Import(_)
        | Command::Watch(_)
        | Command::Webhook { .. }
        | Command::Sim(_)
        | Command::Reset
        | Command::Dashboard(_) => {
            unreachable!("handled in main")
        }
    }
}

/// The tracking `FIRST [SECOND]` names: carrier and number, or an id.
fn reference(first: &str, second: Option<&str>) -> Result<ShipmentRef, Failure> {
    ShipmentRef::parse(first, second).map_err(Failure::Usage)
}

/// The shipment `tm create` is given.
pub fn new_shipment(carrier: &str, number: &str, f: CreateFields) -> NewShipment {
    let mut s = NewShipment::new(carrier, number);
    s.title = f.title;
    s.order_id = f.order_id;
    s.customer_name = f.customer_name;
    s.customer_email = f.customer_email;
    s.customer_phone = f.customer_phone;
    s.destination = f.destination;
    s.logistics_channel = f.logistics_channel;
    s.order_created = f.order_create_time;
    s.ship_date = f.ship_date;
    s.postal_code = f.postal_code;
    s.note = f.comment;
    s
}

/// Carriers as a table (`ranked`: numbered, likeliest first), CSV or JSON (the API's own).
fn carriers(shown: &[&Carrier], ranked: bool, out: &mut Out) -> Result<(), Failure> {
    match out.format {
        Format::Table => {
            let cells: Vec<[String; 5]> = shown
                .iter()
                .map(|c| {
                    [
                        c.code.clone(),
                        c.name.clone().unwrap_or_default(),
                        c.kind.clone().unwrap_or_default(),
                        c.phone.clone().unwrap_or_default(),
                        c.requires.join(","),
                    ]
                })
                .collect();
            // A column no carrier fills (v2 names no required fields) is left out.
            let names = ["CODE", "NAME", "TYPE", "PHONE", "REQUIRES"];
            let used: Vec<usize> = (0..names.len())
                .filter(|&i| i < 2 || cells.iter().any(|row| !row[i].is_empty()))
                .collect();
            let mut header: Vec<&str> = if ranked { vec!["#"] } else { Vec::new() };
            header.extend(used.iter().map(|&i| names[i]));
            let rows = cells
                .iter()
                .enumerate()
                .map(|(n, row)| {
                    let mut r: Vec<Cell> = if ranked {
                        vec![Cell::new(n + 1)]
                    } else {
                        Vec::new()
                    };
                    r.extend(used.iter().map(|&i| Cell::new(&row[i])));
                    r
                })
                .collect();
            out.table(&header, rows)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let io = |e: csv::Error| Failure::Io(e.to_string());
            w.write_record(["code", "name", "type", "phone", "homepage", "requires"])
                .map_err(io)?;
            for c in shown {
                write_csv_record(
                    &mut w,
                    [
                        c.code.as_str(),
                        c.name.as_deref().unwrap_or(""),
                        c.kind.as_deref().unwrap_or(""),
                        c.phone.as_deref().unwrap_or(""),
                        c.homepage.as_deref().unwrap_or(""),
                        &c.requires.join(","),
                    ],
                    out.csv_raw,
                )
                .map_err(io)?;
            }
            w.flush().map_err(|e| Failure::Io(e.to_string()))
        }
        Format::Json => out.json(&shown.iter().map(|c| &c.raw).collect::<Vec<_>>()),
        Format::Jsonl => {
            for c in shown {
                out.json(&c.raw)?;
            }
            Ok(())
        }
    }
}

/// The list filter from the flags.
pub fn filter(f: &Filters) -> Filter {
    let mut filter = Filter::default();
    filter.status = f.status.clone();
    filter.carrier = f.courier.clone();
    filter.numbers = f.numbers.clone();
    filter.orders = f.orders.clone();
    filter.created_since = f.created_since;
    filter.created_until = f.created_until;
    filter.updated_since = f.updated_since;
    filter.archived = f.archived;
    filter
}

async fn list(
    account: &Account,
    args: ListArgs,
    with_id: bool,
    out: &mut Out,
) -> Result<(), Failure> {
    let filter = filter(&args.filters);
    if !args.all {
        let (items, undecoded) = account.page(&filter, args.page, args.limit).await?;
        out.shipments(&items, with_id)?;
        for u in &undecoded {
            out.warn(&format!(
                "skipped a tracking that could not be read at `{}`: {} — as sent: {}",
                u.error.path, u.error.message, u.raw
            ));
        }
        out.note(&format!("page {} ({} trackings)", args.page, items.len()));
        return unread_failure(undecoded.len());
    }
    // Every page, streamed: tables and JSON collect, line formats write as they go.
    let mut stream = account.shipments(&filter)?;
    let mut unread = 0;
    match out.format {
        Format::Csv | Format::Jsonl => {
            let mut w = TrackingWriter::new(out, Box::new(std::io::stdout()))?;
            while let Some(s) = stream.next().await {
                if let Some(s) = out.readable(s, &mut unread)? {
                    w.write(&s)?;
                }
            }
            w.finish()?;
        }
        _ => {
            let mut all = Vec::new();
            while let Some(s) = stream.next().await {
                all.extend(out.readable(s, &mut unread)?);
            }
            out.shipments(&all, with_id)?;
        }
    }
    unread_failure(unread)
}

async fn export(account: &Account, args: ExportArgs, out: &mut Out) -> Result<(), Failure> {
    let mut stream = account.shipments(&filter(&args.filters))?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            File::create(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut w = TrackingWriter::new(out, sink)?;
    let (mut n, mut unread) = (0u64, 0);
    while let Some(s) = stream.next().await {
        if let Some(s) = out.readable(s, &mut unread)? {
            w.write(&s)?;
            n += 1;
        }
    }
    w.finish()?;
    out.note(&format!("exported {n} trackings"));
    unread_failure(unread)
}

/// Parses `CARRIER:NUMBER`.
fn parse_target(arg: &str) -> Result<NewShipment, Failure> {
    match arg.split_once(':') {
        Some((c, n)) if !c.trim().is_empty() && !n.trim().is_empty() => {
            Ok(NewShipment::new(c.trim(), n.trim()))
        }
        _ => Err(Failure::Usage(format!(
            "{arg:?}: expected CARRIER:NUMBER, e.g. china-post:RR123456789CN"
        ))),
    }
}

/// The shipments `tm track` is given: `CARRIER:NUMBER` arguments and the rows of `--file`.
pub fn track_requests(args: &TrackArgs) -> Result<Vec<NewShipment>, Failure> {
    let mut requests = Vec::new();
    for s in &args.shipments {
        requests.push(parse_target(s)?);
    }
    if let Some(file) = &args.file {
        requests.extend(import::read_csv(file)?.into_iter().map(|(_, r)| r));
    }
    if requests.is_empty() {
        return Err(Failure::Usage(
            "nothing to track: give CARRIER:NUMBER arguments or --file shipments.csv".into(),
        ));
    }
    Ok(requests)
}

/// `tm track`: creates what is not yet tracked, then shows every shipment, read back 40
/// numbers per listing call.
async fn track(account: &Account, args: TrackArgs, out: &mut Out) -> Result<(), Failure> {
    let requests = track_requests(&args)?;
    let targets: Vec<(String, String)> = requests.iter().map(NewShipment::identity).collect();
    let shown_as: Vec<(String, String)> = requests
        .iter()
        .map(|r| (r.carrier.trim().to_owned(), r.number.trim().to_owned()))
        .collect();
    let settled = account.create_many(requests).await;
    let created = settled
        .iter()
        .filter(|s| s.outcome == Some(tm_core::account::Outcome::Created))
        .count();
    if created > 0 {
        out.note(&format!("now tracking {created} new shipment(s)"));
    }
    let mut found: HashMap<(String, String), Shipment> = HashMap::new();
    let numbers: Vec<String> = shown_as.iter().map(|(_, n)| n.clone()).collect();
    for chunk in numbers.chunks(40) {
        let mut f = Filter::default();
        f.numbers = chunk.to_vec();
        let (items, undecoded) = account.page(&f, 1, 2000).await?;
        for u in &undecoded {
            out.warn(&format!(
                "a tracking could not be read at `{}`: {}",
                u.error.path, u.error.message
            ));
        }
        for s in items {
            let k = (
                s.carrier.to_ascii_lowercase(),
                s.number.to_ascii_uppercase(),
            );
            found.insert(k, s);
        }
    }
    let with_id = account.supports(Capability::ById);
    let (mut rows, mut shown, mut failure) = (Vec::new(), Vec::new(), None);
    for ((key, (carrier, number)), item) in targets.iter().zip(&shown_as).zip(&settled) {
        match found.remove(key) {
            Some(s) => {
                rows.push(shipment_row(&s.carrier, &s.number, Some(&s), None, with_id));
                shown.push(s);
            }
            None => {
                let reason = item.reason.clone().unwrap_or_else(|| "not found".into());
                rows.push(shipment_row(
                    carrier,
                    number,
                    None,
                    Some(&format!("not tracked: {reason}")),
                    with_id,
                ));
                failure.get_or_insert_with(|| match &item.error {
                    Some(e) => Failure::Coded {
                        code: client_exit_code(e),
                        message: e.to_string(),
                    },
                    None => Failure::Refused(format!("{carrier}:{number}: {reason}")),
                });
            }
        }
    }
    match out.format {
        Format::Table => out.table(&row_header(with_id), rows)?,
        _ => out.shipments(&shown, with_id)?,
    }
    failure.map_or(Ok(()), Err)
}

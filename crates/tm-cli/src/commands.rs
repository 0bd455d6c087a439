//! The commands built from single client calls, `track` and `export`.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;

use comfy_table::Cell;
use futures::StreamExt;
use serde_json::{Value, json};
use tm_core::types::v2::*;
use tm_core::{Client, CreateOutcome, ItemOutcome};

use crate::cli::{Command, CreateFields, ExportArgs, Filters, Format, ListArgs, Mark, TrackArgs};
use crate::output::{Out, TrackingWriter, cell_text, tracking_row, unread_failure};
use crate::{Failure, client_exit_code, import};

/// Runs a command that needs the client.
pub async fn run(client: &Client, command: Command, out: &mut Out) -> Result<(), Failure> {
    match command {
        Command::Track(args) => track(client, args, out).await,
        Command::Carriers { lang, search } => carriers(client, lang, search, out).await,
        Command::Detect { number } => {
            let found = client.carriers().detect(&number).await?;
            if found.is_empty() {
                return Err(Failure::Refused(format!(
                    "no carrier recognises {number:?}"
                )));
            }
            match out.format {
                Format::Table | Format::Csv => {
                    let rows = found
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            vec![
                                Cell::new(i + 1),
                                Cell::new(&c.code),
                                Cell::new(c.name.as_deref().unwrap_or("")),
                            ]
                        })
                        .collect();
                    out.table(&["#", "CODE", "NAME"], rows)
                }
                _ => out.json(&found),
            }
        }
        Command::Create {
            carrier,
            number,
            fields,
        } => {
            let req = create_request(&carrier, &number, fields);
            match client.trackings().create(req).await? {
                CreateOutcome::Created(t) => {
                    out.note(&format!("created {carrier}:{number}"));
                    detail(&t, out)
                }
                CreateOutcome::AlreadyExists => {
                    out.note(&format!("{carrier}:{number} is already tracked"));
                    if matches!(out.format, Format::Json | Format::Jsonl) {
                        out.json(&json!({"tracking_number": number, "carrier_code": carrier, "already_exists": true}))?;
                    }
                    Ok(())
                }
            }
        }
        Command::Get {
            carrier,
            number,
            lang,
        } => {
            let number = v2_number(number, "get")?;
            let t = match lang {
                Some(l) => {
                    client
                        .trackings()
                        .get_in_language(&carrier, &number, &l)
                        .await?
                }
                None => client.trackings().get(&carrier, &number).await?,
            };
            detail(&t, out)
        }
        Command::List(args) => list(client, args, out).await,
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
            let number = v2_number(number, "update")?;
            if let Some(to) = courier {
                return Err(Failure::Usage(format!(
                    "v2 moves a tracking with `tm change-carrier {number} {carrier} {to}` (v4: `tm --api v4 update … --courier {to}`)"
                )));
            }
            if note.is_some() {
                return Err(Failure::Usage(
                    "v2's update takes no note (its comment is set at creation); v4's does: `tm --api v4 update … --note …`".into(),
                ));
            }
            let changes = UpdateTrackingRequest {
                title,
                order_id,
                customer_name,
                customer_email: customer_email.map(CustomerEmail::from),
                customer_phone,
                destination_code: destination,
                logistics_channel,
                archived,
                status: mark.map(|m| match m {
                    Mark::Delivered => StatusInput::MarkDelivered,
                    Mark::Exception => StatusInput::MarkException,
                    Mark::Revert => StatusInput::Revert,
                }),
                ..Default::default()
            };
            if changes.is_empty() {
                return Err(Failure::Usage(
                    "nothing to change: give at least one field, --mark or --archived".into(),
                ));
            }
            match client
                .trackings()
                .update(&carrier, &number, changes)
                .await?
            {
                Some(t) => {
                    out.note(&format!("updated {carrier}:{number}"));
                    detail(&t, out)
                }
                None if matches!(out.format, Format::Json | Format::Jsonl) => out.json(
                    &json!({"tracking_number": number, "carrier_code": carrier, "updated": true}),
                ),
                None => {
                    out.note(&format!(
                        "updated {carrier}:{number} (the API returned no record)"
                    ));
                    Ok(())
                }
            }
        }
        Command::Delete { carrier, number } => {
            let number = v2_number(number, "delete")?;
            client.trackings().delete(&carrier, &number).await?;
            if matches!(out.format, Format::Json | Format::Jsonl) {
                out.json(
                    &json!({"tracking_number": number, "carrier_code": carrier, "deleted": true}),
                )
            } else {
                out.note(&format!("deleted {carrier}:{number}"));
                Ok(())
            }
        }
        Command::Realtime {
            carrier,
            number,
            destination,
        } => {
            let mut req = RealtimeRequest::new(&carrier, &number);
            req.destination_code = destination;
            let t = client.trackings().realtime(req).await?;
            detail(&t, out)
        }
        Command::ChangeCarrier { number, from, to } => {
            client
                .trackings()
                .change_carrier(ChangeCarrierRequest::new(&number, &from, &to))
                .await?;
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
            let filter = StatusCountRequest {
                created_at_min: created_since,
                created_at_max: created_until,
                ..Default::default()
            };
            let counts = client.account().status_counts(&filter).await?;
            match out.format {
                Format::Table | Format::Csv => {
                    let mut rows: Vec<Vec<Cell>> = TrackingStatus::KNOWN
                        .iter()
                        .map(|s| vec![Cell::new(s), Cell::new(counts.count(s).unwrap_or(0))])
                        .collect();
                    rows.push(vec![Cell::new("total"), Cell::new(counts.total())]);
                    out.table(&["STATUS", "TRACKINGS"], rows)
                }
                _ => out.json(&counts),
            }
        }
        Command::Account => {
            let info = client.account().user_info().await?;
            match out.format {
                Format::Table | Format::Csv => {
                    let v = serde_json::to_value(&info).unwrap_or(Value::Null);
                    let rows = v
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
        Command::Retrack { .. } => Err(Failure::Usage(
            "v2 has no retrack: an expired tracking is created again (`tm delete`, `tm create`); v4 retracks it: `tm --api v4 retrack …`".into(),
        )),
        Command::Awb { number } => {
            let result = client.trackings().air_cargo(&number).await?;
            out.json(&result)
        }
        Command::Export(args) => export(client, args, out).await,
        Command::Import(_)
        | Command::Watch(_)
        | Command::Webhook { .. }
        | Command::Sim(_)
        | Command::Reset
        | Command::Dashboard(_) => {
            unreachable!("handled in main, for either generation")
        }
    }
}

pub fn create_request(carrier: &str, number: &str, f: CreateFields) -> CreateTrackingRequest {
    let mut r = CreateTrackingRequest::new(carrier, number);
    r.title = f.title;
    r.order_id = f.order_id;
    r.customer_name = f.customer_name;
    r.customer_email = f.customer_email.map(CustomerEmail::from);
    r.customer_phone = f.customer_phone;
    r.destination_code = f.destination;
    r.logistics_channel = f.logistics_channel;
    r.order_create_time = f.order_create_time;
    r.carrier_requirements.tracking_ship_date = f.ship_date;
    r.carrier_requirements.tracking_postal_code = f.postal_code;
    r.comment = f.comment;
    r
}

/// One tracking: its fields and checkpoints, or the JSON object.
fn detail(t: &Tracking, out: &mut Out) -> Result<(), Failure> {
    if !matches!(out.format, Format::Table) {
        return out.trackings(std::slice::from_ref(t));
    }
    let text = |f: &tm_types::Field<String>| f.as_deref().unwrap_or("").to_owned();
    let fields = vec![
        (
            "tracking",
            Some(format!("{}:{}", t.carrier_code, t.tracking_number)),
        ),
        (
            "status",
            Some(t.status().map_or("-".to_owned(), |s| s.to_string())),
        ),
        ("substatus", t.substatus.value().map(|s| s.to_string())),
        ("last event", t.last_event.value().cloned()),
        (
            "days in transit",
            t.item_time_length.value().map(|d| d.to_string()),
        ),
        ("from", t.original_country.value().cloned()),
        ("to", t.destination_country.value().cloned()),
        ("title", t.title.value().cloned()),
        ("order", t.order_id.value().cloned()),
        ("created", t.created_at.value().cloned()),
        ("id", t.id.value().cloned()),
    ];
    let checkpoints = t
        .checkpoints()
        .map(|c| {
            let status = c
                .checkpoint_status
                .value()
                .map_or(String::new(), |s| s.to_string());
            let cells = [
                text(&c.date),
                status,
                text(&c.status_description),
                text(&c.details),
            ];
            (c.time(), cells)
        })
        .collect();
    out.tracking_detail(fields, checkpoints)
}

/// The tracking number v2 addresses a tracking by (with its carrier).
fn v2_number(number: Option<String>, command: &str) -> Result<String, Failure> {
    number.ok_or_else(|| {
        Failure::Usage(format!(
            "v2 addresses a tracking by CARRIER NUMBER: `tm {command} CARRIER NUMBER` (a 32-hex id works with --api v4)"
        ))
    })
}

async fn carriers(
    client: &Client,
    lang: Option<String>,
    search: Option<String>,
    out: &mut Out,
) -> Result<(), Failure> {
    let list = match lang {
        Some(l) => client.carriers().list_in_language(&l).await?,
        None => client.carriers().list().await?,
    };
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
    match out.format {
        Format::Table => {
            let rows = shown
                .iter()
                .map(|c| {
                    vec![
                        Cell::new(&c.code),
                        Cell::new(c.name.as_deref().unwrap_or("")),
                        Cell::new(c.r#type.value().map_or(String::new(), |t| t.to_string())),
                        Cell::new(c.phone.as_deref().unwrap_or("")),
                    ]
                })
                .collect();
            out.table(&["CODE", "NAME", "TYPE", "PHONE"], rows)
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            let io = |e: csv::Error| Failure::Io(e.to_string());
            w.write_record(["code", "name", "type", "phone", "homepage"])
                .map_err(io)?;
            for c in shown {
                crate::output::write_csv_record(
                    &mut w,
                    [
                        c.code.as_str(),
                        c.name.as_deref().unwrap_or(""),
                        &c.r#type.value().map_or(String::new(), |t| t.to_string()),
                        c.phone.as_deref().unwrap_or(""),
                        c.homepage.as_deref().unwrap_or(""),
                    ],
                    out.csv_raw,
                )
                .map_err(io)?;
            }
            w.flush().map_err(|e| Failure::Io(e.to_string()))
        }
        Format::Json => out.json(&shown),
        Format::Jsonl => {
            for c in shown {
                out.json(c)?;
            }
            Ok(())
        }
    }
}

/// The list filter from the flags.
pub fn filter(f: &Filters) -> Result<ListTrackingsRequest, Failure> {
    let status = match &f.status {
        Some(s) => {
            let parsed: TrackingStatus = s.parse().unwrap_or_else(|e| match e {});
            if !parsed.is_known() {
                let known: Vec<&str> = TrackingStatus::KNOWN
                    .iter()
                    .map(TrackingStatus::as_str)
                    .collect();
                return Err(Failure::Usage(format!(
                    "--status {s:?}: expected one of {}",
                    known.join(", ")
                )));
            }
            Some(parsed)
        }
        None => None,
    };
    Ok(ListTrackingsRequest {
        status,
        created_at_min: f.created_since,
        created_at_max: f.created_until,
        update_time_min: f.updated_since,
        numbers: f.numbers.clone(),
        orders: f.orders.clone(),
        archived: f.archived,
        ..Default::default()
    })
}

async fn list(client: &Client, args: ListArgs, out: &mut Out) -> Result<(), Failure> {
    let mut req = filter(&args.filters)?;
    req.limit = Some(args.limit);
    req.page = Some(args.page);
    if !args.all {
        let page = client.trackings().list(&req).await?;
        out.trackings(page.items())?;
        for u in &page.undecoded {
            out.warn(&format!(
                "skipped a tracking that could not be read at `{}`: {} — as sent: {}",
                u.error.path, u.error.message, u.raw
            ));
        }
        if let Some(total) = page.total() {
            out.note(&format!("page {} of {} trackings", args.page, total));
        }
        return unread_failure(page.undecoded.len());
    }
    // Every page, streamed: tables and JSON collect, line formats write as they go.
    let mut stream = std::pin::pin!(client.trackings().list_all(req));
    let mut unread = 0;
    match out.format {
        Format::Csv | Format::Jsonl => {
            let mut w = TrackingWriter::new(out, Box::new(std::io::stdout()))?;
            while let Some(t) = stream.next().await {
                if let Some(t) = out.readable(t, &mut unread)? {
                    w.write(&t)?;
                }
            }
            w.finish()?;
        }
        _ => {
            let mut all = Vec::new();
            while let Some(t) = stream.next().await {
                all.extend(out.readable(t, &mut unread)?);
            }
            out.trackings(&all)?;
        }
    }
    unread_failure(unread)
}

async fn export(client: &Client, args: ExportArgs, out: &mut Out) -> Result<(), Failure> {
    let req = filter(&args.filters)?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            File::create(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut w = TrackingWriter::new(out, sink)?;
    let mut stream = std::pin::pin!(client.trackings().list_all(req));
    let mut n = 0u64;
    let mut unread = 0;
    while let Some(t) = stream.next().await {
        let Some(t) = out.readable(t, &mut unread)? else {
            continue;
        };
        w.write(&t)?;
        n += 1;
    }
    w.finish()?;
    out.note(&format!("exported {n} trackings"));
    unread_failure(unread)
}

/// Parses `CARRIER:NUMBER`.
fn parse_target(arg: &str) -> Result<TrackingRef, Failure> {
    match arg.split_once(':') {
        Some((c, n)) if !c.trim().is_empty() && !n.trim().is_empty() => {
            Ok(TrackingRef::new(c.trim(), n.trim()))
        }
        _ => Err(Failure::Usage(format!(
            "{arg:?}: expected CARRIER:NUMBER, e.g. china-post:RR123456789CN"
        ))),
    }
}

/// The shipments `tm track` is given: `CARRIER:NUMBER` arguments and the rows of `--file`.
pub fn track_requests(args: &TrackArgs) -> Result<Vec<CreateTrackingRequest>, Failure> {
    let mut requests: Vec<CreateTrackingRequest> = Vec::new();
    for s in &args.shipments {
        let t = parse_target(s)?;
        requests.push(CreateTrackingRequest::new(
            t.carrier_code,
            t.tracking_number,
        ));
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

async fn track(client: &Client, args: TrackArgs, out: &mut Out) -> Result<(), Failure> {
    let requests = track_requests(&args)?;
    let report = client.trackings().create_many(requests).await;
    let c = report.counts();
    if c.created > 0 {
        out.note(&format!("now tracking {} new shipment(s)", c.created));
    }
    // Read every shipment back: 40 numbers per list call.
    let mut found: HashMap<(String, String), Tracking> = HashMap::new();
    let numbers: Vec<String> = report
        .items
        .iter()
        .map(|i| i.target.tracking_number.clone())
        .collect();
    for chunk in numbers.chunks(tm_types::v2::MAX_FILTER_VALUES) {
        let req = ListTrackingsRequest::default()
            .numbers(chunk.iter().cloned())
            .limit(tm_types::v2::MAX_PAGE_LIMIT);
        let page = client.trackings().list(&req).await?;
        for u in &page.undecoded {
            out.warn(&format!(
                "a tracking could not be read at `{}`: {}",
                u.error.path, u.error.message
            ));
        }
        for t in page.list.items.into_value().unwrap_or_default() {
            found.insert(
                (
                    t.carrier_code.to_lowercase(),
                    t.tracking_number.to_uppercase(),
                ),
                t,
            );
        }
    }
    let mut shown = Vec::new();
    let mut rows = Vec::new();
    let mut failure: Option<Failure> = None;
    for item in &report.items {
        let k = (
            item.target.carrier_code.to_lowercase(),
            item.target.tracking_number.to_uppercase(),
        );
        match found.remove(&k) {
            Some(t) => {
                rows.push(tracking_row(&t, None));
                shown.push(t);
            }
            None => {
                let t = Tracking::new(&item.target.carrier_code, &item.target.tracking_number);
                let reason = item.outcome.reason().unwrap_or_else(|| "not found".into());
                rows.push(tracking_row(&t, Some(&format!("not tracked: {reason}"))));
                if failure.is_none() {
                    failure = Some(match &item.outcome {
                        ItemOutcome::Failed(e) => Failure::Coded {
                            code: client_exit_code(e),
                            message: e.to_string(),
                        },
                        _ => Failure::Refused(format!("{}: {reason}", item.target)),
                    });
                }
            }
        }
    }
    match out.format {
        Format::Table => out.table(&["CARRIER", "NUMBER", "STATUS", "LAST EVENT", "DAYS"], rows)?,
        _ => out.trackings(&shown)?,
    }
    failure.map_or(Ok(()), Err)
}

//! The commands under `--api v4`: the same commands where v4 has the concept, addressed by
//! `CARRIER NUMBER` or by a tracking's 32-hex id (resolved one to the other); the v2-only
//! ones exit 2 naming the v4 way.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Write;

use chrono::{DateTime, Utc};
use comfy_table::Cell;
use futures::StreamExt;
use serde_json::json;
use tm_core::bridge;
use tm_core::types::v4::{
    ArchivedStatus, Courier, DeliveryStatus, GetTrackingsRequest, Tracking, UpdateTrackingRequest,
};
use tm_core::v4::{Client, CreateOutcome};

use crate::cli::{Command, ExportArgs, Filters, Format, ListArgs, TrackArgs};
use crate::commands::{create_request, track_requests};
use crate::output::{Out, TrackingWriter, V4_ROW_HEADER, unread_failure, v4_tracking_row};
use crate::{Backend, Failure};

/// Runs a command against the v4 client.
pub async fn run(client: &Client, command: Command, out: &mut Out) -> Result<(), Failure> {
    let v2_only = |what: &str, instead: &str| {
        Err(Failure::Usage(format!(
            "`tm {what}` is v2's; v4 has no such call: {instead}"
        )))
    };
    match command {
        Command::Track(args) => track(client, args, out).await,
        Command::Carriers { lang, search } => {
            if lang.is_some() {
                return Err(Failure::Usage(
                    "--lang is v2's (v4's couriers carry their own languages)".into(),
                ));
            }
            couriers(client, search, out).await
        }
        Command::Detect { number } => {
            let found = client.couriers().detect(&number).await?;
            if found.is_empty() {
                return Err(Failure::Refused(format!(
                    "no courier recognises {number:?}"
                )));
            }
            show_couriers(&found.iter().collect::<Vec<_>>(), out)
        }
        Command::Create {
            carrier,
            number,
            fields,
        } => {
            let req = bridge::create_request_to_v4(&create_request(&carrier, &number, fields));
            match client.trackings().create(req).await? {
                CreateOutcome::Created(t) => {
                    out.note(&format!("created {carrier}:{number}"));
                    detail(&t, out)
                }
                CreateOutcome::AlreadyExists(t) => {
                    out.note(&format!("{carrier}:{number} is already tracked"));
                    if matches!(out.format, Format::Json | Format::Jsonl) {
                        out.json(&json!({"tracking_number": number, "courier_code": carrier,
                                         "already_exists": true, "tracking": t}))?;
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
            let t = find(client, &carrier, number.as_deref(), lang).await?;
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
            if mark.is_some() {
                return Err(Failure::Usage(
                    "v4 has no forced status (--mark is v2's): the carrier's events decide".into(),
                ));
            }
            let mut changes = UpdateTrackingRequest::default();
            let d = &mut changes.details;
            d.title = title;
            d.order_id = order_id;
            d.customer_name = customer_name;
            d.customer_email = customer_email;
            d.customer_sms = customer_phone;
            d.destination_country_iso2 = destination;
            d.logistics_channel = logistics_channel;
            d.note = note;
            changes.courier_code_new = courier;
            changes.archived_status = archived.map(|a| {
                if a {
                    ArchivedStatus::Archived
                } else {
                    ArchivedStatus::Tracking
                }
            });
            if changes.is_empty() {
                return Err(Failure::Usage(
                    "nothing to change: give at least one field, --courier or --archived".into(),
                ));
            }
            let id = resolve(client, &carrier, number.as_deref()).await?;
            let result = client.trackings().update(&id, changes).await?;
            out.note(&format!("updated {id}"));
            out.json(&result)
        }
        Command::Delete { carrier, number } => {
            let id = resolve(client, &carrier, number.as_deref()).await?;
            let gone = client.trackings().delete(&id).await?;
            if matches!(out.format, Format::Json | Format::Jsonl) {
                out.json(&json!({"id": id, "deleted": true, "tracking": gone}))
            } else {
                out.note(&format!("deleted {id}"));
                Ok(())
            }
        }
        Command::Retrack { carrier, number } => {
            let id = resolve(client, &carrier, number.as_deref()).await?;
            let t = client.trackings().retrack(&id).await?;
            out.note(&format!("retracking {id}"));
            detail(&t, out)
        }
        Command::Awb { number } => {
            let awb = client.air_waybills().get(&number).await?;
            out.json(&awb)
        }
        Command::Realtime { .. } => v2_only(
            "realtime",
            "its create is the real-time call and returns the results: `tm --api v4 create CARRIER NUMBER`",
        ),
        Command::ChangeCarrier { to, .. } => v2_only(
            "change-carrier",
            &format!("`tm --api v4 update CARRIER NUMBER --courier {to}` (or by id)"),
        ),
        Command::Account => v2_only(
            "account",
            "the dashboard shows the quota; `tm --api v4 stats` counts trackings per status",
        ),
        Command::Stats {
            created_since,
            created_until,
        } => {
            let filter = GetTrackingsRequest::default()
                .created_between(utc(created_since)?, utc(created_until)?);
            stats(client, filter, out).await
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

/// Unix seconds as a UTC time.
fn utc(secs: Option<i64>) -> Result<Option<DateTime<Utc>>, Failure> {
    secs.map(|s| {
        DateTime::from_timestamp(s, 0)
            .ok_or_else(|| Failure::Usage(format!("{s} is not a time (Unix seconds)")))
    })
    .transpose()
}

/// True for a tracking id: 32 hex digits.
fn is_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The tracking `CARRIER NUMBER` names (or the one with id `first` when no number is given).
pub(crate) async fn find(
    client: &Client,
    first: &str,
    number: Option<&str>,
    lang: Option<String>,
) -> Result<Tracking, Failure> {
    match number {
        Some(number) => {
            let mut filter = GetTrackingsRequest::default()
                .tracking_numbers([number])
                .courier_code(first.to_ascii_lowercase());
            filter.lang = lang;
            let page = client.trackings().get(&filter).await?;
            page.items.into_iter().next().ok_or_else(|| {
                Failure::Refused(format!("{first}:{number} is not tracked (create it first)"))
            })
        }
        None if is_id(first) => {
            // v4 has no read by id: the listing is searched for it.
            let mut filter = GetTrackingsRequest::default().items_amount(200);
            filter.lang = lang;
            let mut stream = std::pin::pin!(client.trackings().get_all(filter));
            while let Some(t) = stream.next().await {
                let Ok(t) = t else { continue };
                if t.id
                    .as_deref()
                    .is_some_and(|i| i.eq_ignore_ascii_case(first))
                {
                    return Ok(t);
                }
            }
            Err(Failure::Refused(format!("no tracking has the id {first}")))
        }
        None => Err(Failure::Usage(format!(
            "{first:?}: give CARRIER NUMBER, or the tracking's 32-hex id"
        ))),
    }
}

/// The id of the tracking `CARRIER NUMBER` names, or `first` when it is an id.
async fn resolve(client: &Client, first: &str, number: Option<&str>) -> Result<String, Failure> {
    if number.is_none() && is_id(first) {
        return Ok(first.to_ascii_lowercase());
    }
    let t = find(client, first, number, None).await?;
    t.id.into_value()
        .ok_or_else(|| Failure::Refused("the API returned the tracking without its id".into()))
}

/// One tracking: its fields and checkpoints, or the JSON object.
fn detail(t: &Tracking, out: &mut Out) -> Result<(), Failure> {
    if !matches!(out.format, Format::Table) {
        return out.v4_trackings(std::slice::from_ref(t));
    }
    let text = |f: &tm_types::Field<String>| f.as_deref().unwrap_or("").to_owned();
    let number = format!(
        "{}:{}",
        t.courier_code.as_deref().unwrap_or("?"),
        t.tracking_number.as_deref().unwrap_or("?")
    );
    let fields = vec![
        ("tracking", Some(number)),
        (
            "status",
            Some(t.status().map_or("-".to_owned(), |s| s.to_string())),
        ),
        ("substatus", t.substatus.value().map(|s| s.to_string())),
        ("latest event", t.latest_event.value().cloned()),
        (
            "days in transit",
            t.transit_time.value().map(|d| d.to_string()),
        ),
        ("from", t.origin_country.value().cloned()),
        ("to", t.destination_country.value().cloned()),
        ("title", t.title.value().cloned()),
        (
            "order",
            t.order_number.value().or(t.order_id.value()).cloned(),
        ),
        ("created", t.created_at.value().cloned()),
        ("id", t.id.value().cloned()),
    ];
    let checkpoints = t
        .checkpoints()
        .map(|c| {
            let status = c
                .checkpoint_delivery_status
                .value()
                .map_or(String::new(), |s| s.to_string());
            let cells = [
                text(&c.checkpoint_date),
                status,
                text(&c.tracking_detail),
                text(&c.location),
            ];
            (c.time(), cells)
        })
        .collect();
    out.tracking_detail(fields, checkpoints)
}

fn show_couriers(shown: &[&Courier], out: &mut Out) -> Result<(), Failure> {
    match out.format {
        Format::Table | Format::Csv => {
            let rows = shown
                .iter()
                .map(|c| {
                    vec![
                        Cell::new(c.courier_code.as_deref().unwrap_or("")),
                        Cell::new(c.courier_name.as_deref().unwrap_or("")),
                        Cell::new(c.courier_type.as_deref().unwrap_or("")),
                        Cell::new(c.required_fields().join(",")),
                    ]
                })
                .collect();
            out.table(&["CODE", "NAME", "TYPE", "REQUIRES"], rows)
        }
        Format::Json => out.json(shown),
        Format::Jsonl => {
            for c in shown {
                out.json(c)?;
            }
            Ok(())
        }
    }
}

async fn couriers(client: &Client, search: Option<String>, out: &mut Out) -> Result<(), Failure> {
    let list = client.couriers().list().await?;
    let needle = search.map(|s| s.to_lowercase());
    let shown: Vec<&Courier> = list
        .iter()
        .filter(|c| {
            needle.as_ref().is_none_or(|n| {
                [&c.courier_code, &c.courier_name]
                    .iter()
                    .any(|f| f.as_deref().is_some_and(|x| x.to_lowercase().contains(n)))
            })
        })
        .collect();
    show_couriers(&shown, out)
}

/// The v4 filter from the flags.
fn filter(f: &Filters) -> Result<GetTrackingsRequest, Failure> {
    if !f.orders.is_empty() {
        return Err(Failure::Usage(
            "--orders is v2's: v4 filters by --numbers, --courier, --status, dates and --archived"
                .into(),
        ));
    }
    let status = match &f.status {
        Some(s) => {
            let parsed: DeliveryStatus = s.parse().unwrap_or_else(|e| match e {});
            if !parsed.is_known() {
                let known: Vec<&str> = DeliveryStatus::KNOWN
                    .iter()
                    .map(DeliveryStatus::as_str)
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
    let mut req = GetTrackingsRequest::default()
        .tracking_numbers(f.numbers.iter().cloned())
        .created_between(utc(f.created_since)?, utc(f.created_until)?)
        .updated_between(utc(f.updated_since)?, None);
    req.delivery_status = status;
    req.courier_code = f.courier.clone();
    req.archived_status = f.archived.map(|a| {
        if a {
            ArchivedStatus::Archived
        } else {
            ArchivedStatus::Tracking
        }
    });
    Ok(req)
}

async fn list(client: &Client, args: ListArgs, out: &mut Out) -> Result<(), Failure> {
    let mut req = filter(&args.filters)?;
    req.items_amount = Some(args.limit);
    if !args.all {
        req.pages_amount = Some(args.page);
        let page = client.trackings().get(&req).await?;
        out.v4_trackings(&page.items)?;
        for u in &page.undecoded {
            out.warn(&format!(
                "skipped a tracking that could not be read at `{}`: {} — as sent: {}",
                u.error.path, u.error.message, u.raw
            ));
        }
        out.note(&format!("page {} ({} trackings)", args.page, page.len()));
        return unread_failure(page.undecoded.len());
    }
    let mut stream = std::pin::pin!(client.trackings().get_all(req));
    let mut unread = 0;
    let mut all = Vec::new();
    match out.format {
        Format::Csv | Format::Jsonl => {
            let mut w = TrackingWriter::for_rows::<Tracking>(out, Box::new(std::io::stdout()))?;
            while let Some(t) = stream.next().await {
                if let Some(t) = out.readable(t, &mut unread)? {
                    w.write(&t)?;
                }
            }
            w.finish()?;
        }
        _ => {
            while let Some(t) = stream.next().await {
                all.extend(out.readable(t, &mut unread)?);
            }
            out.v4_trackings(&all)?;
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
    let mut w = TrackingWriter::for_rows::<Tracking>(out, sink)?;
    let mut stream = std::pin::pin!(client.trackings().get_all(req));
    let (mut n, mut unread) = (0u64, 0);
    while let Some(t) = stream.next().await {
        if let Some(t) = out.readable(t, &mut unread)? {
            w.write(&t)?;
            n += 1;
        }
    }
    w.finish()?;
    out.note(&format!("exported {n} trackings"));
    unread_failure(unread)
}

/// Trackings per status, counted from the listing (v4 has no counts endpoint).
async fn stats(client: &Client, filter: GetTrackingsRequest, out: &mut Out) -> Result<(), Failure> {
    let mut counts: BTreeMap<String, u64> = DeliveryStatus::KNOWN
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    let mut stream = std::pin::pin!(client.trackings().get_all(filter.items_amount(200)));
    let (mut total, mut unread) = (0u64, 0);
    while let Some(t) = stream.next().await {
        if let Some(t) = out.readable(t, &mut unread)? {
            let status = t.status().map_or_else(|| "-".to_owned(), |s| s.to_string());
            *counts.entry(status).or_default() += 1;
            total += 1;
        }
    }
    match out.format {
        Format::Table | Format::Csv => {
            let mut rows: Vec<Vec<Cell>> = counts
                .iter()
                .map(|(s, n)| vec![Cell::new(s), Cell::new(n)])
                .collect();
            rows.push(vec![Cell::new("total"), Cell::new(total)]);
            out.table(&["STATUS", "TRACKINGS"], rows)?;
        }
        _ => out.json(&json!({"counts": counts, "total": total}))?,
    }
    unread_failure(unread)
}

async fn track(client: &Client, args: TrackArgs, out: &mut Out) -> Result<(), Failure> {
    let requests = track_requests(&args)?;
    let targets: Vec<(String, String)> = requests
        .iter()
        .map(|r| {
            (
                bridge::courier_code(&r.carrier_code),
                r.tracking_number.trim().to_owned(),
            )
        })
        .collect();
    let settled = Backend::V4(client.clone()).create_many(requests).await;
    let created = settled.iter().filter(|s| s.label == "created").count();
    if created > 0 {
        out.note(&format!("now tracking {created} new shipment(s)"));
    }
    // Read every shipment back, 40 numbers per call.
    let mut found: HashMap<(String, String), Tracking> = HashMap::new();
    let numbers: Vec<&str> = targets.iter().map(|(_, n)| n.as_str()).collect();
    for chunk in numbers.chunks(tm_core::types::v4::MAX_BATCH) {
        let req = GetTrackingsRequest::default()
            .tracking_numbers(chunk.iter().copied())
            .items_amount(200);
        let page = client.trackings().get(&req).await?;
        for t in page.items {
            let k = (
                t.courier_code.as_deref().unwrap_or("").to_ascii_lowercase(),
                t.tracking_number
                    .as_deref()
                    .unwrap_or("")
                    .to_ascii_uppercase(),
            );
            found.insert(k, t);
        }
    }
    let (mut rows, mut shown, mut failure) = (Vec::new(), Vec::new(), None);
    for ((courier, number), item) in targets.iter().zip(&settled) {
        match found.remove(&(courier.clone(), number.to_ascii_uppercase())) {
            Some(t) => {
                rows.push(v4_tracking_row(&t, None));
                shown.push(t);
            }
            None => {
                let t = Tracking {
                    courier_code: courier.clone().into(),
                    tracking_number: number.clone().into(),
                    ..Default::default()
                };
                let reason = item.reason.clone().unwrap_or_else(|| "not found".into());
                rows.push(v4_tracking_row(&t, Some(&format!("not tracked: {reason}"))));
                failure.get_or_insert_with(|| match &item.failed {
                    Some(e) => Failure::Coded {
                        code: crate::client_exit_code(e),
                        message: e.to_string(),
                    },
                    None => Failure::Refused(format!("{courier}:{number}: {reason}")),
                });
            }
        }
    }
    match out.format {
        Format::Table => out.table(&V4_ROW_HEADER, rows)?,
        _ => out.v4_trackings(&shown)?,
    }
    failure.map_or(Ok(()), Err)
}

/// The v4 trackings updated since `since` (Unix seconds) as polls see them, with the same
/// second of overlap as v2's.
pub fn updated_since(
    client: &Client,
    since: Option<i64>,
) -> impl futures::Stream<Item = tm_core::Result<crate::watch::Seen>> + Send + '_ {
    let filter = GetTrackingsRequest::default()
        .updated_between(since.and_then(|s| DateTime::from_timestamp(s - 1, 0)), None)
        .items_amount(200);
    client.trackings().get_all(filter).map(|item| {
        item.map(|t| crate::watch::Seen {
            key: format!(
                "{}:{}",
                t.courier_code.as_deref().unwrap_or(""),
                t.tracking_number.as_deref().unwrap_or("")
            ),
            status: t.status().map_or_else(|| "-".to_owned(), |s| s.to_string()),
            updated: t.updated_at().map(|u| u.timestamp()),
            event: t.latest_event.value().cloned(),
        })
    })
}

//! `tm watch`: poll for trackings updated since the last poll and print each status change.
//! The cursor (last update time seen, and each tracking's last status) is kept in the state
//! database per account and `--cursor` name, so it survives restarts; each poll writes only
//! what it moved.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tm_core::Client;
use tm_core::types::v2::ListTrackingsRequest;

use crate::cli::{Format, WatchArgs};
use crate::output::Out;
use crate::{Failure, Session};

/// What change detection remembers between polls; `tm watch` keeps it in the state database,
/// the dashboard in memory.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cursor {
    /// The newest `updated_at` seen (Unix seconds, server time).
    pub since: Option<i64>,
    /// The last status seen per `carrier:number`.
    statuses: BTreeMap<String, String>,
}

/// A status change one poll found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `carrier:number`.
    pub key: String,
    /// The status before, or `None` for a tracking not seen before.
    pub from: Option<String>,
    /// The status now.
    pub to: String,
    /// Its newest event's text.
    pub event: Option<String>,
    /// When it changed (Unix seconds, server time), if known.
    pub updated: Option<i64>,
}

impl Cursor {
    /// A cursor that reports changes made after `since` (Unix seconds).
    pub fn starting_at(since: i64) -> Cursor {
        Cursor {
            since: Some(since),
            statuses: BTreeMap::new(),
        }
    }

    /// Takes in one tracking a poll listed: moves the cursor, and returns the change when its
    /// status differs from the last one seen (a repeat, e.g. from the overlap second, is not).
    pub fn observe(&mut self, t: Seen) -> Option<Change> {
        if let Some(updated) = t.updated {
            self.since = Some(self.since.map_or(updated, |s| s.max(updated)));
        }
        let previous = self.statuses.get(&t.key);
        if previous == Some(&t.status) {
            return None;
        }
        let from = self.statuses.insert(t.key.clone(), t.status.clone());
        Some(Change {
            key: t.key,
            from,
            to: t.status,
            event: t.event,
            updated: t.updated,
        })
    }
}

/// A tracking as a poll sees it, whichever generation listed it.
pub struct Seen {
    /// `carrier:number`.
    pub key: String,
    /// Its status.
    pub status: String,
    /// When it last changed (Unix seconds), if known.
    pub updated: Option<i64>,
    /// Its newest event's text.
    pub event: Option<String>,
}

/// One poll of `items`: prints changes, moves the cursor; each change's tracking and new
/// status.
async fn poll<S>(
    items: S,
    cursor: &mut Cursor,
    out: &mut Out,
) -> Result<Vec<(String, String)>, Failure>
where
    S: futures::Stream<Item = tm_core::Result<Seen>>,
{
    let mut stream = std::pin::pin!(items);
    let mut changes = Vec::new();
    let mut unread = 0;
    while let Some(t) = stream.next().await {
        let Some(t) = out.readable(t, &mut unread)? else {
            continue;
        };
        let Some(c) = cursor.observe(t) else {
            continue;
        };
        changes.push((c.key.clone(), c.to.clone()));
        let event = c.event.as_deref().unwrap_or("");
        if matches!(out.format, Format::Json | Format::Jsonl) {
            let (carrier, number) = c.key.split_once(':').unwrap_or(("", &c.key));
            let line = json!({
                "tracking_number": number, "carrier_code": carrier,
                "from": c.from, "to": c.to, "last_event": c.event, "updated_at": c.updated,
            });
            out.line(&line.to_string())?;
        } else {
            out.line(&format!(
                "{}  {} -> {}  {event}",
                c.key,
                c.from.as_deref().unwrap_or("(new)"),
                c.to
            ))?;
        }
    }
    Ok(changes)
}

/// The v2 trackings updated since `since` (Unix seconds) as polls see them. A second of
/// overlap: an update in the same second as the last one seen is not missed (the cursor drops
/// the repeats).
pub fn v2_updated_since(
    client: &Client,
    since: Option<i64>,
) -> impl futures::Stream<Item = tm_core::Result<Seen>> + Send + '_ {
    let filter = ListTrackingsRequest {
        update_time_min: since.map(|s| s - 1),
        ..Default::default()
    };
    client.trackings().list_all(filter).map(|item| {
        item.map(|t| Seen {
            key: format!("{}:{}", t.carrier_code, t.tracking_number),
            status: t.status().map_or_else(|| "-".to_owned(), |s| s.to_string()),
            updated: t.updated_at().map(|u| u.timestamp()),
            event: t.last_event.into_value(),
        })
    })
}

/// `tm watch`: polls every `--interval` seconds (or once), printing each change; the cursor
/// is kept after each poll.
pub async fn run(session: &Session, args: WatchArgs, out: &mut Out) -> Result<(), Failure> {
    if !(args.interval.is_finite() && args.interval > 0.0) {
        return Err(Failure::Usage(
            "--interval must be a positive number of seconds".into(),
        ));
    }
    let state = session.state()?;
    let account = session.account_key()?;
    let (since, statuses) = state.cursor(&account, &args.cursor)?;
    let mut cursor = Cursor {
        since,
        statuses: statuses.into_iter().collect(),
    };
    loop {
        let changes = poll(session.client.updated_since(cursor.since), &mut cursor, out).await?;
        state.save_cursor(&account, &args.cursor, cursor.since, &changes)?;
        if args.once {
            out.note(&format!("{} change(s)", changes.len()));
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(args.interval)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

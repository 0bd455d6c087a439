//! `tm watch`: poll for trackings updated since the last poll and print each status change
//! (tm-core's change detection, `Account::changes`). The cursor (last update time seen, and
//! each tracking's last status) is kept in the state database per account and `--cursor`
//! name, so it survives restarts; each poll writes only what it moved.

use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use tm_core::account::Cursor;

use crate::cli::{Format, WatchArgs};
use crate::output::Out;
use crate::{Failure, Session};

/// One poll: prints every change since `cursor`, moving it; each change's shipment key and
/// new status, to keep.
async fn poll(
    session: &Session,
    cursor: &mut Cursor,
    out: &mut Out,
) -> Result<Vec<(String, String)>, Failure> {
    let mut changes = Vec::new();
    let mut unread = 0;
    let mut stream = std::pin::pin!(session.account.changes(cursor)?);
    while let Some(c) = stream.next().await {
        let Some(c) = out.readable(c, &mut unread)? else {
            continue;
        };
        let event = c.event.as_deref().unwrap_or("");
        if matches!(out.format, Format::Json | Format::Jsonl) {
            let line = json!({
                "tracking_number": c.shipment.number, "carrier_code": c.shipment.carrier,
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
        changes.push((c.key, c.to));
    }
    Ok(changes)
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
    let mut cursor = Cursor::resume(since, statuses);
    loop {
        let changes = poll(session, &mut cursor, out).await?;
        state.save_cursor(&account, &args.cursor, cursor.since(), &changes)?;
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

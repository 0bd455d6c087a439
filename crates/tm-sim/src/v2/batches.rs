//! The batch endpoints of v2: create up to 40 at once, and change, delete or stop updating any
//! number, each with per-item results.

use serde_json::Value;

use super::input::Params;
use super::trackings::{apply, changes, create, not_found};
use super::{Call, Reply};
use crate::json::{J, Obj, text_of};
use crate::state::Sim;
use crate::store::{Store, key};

/// The items of a batch body: a JSON array, at most `batch_max` long when `capped`.
fn batch_items<'a>(sim: &Sim, call: &'a Call<'_>, capped: bool) -> Result<&'a [Value], Reply> {
    let Some(Value::Array(items)) = &call.body else {
        return Err(Reply::err_with(
            4012,
            "The request body must be a JSON array.",
        ));
    };
    let max = sim.config.batch_max;
    if capped && items.len() > max {
        return Err(match sim.config.over_limit {
            crate::OverLimitStyle::Meta202 => {
                Reply::err_with(202, format!("The largest number of {max} each operation."))
            }
            crate::OverLimitStyle::Meta4020 => {
                Reply::err_with(4020, format!("Up to {max} at a time."))
            }
        });
    }
    Ok(items)
}

/// An `errors[]` entry naming the item it is about, as sent (text; anything else `null`).
fn item_error(item: &Value, r: &Reply) -> J {
    J::from(
        Obj::new()
            .with("tracking_number", J::opt(text_of(item, "tracking_number")))
            .with("carrier_code", J::opt(text_of(item, "carrier_code")))
            .with("code", r.code)
            .with("message", J::from(r.message.to_string())),
    )
}

/// `POST /trackings/batch`: 201 with per-item results; only the batch size is refused whole.
pub fn batch_create(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let items = batch_items(sim, call, true)?;
    let (mut created, mut errors) = (Vec::new(), Vec::new());
    // One transaction: every item is kept, or (the state could not be kept) none is and the
    // batch is a server error.
    let mut st = sim.store()?;
    for item in items {
        let outcome = match item {
            Value::Object(m) => create(sim, &mut st, &Params::Json(m), now_ms),
            _ => Err(Reply::err_with(4012, "Each item must be a JSON object.")),
        };
        match outcome {
            Ok(t) => created.push(t),
            Err(r) => errors.push(item_error(item, &r)),
        }
    }
    st.commit()?;
    Ok(Reply {
        code: 201,
        kind: Some("Created"),
        message: super::describe(201).1.into(),
        data: J::from(
            Obj::new()
                .with("submitted", items.len())
                .with("added", created.len())
                .with("trackings", created)
                .with("errors", errors),
        ),
    })
}

/// The number and carrier a batch item names (any carrier: an unknown one is a tracking that
/// does not exist).
fn item_target(p: &Params<'_>) -> Result<(String, String), Reply> {
    let number = p
        .nonempty("tracking_number")?
        .ok_or_else(|| Reply::err(4013))?;
    let carrier = p
        .nonempty("carrier_code")?
        .ok_or_else(|| Reply::err(4015))?;
    Ok((number, carrier))
}

/// `POST /trackings/updatemore`: per-item results; no cap is documented.
pub fn update_more(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let items = batch_items(sim, call, false)?;
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    let mut st = sim.store()?;
    for item in items {
        let outcome = (|| {
            let Value::Object(m) = item else {
                return Err(Reply::err_with(4012, "Each item must be a JSON object."));
            };
            let p = Params::Json(m);
            let (number, carrier) = item_target(&p)?;
            let c = changes(&p)?;
            let t = st.get_mut(&key(&carrier, &number)).ok_or_else(not_found)?;
            apply(t, c, now_ms);
            Ok((number, carrier))
        })();
        match outcome {
            Ok((number, carrier)) => done.push(J::from(
                Obj::new()
                    .with("tracking_number", number)
                    .with("carrier_code", carrier),
            )),
            Err(r) => errors.push(item_error(item, &r)),
        }
    }
    st.commit()?;
    Ok(Reply::ok(
        Obj::new()
            .with("submitted", items.len())
            .with("update", done.len())
            .with("trackings", done)
            .with("errors", errors),
    ))
}

/// Applies `act` to each tracking a batch body names; `act` answers the item's entry in
/// `trackings`, or `None` when it does not exist (a 4017 entry in `errors`). The count goes
/// under `count_key` (`delete`, `change`).
fn per_tracking(
    sim: &Sim,
    call: &Call<'_>,
    count_key: &'static str,
    mut act: impl FnMut(&mut Store, &str, &str) -> Option<J>,
) -> Result<Reply, Reply> {
    let items = batch_items(sim, call, false)?;
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    let mut st = sim.store()?;
    for item in items {
        let p = match item {
            Value::Object(m) => Params::Json(m),
            _ => Params::None,
        };
        match item_target(&p) {
            Err(r) => errors.push(item_error(item, &r)),
            Ok((number, carrier)) => match act(&mut st, &carrier, &number) {
                Some(entry) => done.push(entry),
                None => errors.push(item_error(item, &not_found())),
            },
        }
    }
    st.commit()?;
    Ok(Reply::ok(
        Obj::new()
            .with("submitted", items.len())
            .with(count_key, done.len())
            .with("trackings", done)
            .with("errors", errors),
    ))
}

/// `POST /trackings/delete`: each entry nests a `meta`, as the document's sample shows.
pub fn batch_delete(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    per_tracking(sim, call, "delete", |st, carrier, number| {
        st.remove(&key(carrier, number)).map(|t| {
            J::from(
                Obj::new().with(
                    "meta",
                    Obj::new()
                        .with("tracking_number", t.tracking_number)
                        .with("carrier_code", t.carrier_code)
                        .with("code", 200u32)
                        .with("type", "Success")
                        .with("message", "Success"),
                ),
            )
        })
    })
}

/// `POST /trackings/notupdate`: the trackings stop moving.
pub fn not_update(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    per_tracking(sim, call, "change", |st, carrier, number| {
        st.get_mut(&key(carrier, number)).map(|t| {
            t.frozen_ms.get_or_insert(now_ms);
            J::from(
                Obj::new()
                    .with("tracking_number", t.tracking_number.clone())
                    .with("carrier_code", t.carrier_code.clone()),
            )
        })
    })
}

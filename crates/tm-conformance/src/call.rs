//! What a fixture calls: an [`Operation`] of the client, or a helper built on operations, and
//! how each is run with a fixture's input. A recorded exchange without an input gets it read
//! back from its request through the operation's path template.

use futures::TryStreamExt;
use serde::Serialize;
use serde_json::{Value, json};
use tm_core::transport::fixture::{Body, RecordedRequest};
use tm_core::types::v2::*;
use tm_core::types::v4;
use tm_core::v2::{Client, CreateOutcome};
use tm_core::{Api, Error, Operation};

/// The clients a fixture may call, one per generation, over one transport.
#[derive(Debug, Clone)]
pub struct Clients {
    /// The v2 client.
    pub v2: Client,
    /// The v4 client.
    pub v4: tm_core::v4::Client,
}

/// One call a fixture may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// One API operation, by its [`Operation::name`].
    Op(Operation),
    /// `create_many`: chunks of `v2.trackings.create_batch`.
    CreateMany,
    /// `update_many`: chunks of `v2.trackings.update_batch`.
    UpdateMany,
    /// `delete_many`: chunks of `v2.trackings.delete_batch`.
    DeleteMany,
    /// `stop_updating_many`: chunks of `v2.trackings.stop_updating_batch`.
    StopUpdatingMany,
    /// `list_all`: pages of `v2.trackings.list`.
    ListAll,
    /// The webhook verifier: no request at all.
    WebhookVerify,
    /// v4 `create_many`: chunks of `v4.trackings.create_batch`.
    V4CreateMany,
    /// v4 `get_all`: pages of `v4.trackings.get`.
    V4GetAll,
    /// The v4 webhook verifier: no request at all.
    V4WebhookVerify,
}

const HELPERS: &[(&str, Call)] = &[
    ("v2.trackings.create_many", Call::CreateMany),
    ("v2.trackings.update_many", Call::UpdateMany),
    ("v2.trackings.delete_many", Call::DeleteMany),
    ("v2.trackings.stop_updating_many", Call::StopUpdatingMany),
    ("v2.trackings.list_all", Call::ListAll),
    ("v2.webhook.verify", Call::WebhookVerify),
    ("v4.trackings.create_many", Call::V4CreateMany),
    ("v4.trackings.get_all", Call::V4GetAll),
    ("v4.webhook.verify", Call::V4WebhookVerify),
];

impl Call {
    /// The call a fixture's `operation` names.
    ///
    /// ```
    /// use tm_conformance::Call;
    /// use tm_core::Operation;
    /// assert_eq!(Call::parse("v2.trackings.create_batch"), Some(Call::Op(Operation::V2TrackingsCreateBatch)));
    /// assert_eq!(Call::parse("v2.trackings.create_many"), Some(Call::CreateMany));
    /// assert_eq!(Call::parse("v2.trackings.batch_create"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Call> {
        Operation::from_name(name)
            .map(Call::Op)
            .or_else(|| HELPERS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c))
    }

    /// Every name a fixture may use: each operation's, then the helpers'.
    pub fn names() -> Vec<&'static str> {
        Operation::ALL
            .iter()
            .map(|o| o.name())
            .chain(HELPERS.iter().map(|(n, _)| *n))
            .collect()
    }

    /// The operation the call sends (a helper's underlying one), if it sends any.
    pub fn operation(self) -> Option<Operation> {
        Some(match self {
            Call::Op(op) => op,
            Call::CreateMany => Operation::V2TrackingsCreateBatch,
            Call::UpdateMany => Operation::V2TrackingsUpdateBatch,
            Call::DeleteMany => Operation::V2TrackingsDeleteBatch,
            Call::StopUpdatingMany => Operation::V2TrackingsStopUpdatingBatch,
            Call::ListAll => Operation::V2TrackingsList,
            Call::V4CreateMany => Operation::V4TrackingsCreateBatch,
            Call::V4GetAll => Operation::V4TrackingsGet,
            Call::WebhookVerify | Call::V4WebhookVerify => return None,
        })
    }

    /// The API generation the call speaks.
    pub fn api(self) -> Api {
        match self {
            Call::V4WebhookVerify => Api::V4,
            other => other.operation().map_or(Api::V2, Operation::api),
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn input<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| format!("bad input: {e}"))
}

fn str_field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn report_json<C>(r: &tm_core::BatchReport<C>) -> Value {
    Value::Array(
        r.items
            .iter()
            .map(|i| {
                let mut v = json!({"target": i.target.to_string(), "outcome": i.outcome.label()});
                if let Some(reason) = i.outcome.reason() {
                    v["reason"] = json!(reason);
                }
                v
            })
            .collect(),
    )
}

/// Runs `call` with `input_v` on `client`; `Ok(result JSON)` or the client error. The webhook
/// verifier needs no client: the runners call it directly.
pub async fn run_call(
    clients: &Clients,
    call: Call,
    input_v: &Value,
) -> Result<Result<Value, Error>, String> {
    if call.api() == Api::V4 {
        return run_v4(&clients.v4, call, input_v).await;
    }
    let client = &clients.v2;
    let t = client.trackings();
    let op = match call {
        Call::Op(op) => op,
        Call::CreateMany => {
            let report = t
                .create_many(input::<Vec<CreateTrackingRequest>>(input_v)?)
                .await;
            return Ok(Ok(report_json(&report)));
        }
        Call::UpdateMany => {
            let report = t.update_many(input::<Vec<UpdateMoreItem>>(input_v)?).await;
            return Ok(Ok(report_json(&report)));
        }
        Call::DeleteMany => {
            let report = t.delete_many(input::<Vec<TrackingRef>>(input_v)?).await;
            return Ok(Ok(report_json(&report)));
        }
        Call::StopUpdatingMany => {
            let report = t
                .stop_updating_many(input::<Vec<TrackingRef>>(input_v)?)
                .await;
            return Ok(Ok(report_json(&report)));
        }
        Call::ListAll => {
            return Ok(t
                .list_all(input(input_v)?)
                .try_collect::<Vec<Tracking>>()
                .await
                .map(|all| {
                    json!({"count": all.len(), "tracking_numbers": all.iter().map(|t| t.tracking_number.clone()).collect::<Vec<_>>()})
                }));
        }
        Call::WebhookVerify => return Err("webhook.verify takes no client".into()),
        other => return Err(format!("no dispatch for {other:?} in v2")),
    };
    let (carrier, number) = (
        str_field(input_v, "carrier_code"),
        str_field(input_v, "tracking_number"),
    );
    Ok(match op {
        Operation::V2CarriersList => match input_v.get("lang").and_then(Value::as_str) {
            Some(l) => client
                .carriers()
                .list_in_language(l)
                .await
                .map(|c| to_json(&*c)),
            None => client.carriers().list().await.map(|c| to_json(&*c)),
        },
        Operation::V2CarriersDetect => client.carriers().detect(number).await.map(|v| to_json(&v)),
        Operation::V2TrackingsCreate => t.create(input(input_v)?).await.map(|o| match o {
            CreateOutcome::Created(t) => json!({"created": t}),
            CreateOutcome::AlreadyExists => json!({"already_exists": true}),
        }),
        Operation::V2TrackingsGet => match input_v.get("lang").and_then(Value::as_str) {
            Some(l) => t.get_in_language(carrier, number, l).await,
            None => t.get(carrier, number).await,
        }
        .map(|v| to_json(&v)),
        Operation::V2TrackingsUpdate => {
            let changes: UpdateTrackingRequest =
                input(input_v.get("changes").unwrap_or(&Value::Null))?;
            t.update(carrier, number, changes)
                .await
                .map(|v| to_json(&v))
        }
        Operation::V2TrackingsDelete => t
            .delete(carrier, number)
            .await
            .map(|()| json!({"deleted": true})),
        Operation::V2TrackingsCreateBatch => {
            let items: Vec<CreateTrackingRequest> = input(input_v)?;
            t.create_batch(&items).await.map(|v| to_json(&v))
        }
        Operation::V2TrackingsList => t.list(&input(input_v)?).await.map(|page| {
            let mut v = to_json(&page.list);
            if !page.undecoded.is_empty() {
                v["undecoded"] = page
                    .undecoded
                    .iter()
                    .map(|u| json!({"index": u.index, "path": u.error.path}))
                    .collect();
            }
            v
        }),
        Operation::V2TrackingsUpdateBatch => {
            let items: Vec<UpdateMoreItem> = input(input_v)?;
            t.update_batch(&items).await.map(|v| to_json(&v))
        }
        Operation::V2TrackingsDeleteBatch => {
            let items: Vec<TrackingRef> = input(input_v)?;
            t.delete_batch(&items).await.map(|v| to_json(&v))
        }
        Operation::V2TrackingsStopUpdatingBatch => {
            let items: Vec<TrackingRef> = input(input_v)?;
            t.stop_updating_batch(&items).await.map(|v| to_json(&v))
        }
        Operation::V2TrackingsRealtime => t.realtime(input(input_v)?).await.map(|v| to_json(&v)),
        Operation::V2TrackingsChangeCarrier => {
            t.change_carrier(input(input_v)?).await.map(|v| to_json(&v))
        }
        Operation::V2TrackingsRemoteAreas => {
            let q: Vec<RemoteAreaQuery> = input(input_v)?;
            t.remote_areas(&q).await.map(|v| to_json(&v))
        }
        Operation::V2TrackingsTransitTimes => {
            let q: Vec<TransitTimeQuery> = input(input_v)?;
            t.transit_times(&q).await.map(|v| to_json(&v))
        }
        Operation::V2TrackingsAirCargo => t
            .air_cargo(str_field(input_v, "track_number"))
            .await
            .map(|v| to_json(&v)),
        Operation::V2AccountUserInfo => client.account().user_info().await.map(|v| to_json(&v)),
        Operation::V2AccountStatusCounts => client
            .account()
            .status_counts(&input(input_v)?)
            .await
            .map(|v| to_json(&v)),
        other => return Err(format!("no dispatch for operation {other}")),
    })
}

/// Runs a v4 `call`.
async fn run_v4(
    client: &tm_core::v4::Client,
    call: Call,
    input_v: &Value,
) -> Result<Result<Value, Error>, String> {
    let t = client.trackings();
    let op = match call {
        Call::Op(op) => op,
        Call::V4CreateMany => {
            let report = t
                .create_many(input::<Vec<v4::CreateTrackingRequest>>(input_v)?)
                .await;
            return Ok(Ok(report_json(&report)));
        }
        Call::V4GetAll => {
            return Ok(t
                .get_all(input(input_v)?)
                .try_collect::<Vec<v4::Tracking>>()
                .await
                .map(|all| {
                    json!({"count": all.len(), "ids": all.iter().map(|t| t.id.clone()).collect::<Vec<_>>()})
                }));
        }
        other => return Err(format!("no dispatch for {other:?} in v4")),
    };
    let id = str_field(input_v, "id");
    Ok(match op {
        Operation::V4CouriersList => client.couriers().list().await.map(|c| to_json(&*c)),
        Operation::V4CouriersDetect => client
            .couriers()
            .detect(str_field(input_v, "tracking_number"))
            .await
            .map(|v| to_json(&v)),
        Operation::V4TrackingsCreate => t.create(input(input_v)?).await.map(|o| match o {
            tm_core::v4::CreateOutcome::Created(t) => json!({"created": t}),
            tm_core::v4::CreateOutcome::AlreadyExists(t) => json!({"already_exists": t}),
        }),
        Operation::V4TrackingsGet => t.get(&input(input_v)?).await.map(|page| {
            let mut v = json!({"items": page.items});
            if !page.undecoded.is_empty() {
                v["undecoded"] = page
                    .undecoded
                    .iter()
                    .map(|u| json!({"index": u.index, "path": u.error.path}))
                    .collect();
            }
            if !page.rejected.is_empty() {
                v["rejected"] = Value::Array(page.rejected);
            }
            v
        }),
        Operation::V4TrackingsCreateBatch => {
            let items: Vec<v4::CreateTrackingRequest> = input(input_v)?;
            t.create_batch(&items).await.map(|v| to_json(&v))
        }
        Operation::V4TrackingsUpdate => {
            let changes: v4::UpdateTrackingRequest =
                input(input_v.get("changes").unwrap_or(&Value::Null))?;
            t.update(id, changes).await.map(|v| to_json(&v))
        }
        Operation::V4TrackingsDelete => t.delete(id).await.map(|v| json!({"deleted": v})),
        Operation::V4TrackingsRetrack => t.retrack(id).await.map(|v| to_json(&v)),
        Operation::V4AirWaybillsGet => client
            .air_waybills()
            .get(str_field(input_v, "awb_number"))
            .await
            .map(|v| to_json(&v)),
        other => return Err(format!("no dispatch for operation {other}")),
    })
}

/// The input of `op` read back from the request it sent: path parameters through the
/// operation's template (under `prefix`, e.g. `/v2` or `/v4`), the JSON body, the query string,
/// the `lang` header.
///
/// ```
/// use serde_json::json;
/// use tm_conformance::input_from_request;
/// use tm_core::Operation;
/// use tm_core::transport::fixture::{Body, RecordedRequest};
/// let req: RecordedRequest = serde_json::from_value(json!({
///     "method": "PUT", "path": "/v2/trackings/ups/1Z1",
///     "body": {"json": {"title": "Mug"}}})).unwrap();
/// assert_eq!(
///     input_from_request(Operation::V2TrackingsUpdate, &req, "/v2").unwrap(),
///     json!({"carrier_code": "ups", "tracking_number": "1Z1", "changes": {"title": "Mug"}})
/// );
/// ```
pub fn input_from_request(
    op: Operation,
    req: &RecordedRequest,
    prefix: &str,
) -> Result<Value, String> {
    let path = req.path.strip_prefix(prefix).unwrap_or(&req.path);
    let params = op
        .match_path(path)
        .ok_or_else(|| format!("{} is not a path of {op}", req.path))?;
    let mut input = serde_json::Map::new();
    for (name, value) in params {
        input.insert(name.to_owned(), Value::String(value));
    }
    let body = match &req.body {
        Some(Body::Json(v)) => Some(v.clone()),
        Some(other) => serde_json::from_slice(&other.to_bytes()).ok(),
        None => None,
    };
    let query = req.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    Ok(match op {
        Operation::V2TrackingsUpdate | Operation::V4TrackingsUpdate => {
            input.insert("changes".into(), body.unwrap_or(Value::Null));
            Value::Object(input)
        }
        Operation::V4TrackingsDelete
        | Operation::V4TrackingsRetrack
        | Operation::V4CouriersList => Value::Object(input),
        Operation::V4TrackingsGet => {
            to_json(&v4::GetTrackingsRequest::from_query(query).map_err(|e| e.to_string())?)
        }
        Operation::V2TrackingsGet | Operation::V2TrackingsDelete | Operation::V2AccountUserInfo => {
            Value::Object(input)
        }
        Operation::V2CarriersList => match req.headers.get("lang") {
            Some(l) => json!({"lang": l}),
            None => json!({}),
        },
        Operation::V2TrackingsList => {
            to_json(&ListTrackingsRequest::from_query(query).map_err(|e| e.to_string())?)
        }
        Operation::V2AccountStatusCounts => {
            to_json(&StatusCountRequest::from_query(query).map_err(|e| e.to_string())?)
        }
        _ => body.ok_or_else(|| format!("{op} needs the recorded body"))?,
    })
}

/// The kind of a client error, as fixtures name it.
pub fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Transport { .. } => "transport",
        Error::Api(_) => "api",
        Error::RateLimited { .. } => "rate_limited",
        Error::Decode(_) => "decode",
        Error::InvalidInput { .. } => "invalid_input",
        Error::Config(_) => "config",
        Error::Pagination { .. } => "pagination",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_and_helper_has_a_name_that_reads_back() {
        for name in Call::names() {
            let call = Call::parse(name).unwrap_or_else(|| panic!("{name}"));
            if let Call::Op(op) = call {
                assert_eq!(op.name(), name);
            }
        }
        assert_eq!(Call::names().len(), Operation::ALL.len() + HELPERS.len());
    }
}

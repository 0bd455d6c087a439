//! The v4 API under `/v4`: routing, authentication (`Tracking-Api-Key`), v4's limits (10 per
//! second overall, 3 per second for create), and the envelope (`meta` with `code`/`message`,
//! the outcome mirrored into the HTTP status). The account is the one `/v2` serves.
//!
//! It tolerates what the official SDKs send (reference §0.1): `//` in paths (collapsed when the
//! request is read), query values never URL-encoded (`+00:00` arriving as ` 00:00`), a trailing
//! `?`, a `Content-Type` on a bodiless GET or DELETE, upper-case courier codes, no query at all.

mod codes;
mod misc;
pub(crate) mod render;
mod trackings;

pub(crate) use crate::json::text_of as text;

use std::borrow::Cow;

use serde_json::Value;

use crate::config::ErrorData;
use crate::http::Request;
use crate::json::{J, Obj};
use crate::limits::Admission;
use crate::state::Sim;

pub use codes::{DOCUMENTED, describe};

/// What a handler answers: a meta code, a message, and `data` (`None`: the configured error
/// `data`).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// `meta.code`.
    pub code: u32,
    /// `meta.message`.
    pub message: Cow<'static, str>,
    /// `data`; `None` for an error's configured default.
    pub data: Option<J>,
}

impl Reply {
    /// `200 Request response is successful`.
    pub fn ok(data: impl Into<J>) -> Reply {
        Reply {
            code: 200,
            message: Cow::Borrowed(describe(200).1),
            data: Some(data.into()),
        }
    }

    /// An error with the reference's message and the configured `data`.
    pub fn err(code: u32) -> Reply {
        Reply {
            code,
            message: Cow::Borrowed(describe(code).1),
            data: None,
        }
    }

    /// An error carrying `data`.
    pub fn err_with_data(code: u32, data: impl Into<J>) -> Reply {
        Reply {
            data: Some(data.into()),
            ..Reply::err(code)
        }
    }

    /// The HTTP status v4 sends with this code.
    pub fn status(&self) -> u16 {
        describe(self.code).0
    }

    /// The envelope text, error `data` as `error_data` says.
    pub fn text(&self, error_data: ErrorData) -> String {
        let mut body = Obj::new().with(
            "meta",
            Obj::new()
                .with("code", self.code)
                .with("message", J::from(self.message.clone().into_owned())),
        );
        let data = match (&self.data, error_data) {
            (Some(d), _) => Some(d.clone()),
            (None, ErrorData::EmptyArray) => Some(J::Arr(Vec::new())),
            (None, ErrorData::EmptyObject) => Some(J::Obj(Obj::new())),
            (None, ErrorData::Null) => Some(J::Null),
            (None, ErrorData::Absent) => None,
        };
        if let Some(d) = data {
            body.push("data", d);
        }
        serde_json::to_string(&J::from(body))
            .unwrap_or_else(|_| r#"{"meta":{"code":511,"message":"Server error."}}"#.into())
    }
}

impl From<crate::SimError> for Reply {
    /// A failure to keep the state is a server error: nothing of the request was kept.
    fn from(e: crate::SimError) -> Reply {
        Reply {
            message: Cow::Owned(format!(
                "Server error: the simulator could not keep its state ({e})."
            )),
            ..Reply::err(511)
        }
    }
}

/// Which endpoint a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /couriers/all`
    Couriers,
    /// `POST /couriers/detect`
    Detect,
    /// `POST /trackings/create`
    Create,
    /// `GET /trackings/get`
    Get,
    /// `POST /trackings/batch`
    Batch,
    /// `PUT /trackings/update/{id}`
    Update(String),
    /// `DELETE /trackings/delete/{id}`
    Delete(String),
    /// `POST /trackings/retrack/{id}`
    Retrack(String),
    /// `POST /awb`
    AirWaybill,
}

impl Route {
    /// The route of a path under `/v4` (segments decoded), or `None`.
    pub fn parse(segments: &[String]) -> Option<Route> {
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        Some(match s.as_slice() {
            ["couriers", "all"] => Route::Couriers,
            ["couriers", "detect"] => Route::Detect,
            ["trackings", "create"] => Route::Create,
            ["trackings", "get"] => Route::Get,
            ["trackings", "batch"] => Route::Batch,
            ["trackings", "update", id] => Route::Update((*id).into()),
            ["trackings", "delete", id] => Route::Delete((*id).into()),
            ["trackings", "retrack", id] => Route::Retrack((*id).into()),
            ["awb"] => Route::AirWaybill,
            _ => return None,
        })
    }

    /// The one method the route takes.
    pub fn method(&self) -> &'static str {
        match self {
            Route::Couriers | Route::Get => "GET",
            Route::Update(_) => "PUT",
            Route::Delete(_) => "DELETE",
            _ => "POST",
        }
    }

    /// The rate classes the call counts against, its own first.
    pub fn rate_classes(&self) -> &'static [&'static str] {
        match self {
            Route::Create => &["create", "default"],
            _ => &["default"],
        }
    }

    /// A stable name, for statistics.
    pub fn name(&self) -> &'static str {
        match self {
            Route::Couriers => "v4/couriers/all",
            Route::Detect => "v4/couriers/detect",
            Route::Create => "v4/trackings/create",
            Route::Get => "v4/trackings/get",
            Route::Batch => "v4/trackings/batch",
            Route::Update(_) => "v4/trackings/update",
            Route::Delete(_) => "v4/trackings/delete",
            Route::Retrack(_) => "v4/trackings/retrack",
            Route::AirWaybill => "v4/awb",
        }
    }
}

/// Handles one `/v4` request.
pub(crate) async fn handle(sim: &Sim, req: &Request) -> Reply {
    let Some(route) = Route::parse(&req.segments) else {
        return Reply::err(404);
    };
    if route.method() != req.method {
        return Reply::err(400);
    }
    sim.count_route(route.name());
    let key = match req.key_header("tracking-api-key") {
        // The reference's own text where it fits (no key); a key that is not text is named.
        Err(why) if req.headers.contains_key("tracking-api-key") && why.starts_with("is not") => {
            return Reply {
                message: Cow::Owned(format!(
                    "{} (the Tracking-Api-Key header {why})",
                    describe(401).1
                )),
                ..Reply::err(401)
            };
        }
        Err(_) => return Reply::err(401),
        Ok(k) => k,
    };
    let known = sim.config.api_keys.is_empty() || sim.config.api_keys.iter().any(|k| k == key);
    if !known || sim.config.revoked_keys.iter().any(|k| k == key) {
        return Reply::err(401);
    }
    let scope = sim.scope_of(sim.config.v4.limit_scope, req, key);
    for class in route.rate_classes() {
        if let Admission::Refused { .. } = sim.admit_v4(&scope, class).await {
            return Reply::err(429);
        }
    }
    // A body only where one belongs: SDKs send a Content-Type (and nothing else) on GET and
    // DELETE.
    let body = match req.method.as_str() {
        "GET" | "DELETE" => Value::Null,
        _ if req.body.iter().all(u8::is_ascii_whitespace) => Value::Null,
        _ => match serde_json::from_slice::<Value>(&req.body) {
            Ok(v) => v,
            Err(e) => {
                return Reply {
                    message: Cow::Owned(format!(
                        "Request type error: {}.",
                        crate::v2::not_json(&req.body, &e)
                    )),
                    ..Reply::err(400)
                };
            }
        },
    };
    let now = sim.clock.now_ms();
    let result = match &route {
        Route::Couriers => Ok(misc::couriers(sim)),
        Route::Detect => misc::detect(sim, &body),
        Route::Create => trackings::create(sim, &body, now),
        Route::Get => trackings::get(sim, &req.query, now),
        Route::Batch => trackings::batch(sim, &body, now),
        Route::Update(id) => trackings::update(sim, id, &body, now),
        Route::Delete(id) => trackings::delete(sim, id),
        Route::Retrack(id) => trackings::retrack(sim, id, now),
        Route::AirWaybill => misc::air_waybill(sim, &body, now),
    };
    result.unwrap_or_else(|r| r)
}

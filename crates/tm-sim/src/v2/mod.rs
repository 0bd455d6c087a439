//! The v2 API under `/v2`: routing, authentication, the document's rate limits, and the
//! envelope (`meta` with `code`/`type`/`message`, errors inside HTTP 200).

mod batches;
mod codes;
mod input;
mod misc;
pub(crate) mod render;
mod trackings;

use std::borrow::Cow;

use serde_json::Value;

use crate::http::Request;
use crate::json::{EnvelopeV2, J, MetaV2, php_escape};
use crate::limits::Admission;
use crate::state::Sim;

pub use codes::{DOCUMENTED, describe};
#[cfg(feature = "webhooks")]
pub(crate) use trackings::render_stored;

/// v2's main statuses, as a `status` filter and the status counts name them.
pub(crate) const STATUSES: [&str; 8] = [
    "pending",
    "notfound",
    "transit",
    "pickup",
    "delivered",
    "undelivered",
    "exception",
    "expired",
];

/// What a handler answers: a meta code, a message, and `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// `meta.code`.
    pub code: u32,
    /// `meta.type`, when it differs from the documented one.
    pub kind: Option<&'static str>,
    /// `meta.message`.
    pub message: Cow<'static, str>,
    /// `data`.
    pub data: J,
}

impl Reply {
    /// `200 Success`.
    pub fn ok(data: impl Into<J>) -> Reply {
        Reply {
            code: 200,
            kind: None,
            message: Cow::Borrowed("Success"),
            data: data.into(),
        }
    }

    /// An error with the document's text and `data: []`, as v2 sends every error.
    pub fn err(code: u32) -> Reply {
        Reply {
            code,
            kind: None,
            message: Cow::Borrowed(describe(code).1),
            data: J::Arr(Vec::new()),
        }
    }

    /// An error with its own message.
    pub fn err_with(code: u32, message: impl Into<Cow<'static, str>>) -> Reply {
        Reply {
            message: message.into(),
            ..Reply::err(code)
        }
    }

    /// The envelope text, with PHP-style escapes if configured.
    pub fn text(&self, php_escapes: bool) -> String {
        let kind = self.kind.unwrap_or_else(|| describe(self.code).0);
        let text = serde_json::to_string(&EnvelopeV2 {
            meta: MetaV2 {
                code: self.code,
                kind,
                message: &self.message,
            },
            data: &self.data,
        })
        .unwrap_or_else(|_| r#"{"meta":{"code":500},"data":[]}"#.into());
        if php_escapes { php_escape(&text) } else { text }
    }
}

impl From<crate::SimError> for Reply {
    /// A failure to keep the state is a server error: nothing of the request was kept.
    fn from(e: crate::SimError) -> Reply {
        Reply::err_with(
            500,
            format!("Server error: the simulator could not keep its state ({e})."),
        )
    }
}

/// The HTTP status a meta code maps to when mirroring is on (v2 itself answers 200).
pub fn mirrored_status(code: u32) -> u16 {
    match code {
        200 => 200,
        201 => 201,
        401 | 4001 | 4002 => 401,
        402 | 4019 | 4021 => 402,
        403 | 4018 => 403,
        404 | 4017 | 4031 => 404,
        405 => 405,
        409 | 4016 => 409,
        429 => 429,
        500 => 500,
        503 => 503,
        _ => 400,
    }
}

/// Which endpoint a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /carriers`
    Carriers,
    /// `POST /carriers/detect`
    Detect,
    /// `POST /trackings/post`
    Create,
    /// `POST /trackings/batch`
    BatchCreate,
    /// `GET|POST /trackings/get`
    List,
    /// `POST /trackings/updatemore`
    UpdateMore,
    /// `POST /trackings/delete`
    BatchDelete,
    /// `POST /trackings/realtime`
    Realtime,
    /// `POST /trackings/update`
    ChangeCarrier,
    /// `GET /trackings/getuserinfo`
    UserInfo,
    /// `GET|POST /trackings/getstatusnumber`
    StatusNumber,
    /// `POST /trackings/notupdate`
    NotUpdate,
    /// `POST /trackings/remote`
    Remote,
    /// `POST /trackings/costtime`
    CostTime,
    /// `POST /trackings/aircargo`
    AirCargo,
    /// `GET|PUT|DELETE /trackings/{carrier}/{number}[/{lang}]`
    Single {
        /// Carrier code (decoded).
        carrier: String,
        /// Tracking number (decoded).
        number: String,
        /// Language segment (GET only).
        lang: Option<String>,
    },
}

impl Route {
    /// The route of a path under `/v2` (segments percent-decoded), or `None`.
    pub fn parse(segments: &[String]) -> Option<Route> {
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        Some(match s.as_slice() {
            ["carriers"] => Route::Carriers,
            ["carriers", "detect"] => Route::Detect,
            ["trackings", "post"] => Route::Create,
            ["trackings", "batch"] => Route::BatchCreate,
            ["trackings", "get"] => Route::List,
            ["trackings", "updatemore"] => Route::UpdateMore,
            ["trackings", "delete"] => Route::BatchDelete,
            ["trackings", "realtime"] => Route::Realtime,
            ["trackings", "update"] => Route::ChangeCarrier,
            ["trackings", "getuserinfo"] => Route::UserInfo,
            ["trackings", "getstatusnumber"] => Route::StatusNumber,
            ["trackings", "notupdate"] => Route::NotUpdate,
            ["trackings", "remote"] => Route::Remote,
            ["trackings", "costtime"] => Route::CostTime,
            ["trackings", "aircargo"] => Route::AirCargo,
            ["trackings", c, n] => Route::Single {
                carrier: (*c).into(),
                number: (*n).into(),
                lang: None,
            },
            ["trackings", c, n, l] => Route::Single {
                carrier: (*c).into(),
                number: (*n).into(),
                lang: Some((*l).into()),
            },
            _ => return None,
        })
    }

    /// The methods the route accepts (list and status counts also as POST with a JSON body,
    /// as the official PHP class sends them).
    pub fn allows(&self, method: &str) -> bool {
        match self {
            Route::Carriers | Route::UserInfo => method == "GET",
            Route::List | Route::StatusNumber => matches!(method, "GET" | "POST"),
            Route::Single { lang: Some(_), .. } => method == "GET",
            Route::Single { .. } => matches!(method, "GET" | "PUT" | "DELETE"),
            _ => method == "POST",
        }
    }

    /// The rate-limit class.
    pub fn rate_class(&self) -> &'static str {
        match self {
            Route::Realtime => "realtime",
            Route::List => "list",
            _ => "default",
        }
    }

    /// A stable name, for statistics and `inactive_features`.
    pub fn name(&self) -> &'static str {
        match self {
            Route::Carriers => "carriers",
            Route::Detect => "carriers/detect",
            Route::Create => "trackings/post",
            Route::BatchCreate => "trackings/batch",
            Route::List => "trackings/get",
            Route::UpdateMore => "trackings/updatemore",
            Route::BatchDelete => "trackings/delete",
            Route::Realtime => "trackings/realtime",
            Route::ChangeCarrier => "trackings/update",
            Route::UserInfo => "trackings/getuserinfo",
            Route::StatusNumber => "trackings/getstatusnumber",
            Route::NotUpdate => "trackings/notupdate",
            Route::Remote => "trackings/remote",
            Route::CostTime => "trackings/costtime",
            Route::AirCargo => "trackings/aircargo",
            Route::Single { .. } => "trackings/{carrier}/{number}",
        }
    }
}

/// One request, as the handlers see it.
pub struct Call<'a> {
    /// Upper-case method.
    pub method: &'a str,
    /// Query pairs.
    pub query: &'a [(String, String)],
    /// The body parsed as JSON: `None` when empty, not JSON, or on a GET or DELETE (whose body
    /// the server ignores).
    pub body: Option<Value>,
    /// Why a body that was sent is not JSON, for the messages of the codes it leads to.
    pub body_error: Option<String>,
    /// The `Lang` header.
    pub lang: Option<&'a str>,
    /// Who the rate limits count (the client's IP, or its key).
    pub scope: &'a str,
}

/// Why `body` is not JSON, in a user's words.
pub(crate) fn not_json(body: &[u8], e: &serde_json::Error) -> String {
    if std::str::from_utf8(body).is_err() {
        "the request body is not UTF-8 text, so not JSON".to_owned()
    } else {
        format!("the request body is not JSON ({e})")
    }
}

/// Handles one `/v2` request.
pub(crate) async fn handle(sim: &Sim, req: &Request) -> Reply {
    let Some(route) = Route::parse(&req.segments) else {
        return Reply::err(404);
    };
    if !route.allows(&req.method) {
        return Reply::err(405);
    }
    sim.count_route(route.name());
    let key = match req.key_header("trackingmore-api-key") {
        Err(why) => {
            return Reply::err_with(
                401,
                format!("Authentication failed: the Trackingmore-Api-Key header {why}."),
            );
        }
        Ok(k) => k,
    };
    if sim.config.revoked_keys.iter().any(|k| k == key) {
        return Reply::err(4002);
    }
    if !sim.config.api_keys.is_empty() && !sim.config.api_keys.iter().any(|k| k == key) {
        return Reply::err(4001);
    }
    let scope = sim.limit_scope(req, key);
    if let Admission::Refused { .. } = sim.admit("v2", &scope, route.rate_class(), 1).await {
        return Reply::err(429);
    }
    if sim
        .config
        .inactive_features
        .iter()
        .any(|f| f == route.name())
    {
        return Reply::err(4018);
    }
    // The server reads a body only where one belongs; PHP's json_decode gives null for
    // anything that is not JSON, which reads as "no parameters" (and so, as the FAQ says,
    // usually as 4015: the messages say why).
    let (body, body_error) = match req.method.as_str() {
        "GET" | "DELETE" => (None, None),
        _ if req.body.iter().all(u8::is_ascii_whitespace) => (None, None),
        _ => match serde_json::from_slice::<Value>(&req.body) {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(not_json(&req.body, &e))),
        },
    };
    let call = Call {
        method: &req.method,
        query: &req.query,
        body,
        body_error,
        lang: req.header("lang"),
        scope: &scope,
    };
    let now = sim.clock.now_ms();
    let result = match &route {
        Route::Carriers => Ok(misc::carriers(sim, &call)),
        Route::Detect => misc::detect(sim, &call),
        Route::Create => trackings::create_one(sim, &call, now),
        Route::BatchCreate => batches::batch_create(sim, &call, now),
        Route::List => trackings::list(sim, &call, now).await,
        Route::UpdateMore => batches::update_more(sim, &call, now),
        Route::BatchDelete => batches::batch_delete(sim, &call),
        Route::Realtime => trackings::realtime(sim, &call, now),
        Route::ChangeCarrier => trackings::change_carrier(sim, &call, now),
        Route::UserInfo => misc::user_info(sim),
        Route::StatusNumber => misc::status_number(sim, &call, now),
        Route::NotUpdate => batches::not_update(sim, &call, now),
        Route::Remote => misc::remote(sim, &call),
        Route::CostTime => misc::cost_time(sim, &call),
        Route::AirCargo => misc::air_cargo(sim, &call, now),
        Route::Single {
            carrier,
            number,
            lang: _,
        } => match call.method {
            "GET" => trackings::get_one(sim, carrier, number, now),
            "PUT" => trackings::update_one(sim, carrier, number, &call, now),
            _ => trackings::delete_one(sim, carrier, number),
        },
    };
    let mut reply = result.unwrap_or_else(|r| r);
    // An error a body that was not JSON led to says so (the code stays the server's).
    if let Some(why) = &call.body_error
        && !matches!(reply.code, 200 | 201)
    {
        reply.message = format!("{} ({why}).", reply.message.trim_end_matches('.')).into();
    }
    reply
}

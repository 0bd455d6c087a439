//! Who may use the dashboard, and what another page can make it do.
//!
//! - On loopback (the default): requests must name a loopback host (a page that reaches the
//!   port through DNS rebinding names its own), and actions need the process's token, handed
//!   out only to same-origin requests.
//! - Beyond loopback, only with `--allow-remote`: every request (pages, assets, the event
//!   stream) needs a session, opened by the secret printed once in the URL and kept in an
//!   `HttpOnly; SameSite=Strict` cookie, so no other site's page sends it. Requests may name
//!   loopback hosts, IP addresses (a literal address cannot be rebound) and the names given
//!   with `--allow-host`. Action tokens are derived from the session: a token fetched in one
//!   session is useless in another.
//!
//! Every POST must come from this dashboard's own origin, and the confirmation page (which
//! carries the token) is not given to a request from another site.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::Shared;
use crate::Failure;

/// The cookie that carries a remote session.
const COOKIE: &str = "tm_dashboard_session";
/// Remote sessions remembered at once (the oldest is forgotten first).
const MAX_SESSIONS: usize = 256;

/// A request's session (remote mode), as handlers see it.
#[derive(Debug, Clone)]
pub struct Session(pub String);

/// The dashboard's access rules.
pub struct Access {
    /// The host names (with their port) a request may name besides IP literals.
    hosts: Vec<String>,
    /// Whether IP literals are accepted as hosts (remote mode).
    ip_hosts: bool,
    /// The remote mode's secret and sessions.
    remote: Option<Remote>,
    /// Keys every action token.
    token_key: [u8; 32],
}

struct Remote {
    secret: String,
    sessions: Mutex<VecDeque<String>>,
}

/// 16 random bytes as hex.
pub fn random_hex() -> Result<String, Failure> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure::Io(format!("no randomness for the dashboard's secrets: {e}")))?;
    Ok(hex::encode(bytes))
}

fn loopback_hosts(port: u16) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .map(|h| format!("{h}:{port}"))
        .collect();
    if port == 80 {
        hosts.extend(["localhost", "127.0.0.1", "[::1]"].map(String::from));
    }
    hosts
}

impl Access {
    /// Loopback only: no session, one token per process.
    pub fn loopback(port: u16) -> Result<Access, Failure> {
        Ok(Access {
            hosts: loopback_hosts(port),
            ip_hosts: false,
            remote: None,
            token_key: key()?,
        })
    }

    /// Beyond loopback: a session opened with a new secret, returned for the printed URL.
    pub fn remote(port: u16, allowed: &[String]) -> Result<(Access, String), Failure> {
        let secret = random_hex()?;
        let mut hosts = loopback_hosts(port);
        for name in allowed {
            let name = name.trim().to_ascii_lowercase();
            if name.is_empty() {
                return Err(Failure::Usage("--allow-host: an empty name".into()));
            }
            hosts.push(format!("{name}:{port}"));
            if port == 80 {
                hosts.push(name);
            }
        }
        let access = Access {
            hosts,
            ip_hosts: true,
            remote: Some(Remote {
                secret: secret.clone(),
                sessions: Mutex::new(VecDeque::new()),
            }),
            token_key: key()?,
        };
        Ok((access, secret))
    }

    /// The action token for `session` (the process's own on loopback).
    pub fn token(&self, session: Option<&Session>) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.token_key)
            .unwrap_or_else(|e| unreachable!("HMAC takes a key of any length: {e}"));
        mac.update(session.map_or(b"loopback".as_slice(), |s| s.0.as_bytes()));
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// True when `given` is the action token of `session` (compared in constant time).
    pub fn token_matches(&self, session: Option<&Session>, given: &str) -> bool {
        bool::from(given.as_bytes().ct_eq(self.token(session).as_bytes()))
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if self.hosts.contains(&host) {
            return true;
        }
        // An address typed as such cannot be rebound to another site's name.
        self.ip_hosts && {
            let name = match host.strip_prefix('[') {
                Some(rest) => rest.split(']').next().unwrap_or(""),
                None => host.rsplit_once(':').map_or(host.as_str(), |(n, _)| n),
            };
            name.parse::<std::net::IpAddr>().is_ok()
        }
    }

    fn known_session(&self, remote: &Remote, headers: &HeaderMap) -> Option<Session> {
        let id = cookie(headers, COOKIE)?;
        let sessions = remote.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions
            .iter()
            .any(|s| bool::from(s.as_bytes().ct_eq(id.as_bytes())))
            .then(|| Session(id.to_owned()))
    }

    fn open_session(&self, remote: &Remote) -> Result<String, Failure> {
        let id = random_hex()?;
        let mut sessions = remote.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if sessions.len() >= MAX_SESSIONS {
            sessions.pop_front();
        }
        sessions.push_back(id.clone());
        Ok(id)
    }
}

fn key() -> Result<[u8; 32], Failure> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure::Io(format!("no randomness for the dashboard's secrets: {e}")))?;
    Ok(bytes)
}

/// A cookie's value.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// The `key` query parameter, if the request carries one.
fn key_param(query: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs.into_iter().find(|(k, _)| k == "key").map(|(_, v)| v)
}

/// `query` without its `key` parameter.
fn without_key(query: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let kept: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "key").collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// Why a request may come from another site's page, if it may.
fn from_another_site(headers: &HeaderMap, host: &str) -> Option<&'static str> {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) {
        return Some("another site's page sent it");
    }
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    let same = origin.is_none_or(|o| {
        o.split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
    });
    (!same).then_some("it came from another origin")
}

/// The middleware in front of every route: host, session, same origin; then the headers that
/// keep the page from being framed or sniffed.
pub async fn guard(State(d): State<Shared>, mut req: Request, next: Next) -> Response {
    let access = &d.access;
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !access.host_allowed(&host) {
        let why = if access.remote.is_some() {
            "this dashboard answers its own addresses and the names given with --allow-host\n"
        } else {
            "this dashboard answers on loopback only\n"
        };
        return (StatusCode::MISDIRECTED_REQUEST, why).into_response();
    }
    if let Some(remote) = &access.remote {
        if let Some(given) = key_param(req.uri().query()) {
            if !bool::from(given.as_bytes().ct_eq(remote.secret.as_bytes())) {
                return refused(StatusCode::UNAUTHORIZED, "that key is not this dashboard's");
            }
            let id = match access.open_session(remote) {
                Ok(id) => id,
                Err(f) => return refused(StatusCode::INTERNAL_SERVER_ERROR, &f.message()),
            };
            // The key leaves the address bar (and the history); the session stays in a
            // cookie no other site's request carries.
            let rest = without_key(req.uri().query().unwrap_or(""));
            let target = match rest.as_str() {
                "" => req.uri().path().to_owned(),
                q => format!("{}?{q}", req.uri().path()),
            };
            let mut resp = Redirect::to(&target).into_response();
            if let Ok(v) =
                HeaderValue::from_str(&format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/"))
            {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            return resp;
        }
        match access.known_session(remote, headers) {
            Some(session) => {
                req.extensions_mut().insert(session);
            }
            None => {
                return refused(
                    StatusCode::UNAUTHORIZED,
                    "this dashboard needs its key: open the address tm printed when it started \
                     (it ends in ?key=…)",
                );
            }
        }
    }
    let headers = req.headers();
    let hands_out_a_token = req.uri().path().ends_with("/confirm");
    if (req.method() == axum::http::Method::POST || hands_out_a_token)
        && let Some(why) = from_another_site(headers, &host)
    {
        return refused(
            StatusCode::FORBIDDEN,
            &format!("cross-site request refused: {why}"),
        );
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    // `same-origin`, not `no-referrer`: with the latter a browser sends `Origin: null` on
    // the form POSTs, which the check above must refuse.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if d.access.remote.is_some() {
        // Pages behind a secret are not kept by shared caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

fn refused(status: StatusCode, why: &str) -> Response {
    (status, format!("{why}\n")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_loopback_ips_and_the_allowed_names() {
        let local = Access::loopback(8777).unwrap();
        assert!(local.host_allowed("localhost:8777"));
        assert!(local.host_allowed("127.0.0.1:8777"));
        assert!(
            !local.host_allowed("192.168.1.5:8777"),
            "loopback mode takes loopback only"
        );
        assert!(!local.host_allowed("attacker.example:8777"));
        let (remote, secret) = Access::remote(8777, &["Shop-Box".into()]).unwrap();
        assert_eq!(secret.len(), 32);
        assert!(remote.host_allowed("shop-box:8777"));
        assert!(remote.host_allowed("192.168.1.5:8777"));
        assert!(remote.host_allowed("[fe80::1]:8777"));
        assert!(!remote.host_allowed("attacker.example:8777"));
        assert!(
            !remote.host_allowed("shop-box:9999"),
            "another port is another origin"
        );
    }

    #[test]
    fn tokens_belong_to_their_session() {
        let (a, _) = Access::remote(1, &[]).unwrap();
        let one = Session("one".into());
        let two = Session("two".into());
        let token = a.token(Some(&one));
        assert!(a.token_matches(Some(&one), &token));
        assert!(!a.token_matches(Some(&two), &token));
        assert!(!a.token_matches(None, &token));
    }

    #[test]
    fn the_key_leaves_the_query_and_the_rest_stays() {
        assert_eq!(
            key_param(Some("status=transit&key=abc")).as_deref(),
            Some("abc")
        );
        assert_eq!(without_key("status=transit&key=abc"), "status=transit");
        assert_eq!(without_key("key=abc"), "");
    }
}

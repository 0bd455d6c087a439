//! `tm dashboard` over HTTP: the pages a user sees on the seeded sandbox and against an API,
//! and the protections a local page that acts on an account needs (the browser itself is
//! driven in `dashboard_browser.rs`).

mod common;

use common::{Dashboard, KEY, sandbox_dashboard, seeded_sandbox};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(url: &str) -> (u16, String) {
    let r = client().get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// An overview page once its figures are complete (while the listing is read it shows a
/// `reading` notice and the figures so far).
async fn complete(url: &str) -> (u16, String) {
    for _ in 0..120 {
        let (status, html) = get(url).await;
        if !html.contains(r#"id="reading""#) {
            return (status, html);
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    panic!("{url}: the overview never completed");
}

/// The row keys (`carrier:number`) of the table with `id` on a page.
fn rows(html: &str, id: &str) -> Vec<String> {
    let Some(start) = html.find(&format!(r#"<table id="{id}">"#)) else {
        return Vec::new();
    };
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    table
        .split(r#"<tr data-key=""#)
        .skip(1)
        .map(|row| row[..row.find('"').unwrap()].to_owned())
        .collect()
}

/// The value of the first `name="token" value="…"` on a page.
fn token_in(html: &str) -> String {
    let at = html.find(r#"name="token" value=""#).expect("a token field") + 20;
    html[at..at + 32].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_sandbox_dashboard_shows_the_twelve_examples_and_acts_only_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing created: an empty sandbox starts with the examples, as on a fresh machine.
    let state = dir.path().join("tm.db");
    let d = sandbox_dashboard(&state, &[], &[]);
    let (status, html) = complete(&d.url).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&html, "recent").len(), 12, "{html}");
    assert!(html.contains(r#"<span class="n" id="total">12</span>"#));
    // Every documented v2 status has a bar, with its count as text for screen readers.
    for s in [
        "pending",
        "notfound",
        "transit",
        "pickup",
        "delivered",
        "undelivered",
        "exception",
        "expired",
    ] {
        assert!(
            html.contains(&format!(r#"data-status="{s}""#)),
            "no bar for {s}"
        );
    }

    // A filter the API applies (status) and one the page applies (carrier).
    let (_, ups) = complete(&format!("{}?carrier=ups", d.url)).await;
    let ups = rows(&ups, "recent");
    assert!(!ups.is_empty());
    assert!(ups.iter().all(|k| k.starts_with("ups:")), "{ups:?}");
    let (_, delivered) = complete(&format!("{}?status=delivered", d.url)).await;
    assert!(delivered.contains(r#"<option value="delivered" selected>"#));
    let n = rows(&delivered, "recent").len();
    assert!(delivered.contains(&format!(r#"<span class="n" id="total">{n}</span>"#)));
    let (status, bad) = get(&format!("{}?from=yesterday", d.url)).await;
    assert_eq!(status, 400);
    assert!(
        bad.contains("from: &quot;yesterday&quot; is not a date"),
        "{bad}"
    );

    // The search box finds a number on its carrier.
    let r = client()
        .get(format!("{}search?q=1Z999AA10123456784", d.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/shipment/ups/1Z999AA10123456784");

    // One shipment: details, timeline, actions behind a confirmation.
    let page = format!("{}shipment/ups/1Z999AA10123456784", d.url);
    let (status, html) = get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Timeline") && html.contains("confirm?action=archive"));
    let (_, confirm) = get(&format!("{page}/confirm?action=archive")).await;
    let token = token_in(&confirm);

    // Without the token, with a wrong one, or from another origin: refused, nothing done.
    let post = |body: String, origin: Option<&'static str>| {
        let mut r = client()
            .post(format!("{page}/action"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    assert_eq!(
        post("action=archive".into(), None).await.unwrap().status(),
        403
    );
    assert_eq!(
        post(
            "action=archive&token=00000000000000000000000000000000".into(),
            None
        )
        .await
        .unwrap()
        .status(),
        403
    );
    assert_eq!(
        post(
            format!("action=archive&token={token}"),
            Some("http://evil.example")
        )
        .await
        .unwrap()
        .status(),
        403
    );
    let (_, still) = get(&page).await;
    assert!(still.contains("<dt>Archived</dt><dd>no</dd>"), "{still}");

    // With it: done.
    let r = post(format!("action=archive&token={token}"), None)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("ups:1Z999AA10123456784 archived")
    );
    let (_, after) = get(&page).await;
    assert!(after.contains("<dt>Archived</dt><dd>yes</dd>"));

    // A page naming another host (DNS rebinding) gets nothing.
    let r = client()
        .get(&d.url)
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);

    // Stopped by SIGTERM, it saves the sandbox: the archive survives.
    assert!(d.terminate().success());
    let out = common::run(
        vec![
            "--sandbox".into(),
            "--state-db".into(),
            state.display().to_string(),
            "-o".into(),
            "json".into(),
            "get".into(),
            "ups".into(),
            "1Z999AA10123456784".into(),
        ],
        None,
    )
    .await;
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = if t.is_array() { t[0].clone() } else { t };
    assert_eq!(t["archived"], json!(true), "{t}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_text_is_escaped_and_the_key_never_reaches_the_browser() {
    let api = MockServer::start().await;
    let evil = "<script>document.title='owned'</script>";
    let tracking = json!({
        "id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "tracking_number": "RR123456789CN",
        "carrier_code": "china-post", "status": "transit", "title": evil,
        "created_at": "2024-03-01T08:00:00+08:00", "updated_at": "2024-03-02T08:00:00+08:00",
        "lastEvent": evil,
        "origin_info": {"trackinfo": [
            {"Date": "2024-03-02 08:00", "StatusDescription": evil, "Details": "<img src=x onerror=alert(1)>"}
        ]}
    });
    Mock::given(method("GET"))
        .and(path("/v2/trackings/get"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "meta": {"code": 200, "type": "Success", "message": "Success"},
            "data": {"page": 1, "limit": 2000, "total": "1", "items": [tracking.clone()]}
        })))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/trackings/china-post/RR123456789CN"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "meta": {"code": 200, "type": "Success", "message": "Success"}, "data": tracking
        })))
        .mount(&api)
        .await;
    let d = Dashboard::start(&[
        "--api-key".into(),
        KEY.into(),
        "--base-url".into(),
        format!("{}/v2", api.uri()),
        "dashboard".into(),
        "--port".into(),
        "0".into(),
    ]);
    let mut seen = String::new();
    for p in [
        "",
        "shipment/china-post/RR123456789CN",
        "shipment/china-post/RR123456789CN/confirm?action=delete",
    ] {
        let (status, html) = get(&format!("{}{p}", d.url)).await;
        assert_eq!(status, 200, "{p}: {html}");
        assert!(
            !html.contains("<script>document") && !html.contains("<img src=x"),
            "{p}: {html}"
        );
        seen.push_str(&html);
    }
    assert!(seen.contains("&lt;script&gt;document.title="));
    for asset in ["assets/dashboard.js", "assets/dashboard.css"] {
        seen.push_str(&get(&format!("{}{asset}", d.url)).await.1);
    }
    assert!(!seen.contains(KEY), "the API key reached a page");
    // The dashboard's calls carried the key: it lives in the process, not the page.
    let requests = api.received_requests().await.unwrap();
    assert!(!requests.is_empty());
    assert!(
        requests
            .iter()
            .all(|r| r.headers["trackingmore-api-key"] == KEY)
    );
}

#[tokio::test]
async fn a_bad_refresh_or_an_address_in_use_is_refused_with_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for args in [vec!["--refresh", "0"], vec!["--port", port.as_str()]] {
        let mut all: Vec<String> = ["--sandbox", "--state-db"].map(String::from).to_vec();
        let dir = tempfile::tempdir().unwrap();
        all.push(dir.path().join("s.json").display().to_string());
        all.push("dashboard".into());
        all.extend(args.iter().map(|s| s.to_string()));
        let out = common::run(all, None).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--refresh") || err.contains("cannot listen"),
            "{err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_api_v4_the_same_sandbox_shows_v4_s_nine_statuses_and_its_actions() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tm.db");
    seeded_sandbox(&state).await;
    let d = sandbox_dashboard(&state, &["--api", "v4"], &[]);
    let (status, html) = complete(&d.url).await;
    assert_eq!(status, 200);
    assert!(html.contains("API v4"));
    assert_eq!(
        rows(&html, "recent").len(),
        12,
        "one account, both generations"
    );
    let bars = html.matches(r#"<g class="bar"#).count();
    assert_eq!(bars, 9, "v4's nine documented statuses");
    assert!(html.contains(r#"data-status="inforeceived""#));
    let (status, page) = get(&format!("{}shipment/ups/1Z999AA10123456784", d.url)).await;
    assert_eq!(status, 200, "{page}");
    // v4 has no forced status: the page does not offer one, and refuses it if asked.
    assert!(!page.contains("action=mark-delivered") && page.contains("action=archive"));
    let (status, _) = get(&format!(
        "{}shipment/ups/1Z999AA10123456784/confirm?action=mark-delivered",
        d.url
    ))
    .await;
    assert_eq!(status, 400);
    let (status, _) = get(&format!("{}shipment/ups/NOSUCHNUMBER", d.url)).await;
    assert_eq!(status, 404);
}

//! Nobody on the network controls an account through `tm`, and no client can stall it: the
//! dashboard beyond loopback only on purpose and behind a secret, bounded shutdown and waits,
//! spreadsheet-safe CSV, and clear messages for what was wrong.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_beyond_loopback_needs_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let o = sandbox(
        &dir.path().join("tm.db"),
        &["dashboard", "--port", "0", "--bind", "0.0.0.0"],
    )
    .await;
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-remote"), "{}", stderr(&o));
}

/// Opens a session with the printed key: the cookie it sets.
async fn open_session(r: &Remote) -> String {
    let resp = client()
        .get(format!("{}?key={}", r.base, r.secret))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_owned()
}

/// The action token on a confirmation page.
fn token_in(html: &str) -> String {
    let at = html.find(r#"name="token" value=""#).expect("a token field") + 20;
    html[at..at + 32].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_dashboard_needs_its_secret_for_every_page_and_tokens_stay_in_their_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tm.db");
    seeded_sandbox(&db).await;
    let r = remote_dashboard(&db);
    let http = client();
    // Nothing without the key: pages, assets, the event stream, a wrong key.
    for path in [
        "",
        "assets/dashboard.css",
        "events",
        "shipment/ups/1Z999AA10123456784",
    ] {
        let resp = http.get(format!("{}{path}", r.base)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "/{path}");
    }
    let wrong = http
        .get(format!("{}?key={}", r.base, "0".repeat(32)))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    // The key opens a session; the session opens every page.
    let a = open_session(&r).await;
    let page = format!("{}shipment/ups/1Z999AA10123456784", r.base);
    let resp = http.get(&page).header("cookie", &a).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    // A name the user did not allow is refused even with the session (DNS rebinding).
    let resp = http
        .get(&page)
        .header("cookie", &a)
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 421);
    // The confirmation (and its token) is not handed to another site's request.
    let confirm = format!("{page}/confirm?action=archive");
    let resp = http
        .get(&confirm)
        .header("cookie", &a)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let html = http
        .get(&confirm)
        .header("cookie", &a)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token_a = token_in(&html);
    // Session A's token is useless in session B.
    let b = open_session(&r).await;
    let act = format!("{page}/action");
    let form = |token: &str| format!("action=archive&token={token}");
    let resp = http
        .post(&act)
        .header("cookie", &b)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&token_a))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "another session's token");
    let resp = http
        .post(&act)
        .header("cookie", &a)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&token_a))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "its own session's token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_with_three_live_pages_stops_within_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tm.db");
    seeded_sandbox(&db).await;
    let d = sandbox_dashboard(&db, &[], &[]);
    let addr = d
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(format!("GET /events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut buf = [0u8; 256];
        let n = s.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).contains("200"));
        streams.push(s);
    }
    let stopped = Instant::now();
    let status = tokio::task::spawn_blocking(move || d.terminate())
        .await
        .unwrap();
    let took = stopped.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(
        took < Duration::from_secs(2),
        "took {took:?} with three streams open"
    );
    for s in &mut streams {
        let mut rest = Vec::new();
        let ended = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut rest)).await;
        assert!(ended.is_ok(), "a stream stayed open after the exit");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tm_sim_drops_a_half_sent_request_while_serving_others() {
    let mut child = tm_bin()
        .args(["sim", "--port", "0", "--header-timeout", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_owned();
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches("/v2")
        .to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"POST /v2/trackings/post HTTP/1.1\r\nHost: x\r\nContent-Le")
        .await
        .unwrap();
    let ok = reqwest::Client::new()
        .get(format!("{base}/carriers"))
        .header("Trackingmore-Api-Key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "served meanwhile");
    let mut buf = [0u8; 64];
    let ended = tokio::time::timeout(Duration::from_secs(15), slow.read(&mut buf)).await;
    assert!(
        matches!(ended, Ok(Ok(0) | Err(_))),
        "the half-sent request was never dropped: {ended:?}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_output_neutralises_formulas_unless_asked_for_raw_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tm.db");
    let formula = "=HYPERLINK(\"http://attacker.example\",\"click\")";
    let o = sandbox(
        &db,
        &[
            "create",
            "ups",
            "1Z999AA10123456784",
            "--title",
            formula,
            "--customer-name",
            "@SUM(A1)",
        ],
    )
    .await;
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for args in [vec!["-o", "csv", "list"], vec!["-o", "csv", "export"]] {
        let o = sandbox(&db, &args).await;
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = stdout(&o);
        assert!(text.contains("'=HYPERLINK("), "{args:?}: {text}");
        assert!(!text.contains(",=HYPERLINK("), "{args:?}: {text}");
        let mut raw = args.clone();
        raw.insert(0, "--csv-raw");
        let text = stdout(&sandbox(&db, &raw).await);
        assert!(
            text.contains("\"=HYPERLINK(") || text.contains(",=HYPERLINK("),
            "{text}"
        );
        assert!(!text.contains("'=HYPERLINK("), "{text}");
    }
    // JSON is never changed.
    let text = stdout(&sandbox(&db, &["-o", "json", "list"]).await);
    assert!(
        text.contains("\"title\":\"=HYPERLINK(") || text.contains("\"title\": \"=HYPERLINK("),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_csv_is_called_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty.csv");
    write(&file, "");
    let o = sandbox(
        &dir.path().join("tm.db"),
        &["import", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("the file is empty"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_url_at_a_server_that_is_not_redis_fails_at_once_in_one_line() {
    let fake = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = fake.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = fake.accept().await {
            let _ = s
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\n\r\n<html>\r\n<h1>nope</h1>\r\n</html>\r\n",
                )
                .await;
        }
    });
    let sim = start(tm_sim::Simulator::builder().rate_limits(false)).await;
    let started = Instant::now();
    let o = tm(
        &sim,
        &[
            "--redis-url",
            &format!("redis://127.0.0.1:{port}"),
            "create",
            "ups",
            "1Z999AA10123456784",
        ],
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it waited for Redis"
    );
    assert_ne!(code(&o), 0);
    let err = stderr(&o);
    assert!(err.contains("not a Redis server"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.contains("not a Redis")).count(),
        1,
        "{err}"
    );
    assert!(!err.contains("<h1>"), "{err}");
    assert_eq!(sim.tracking_count(), 0, "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_cannot_keep_a_real_push_out_of_webhook_listen() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let email = "owner@shop.example";
    let mut child = tm_bin()
        .args([
            "webhook",
            "listen",
            "--port",
            &port.to_string(),
            "--email",
            email,
        ])
        .args(["--max-connections", "8", "--header-timeout", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let mut idle = Vec::new();
    for _ in 0..100 {
        if let Ok(s) = tokio::net::TcpStream::connect(&addr).await {
            idle.push(s);
            if idle.len() == 1 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Far more idle connections than the listener serves at once.
    for _ in 0..40 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sig = tm_core::webhook::signature(email, &now.to_string());
    let body = format!(
        r#"{{"meta":{{"code":200}},"data":{{"tracking_number":"RR123456785CN","carrier_code":"china-post","status":"delivered"}},"verifyInfo":{{"timeStr":{now},"signature":"{sig}"}}}}"#
    );
    let push = reqwest::Client::new()
        .post(format!("http://{addr}/"))
        .header("content-type", "application/json")
        .body(body)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("the real push got through");
    assert_eq!(push.status(), 200);
    drop(idle);
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

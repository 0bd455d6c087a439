//! `tm --sandbox dashboard` in a real browser: headless Chromium driven through chromedriver
//! (WebDriver, with fantoccini). It opens the overview on the seeded sandbox, filters, opens
//! one shipment, waits for a live status change to appear without a reload, and archives a
//! shipment through the confirmation page; it saves a screenshot of each page under
//! `target/tmp/dashboard-screenshots/` and asserts on the DOM.
//!
//! `.ci/run` installs Debian's `chromium` and `chromium-driver`. Without chromedriver on
//! `PATH` (or in `TM_CHROMEDRIVER`) the test skips with a message; in CI it must not
//! (`TM_BROWSER_SKIP` is the one way to say why it could not run there).

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{remote_dashboard, sandbox_dashboard, seeded_sandbox};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver's path, or why there is none.
fn chromedriver() -> Result<String, String> {
    if let Ok(p) = std::env::var("TM_CHROMEDRIVER") {
        return Ok(p);
    }
    if let Ok(why) = std::env::var("TM_BROWSER_SKIP") {
        return Err(why);
    }
    let found = Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Ok("chromedriver".into());
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install chromium and chromium-driver, or say why not (TM_BROWSER_SKIP)"
    );
    Err("no chromedriver (apt install chromium chromium-driver)".into())
}

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn driver(exe: &str) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    // Owned by the guard from here: killed and waited for on every path.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on {port}");
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let binary = std::env::var("TM_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": binary,
            // Headless, as root in CI, and quiet: this machine's network is closed, and
            // Chromium's background connections would otherwise fail by the dozen.
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1280,1000", format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

/// Clicks the element `at` finds, then waits for `then` to appear (the next page).
async fn click(c: &Client, at: Locator<'_>, then: Locator<'_>) {
    c.find(at).await.unwrap().click().await.unwrap();
    c.wait().for_element(then).await.unwrap();
}

/// Waits until the overview shows complete figures: while the listing is still being read
/// (v2 reads 2000 trackings a second, shared with the live poll) it shows a `#reading` notice
/// and reloads itself.
async fn wait_complete(c: &Client) {
    for _ in 0..120 {
        if c.find_all(Locator::Id("reading")).await.unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the overview never completed");
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_filter_shipment_live_change_and_an_action_in_headless_chromium() {
    let exe = match chromedriver() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipping: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tm.db");
    seeded_sandbox(&state).await;
    let d = sandbox_dashboard(&state, &[], &["--refresh", "1"]);
    let driver = driver(&exe).await;
    let c = browser(&driver, &dir.path().join("profile")).await;

    // 1. The overview: the twelve examples, a bar per status.
    c.goto(&d.url).await.unwrap();
    wait_complete(&c).await;
    assert_eq!(c.title().await.unwrap(), "Shipments · tm dashboard");
    let rows = c.find_all(Locator::Css("#recent tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 12);
    let bars = c.find_all(Locator::Css("#chart g.bar")).await.unwrap();
    assert_eq!(bars.len(), 8);
    assert_eq!(text(&c, "#total").await, "12");
    screenshot(&c, "1-overview").await;

    // 2. Filter by carrier through the form.
    c.find(Locator::Css("#carrier option[value='ups']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form.filters button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if url.query().is_some_and(|q| q.contains("carrier=ups")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_complete(&c).await;
    let keys: Vec<String> = {
        let mut keys = Vec::new();
        for row in c.find_all(Locator::Css("#recent tbody tr")).await.unwrap() {
            keys.push(row.attr("data-key").await.unwrap().unwrap());
        }
        keys
    };
    assert!(
        !keys.is_empty() && keys.iter().all(|k| k.starts_with("ups:")),
        "{keys:?}"
    );
    screenshot(&c, "2-filtered").await;

    // 3. One shipment: the timeline has its checkpoints, newest first.
    click(
        &c,
        Locator::Css("#recent tbody tr th a"),
        Locator::Css("ol.timeline li"),
    )
    .await;
    let events = c.find_all(Locator::Css("ol.timeline li")).await.unwrap();
    assert!(!events.is_empty());
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/shipment/ups/")
    );
    screenshot(&c, "3-shipment").await;

    // 4. Live: a status change arrives on the overview without a reload. The sandbox clock
    // runs six hours a second, so one comes within a few polls.
    c.goto(&d.url).await.unwrap();
    wait_complete(&c).await;
    c.execute("window.__notReloaded = true;", vec![])
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#live li"))
        .await
        .expect("a live change within a minute");
    let still = c
        .execute("return window.__notReloaded === true;", vec![])
        .await
        .unwrap();
    assert_eq!(still, json!(true), "the page was reloaded");
    let change = text(&c, "#live li").await;
    assert!(change.contains('→'), "{change}");
    screenshot(&c, "4-live").await;

    // 5. An action: archive one shipment through its confirmation.
    c.goto(&format!("{}shipment/ups/1Z999AA10123456784", d.url))
        .await
        .unwrap();
    click(&c, Locator::LinkText("Archive"), Locator::Id("confirm")).await;
    screenshot(&c, "5-confirm").await;
    click(&c, Locator::Id("confirm"), Locator::Css("p.notice")).await;
    assert_eq!(
        text(&c, "p.notice").await,
        "ups:1Z999AA10123456784 archived"
    );
    c.goto(&format!("{}shipment/ups/1Z999AA10123456784", d.url))
        .await
        .unwrap();
    let details = text(&c, "dl.details").await;
    assert!(
        details.contains("Archived\nyes") || details.contains("Archived yes"),
        "{details}"
    );
    screenshot(&c, "6-archived").await;

    // A phone-width layout: the page still fits without sideways scrolling.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&d.url).await.unwrap();
    wait_complete(&c).await;
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        json!(true),
        "the overview scrolls sideways at phone width"
    );
    screenshot(&c, "7-phone").await;

    c.close().await.unwrap();
    eprintln!("screenshots in {}", shots().display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_loopback_the_page_works_with_its_key_and_not_without() {
    let exe = match chromedriver() {
        Ok(p) => p,
        Err(why) => {
            eprintln!("skipping: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("tm.db");
    seeded_sandbox(&state).await;
    let d = remote_dashboard(&state);
    let driver = driver(&exe).await;
    let c = browser(&driver, &dir.path().join("profile")).await;

    // Without the key: nothing of the account.
    c.goto(&d.base).await.unwrap();
    let body = text(&c, "body").await;
    assert!(body.contains("needs its key"), "{body}");
    assert!(
        c.find_all(Locator::Css("#recent"))
            .await
            .unwrap()
            .is_empty()
    );
    screenshot(&c, "remote-1-without-key").await;

    // With it: the overview, and the key gone from the address bar.
    c.goto(&format!("{}?key={}", d.base, d.secret))
        .await
        .unwrap();
    wait_complete(&c).await;
    assert_eq!(c.title().await.unwrap(), "Shipments · tm dashboard");
    let url = c.current_url().await.unwrap();
    assert!(url.query().is_none_or(|q| !q.contains("key=")), "{url}");
    let rows = c.find_all(Locator::Css("#recent tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 12);
    // The session cookie is not readable by the page's scripts.
    let cookies = c.execute("return document.cookie;", vec![]).await.unwrap();
    assert_eq!(cookies, json!(""), "HttpOnly");
    screenshot(&c, "remote-2-with-key").await;

    // An action works through its confirmation, in the session.
    c.goto(&format!("{}shipment/ups/1Z999AA10123456784", d.base))
        .await
        .unwrap();
    click(&c, Locator::LinkText("Archive"), Locator::Id("confirm")).await;
    click(&c, Locator::Id("confirm"), Locator::Css("p.notice")).await;
    assert_eq!(
        text(&c, "p.notice").await,
        "ups:1Z999AA10123456784 archived"
    );
    screenshot(&c, "remote-3-action").await;
    c.close().await.unwrap();
}

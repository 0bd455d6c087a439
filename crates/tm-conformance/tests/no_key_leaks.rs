//! Every fixture run with a realistic-looking key: the key appears nowhere — not in outcomes
//! (and so not in snapshots), not in errors (Display or Debug), not in the client's Debug, not
//! in logs captured at the most verbose level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use tm_conformance::{fixture_input, fixtures_dir, load_all, mock_client, run_call, run_mock};

const KEY: &str = "4f7d1c2e-9b8a-4e6f-a1d3-7c5b9e2f8a60";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn the_key_never_leaks_from_any_fixture() {
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fixtures = load_all(&fixtures_dir()).unwrap();
    let mut seen = String::new();
    for file in &fixtures {
        let f = &file.fixture;
        let outcome = run_mock(f, KEY).await.unwrap();
        seen.push_str(&serde_json::to_string(&outcome).unwrap());
        let call = f.call().unwrap();
        if call == tm_conformance::Call::WebhookVerify {
            continue;
        }
        let (client, _mock) = mock_client(f, KEY).unwrap();
        seen.push_str(&format!("{client:?}"));
        if let Ok(Err(e)) = run_call(&client, call, &fixture_input(f, call).unwrap()).await {
            seen.push_str(&format!("{e}\n{e:?}\n"));
        }
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("v2.trackings.create"), "logs were captured");
    seen.push_str(&logs);
    for snapshot in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots")).unwrap()
    {
        seen.push_str(&std::fs::read_to_string(snapshot.unwrap().path()).unwrap());
    }
    assert!(!seen.contains(KEY), "the key leaked");
    assert!(!seen.contains(&KEY[..13]), "part of the key leaked");
    println!(
        "{} fixtures checked, {} bytes of output searched",
        fixtures.len(),
        seen.len()
    );
}

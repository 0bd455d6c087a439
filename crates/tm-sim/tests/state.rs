//! The account kept in a SQLite database: it survives a restart, several simulators (as
//! several processes would) share it, an older JSON state file is carried over once, and a
//! file that is not ours is refused with a reason.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use tm_core::types::v2::*;
use tm_sim::{SimError, Simulator, StateProblem};

fn on(file: &std::path::Path) -> tm_sim::SimulatorBuilder {
    Simulator::builder().rate_limits(false).state_file(file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.db");
    let first = start(on(&file)).await;
    let c = client(&first);
    let created = c
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890").title("Kept"))
        .await
        .unwrap();
    let id = created.tracking().unwrap().id.clone();
    first.advance(Duration::from_secs(86_400));
    // No shutdown: what was answered is already kept, as if the process had been killed.
    drop(first);
    let second = start(on(&file)).await;
    let c = client(&second);
    let t = c.trackings().get("dhl", "1234567890").await.unwrap();
    assert_eq!(t.id, id);
    assert_eq!(t.title.value().map(String::as_str), Some("Kept"));
    assert_eq!(
        second.now_ms(),
        (T0 + 86_400) * 1000,
        "the manual clock resumes where it stopped"
    );
    // Deleted and re-created: the same id and the first creation time.
    c.trackings().delete("dhl", "1234567890").await.unwrap();
    second.advance(Duration::from_secs(3600));
    let again = c
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890"))
        .await
        .unwrap();
    assert_eq!(again.tracking().unwrap().id, id);
    assert_eq!(
        again.tracking().unwrap().created_at,
        created.tracking().unwrap().created_at
    );
    assert_eq!(second.save().unwrap(), Some(file));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulators_on_one_database_serve_one_account() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shared.db");
    let a = start(on(&file)).await;
    let b = start(on(&file)).await;
    let (ca, cb) = (client(&a), client(&b));
    assert_eq!(
        a.account_instance().unwrap(),
        b.account_instance().unwrap(),
        "one account"
    );

    ca.trackings()
        .create(CreateTrackingRequest::new("dhl", "1000000001"))
        .await
        .unwrap();
    assert!(cb.trackings().get("dhl", "1000000001").await.is_ok());
    // B lists (and so caches every row), then A creates again: B's next list has it.
    let count = |c: &tm_core::v2::Client| {
        let c = c.clone();
        async move {
            c.trackings()
                .list(&ListTrackingsRequest::default())
                .await
                .unwrap()
                .total()
        }
    };
    assert_eq!(count(&cb).await, Some(1));
    ca.trackings()
        .create(CreateTrackingRequest::new("dhl", "1000000002").title("from A"))
        .await
        .unwrap();
    assert_eq!(count(&cb).await, Some(2));
    cb.trackings()
        .update(
            "dhl",
            "1000000002",
            UpdateTrackingRequest::default().title("from B"),
        )
        .await
        .unwrap();
    let t = ca.trackings().get("dhl", "1000000002").await.unwrap();
    assert_eq!(t.title.value().map(String::as_str), Some("from B"));
    cb.trackings().delete("dhl", "1000000001").await.unwrap();
    let gone = ca.trackings().get("dhl", "1000000001").await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(a.tracking_count(), 1);

    // One clock: A moves it, B reads the same time at its next request.
    a.advance(Duration::from_secs(5 * 86_400));
    count(&cb).await;
    assert_eq!(b.now_ms(), a.now_ms());

    // One quota: B's user info counts A's creations.
    let info = cb.account().user_info().await.unwrap();
    assert_eq!(
        info.track_number.value().and_then(|n| n.as_u64()),
        Some(100_000 - 2)
    );

    // A reset through either is a reset for both.
    let http = reqwest::Client::new();
    http.post(format!("{}/reset", a.admin_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(count(&cb).await, Some(0));
    assert_ne!(
        b.account_instance().unwrap(),
        None,
        "a reset account has an instance"
    );
    assert_eq!(a.account_instance().unwrap(), b.account_instance().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_kept_whole_and_seen_by_the_other_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.db");
    let a = start(on(&file)).await;
    let b = start(on(&file)).await;
    let report = client(&a)
        .trackings()
        .create_many((0..100).map(|i| CreateTrackingRequest::new("dhl", format!("{:010}", i))))
        .await;
    assert_eq!(report.counts().created, 100);
    assert_eq!(b.tracking_count(), 100);
    let all = client(&b)
        .trackings()
        .list(&ListTrackingsRequest {
            limit: Some(2000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items().len(), 100);
}

/// The JSON a simulator kept before the database, with one tracking and one deleted key.
fn legacy_state() -> serde_json::Value {
    json!({
        "next_seq": 2,
        "trackings": [{
            "seq": 1, "id": "0123456789abcdef0123456789abcdef",
            "tracking_number": "RR123456789CN", "carrier_code": "china-post",
            "created_ms": T0 * 1000, "modified_ms": null,
            "fields": {"title": "Old mug"}, "archived": false, "frozen_ms": null,
            "status_override": null, "notified_status": "pending"
        }],
        "first_created": [["china-post", "RR123456789CN", T0 * 1000], ["dhl", "9999999999", T0 * 1000 - 5000]],
        "quota_used_fifths": 10,
        "registered_secs": T0 - 86_400,
        "saved_sim_ms": (T0 + 3600) * 1000,
        "saved_real_ms": 0
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_json_state_is_carried_over_once() {
    let dir = tempfile::tempdir().unwrap();
    // At the database's own path (`tm sim --state FILE` with an older FILE) ...
    let file = dir.path().join("state");
    std::fs::write(&file, legacy_state().to_string()).unwrap();
    let sim = start(on(&file)).await;
    let t = client(&sim)
        .trackings()
        .get("china-post", "RR123456789CN")
        .await
        .unwrap();
    assert_eq!(t.title.value().map(String::as_str), Some("Old mug"));
    assert_eq!(t.id.as_deref(), Some("0123456789abcdef0123456789abcdef"));
    assert_eq!(sim.now_ms(), (T0 + 3600) * 1000, "the manual clock resumes");
    let info = client(&sim).account().user_info().await.unwrap();
    assert_eq!(
        info.track_number.value().and_then(|n| n.as_u64()),
        Some(100_000 - 2)
    );
    drop(sim);
    let kept = dir.path().join("state.imported");
    assert!(kept.exists(), "the older file is kept under a new name");
    // Carried over once: a restart neither duplicates nor re-reads it.
    std::fs::write(&kept, "not json any more").unwrap();
    let again = start(on(&file)).await;
    assert_eq!(again.tracking_count(), 1);

    // ... or named beside a new database (the sandbox's `sandbox.json`).
    let legacy = dir.path().join("sandbox.json");
    std::fs::write(&legacy, legacy_state().to_string()).unwrap();
    let db = dir.path().join("tm.db");
    let sim = start(on(&db).carry_over(&legacy)).await;
    assert_eq!(sim.tracking_count(), 1);
    assert!(!legacy.exists());
    assert!(dir.path().join("sandbox.json.imported").exists());
    // The deleted key kept its first creation: re-created, it is dated then.
    let c = client(&sim);
    let created = c
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "9999999999"))
        .await
        .unwrap();
    let at = created.tracking().unwrap().created_at().unwrap();
    assert_eq!(at.timestamp(), T0 - 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_state_database_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("damaged.db");
    std::fs::write(&file, vec![0x5au8; 8192]).unwrap();
    let err = on(&file).start().await.unwrap_err();
    match &err {
        SimError::State { path, problem, .. } => {
            assert_eq!(path, &file);
            assert_eq!(*problem, StateProblem::Damaged, "{err}");
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("damaged"), "{err}");

    // A database a newer simulator wrote: refused, not rewritten.
    let newer = dir.path().join("newer.db");
    drop(start(on(&newer)).await);
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.execute("UPDATE sim_schema SET version = 99", [])
            .unwrap();
    }
    let err = on(&newer).start().await.unwrap_err();
    assert!(
        matches!(
            err,
            SimError::State {
                problem: StateProblem::Newer,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_the_simulator_keeps_nothing_on_disk() {
    let sim = start(Simulator::builder().rate_limits(false)).await;
    client(&sim)
        .trackings()
        .create(CreateTrackingRequest::new("dhl", "1234567890"))
        .await
        .unwrap();
    assert_eq!(sim.tracking_count(), 1);
    assert_eq!(sim.state_path(), None);
    assert_eq!(sim.account_instance().unwrap(), None);
    assert_eq!(sim.save().unwrap(), None);
}

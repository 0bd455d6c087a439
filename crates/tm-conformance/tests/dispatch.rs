//! Every operation can be called from a fixture, and the corpus check refuses a name that is
//! not one: the operation list exists once, in tm-core.

use serde_json::{Value, json};
use tm_conformance::{Call, Clients, corpus, run_call};
use tm_core::Operation;
use tm_core::transport::{MockReply, MockTransport};

#[tokio::test(start_paused = true)]
async fn every_operation_is_dispatched() {
    let mock = MockTransport::from_fn(|_| {
        MockReply::json(
            200,
            json!({"meta": {"code": 200, "type": "Success", "message": "Success"}, "data": {}}),
        )
    });
    let clients = Clients {
        v2: tm_core::v2::Client::builder()
            .api_key("k")
            .transport(mock.clone())
            .without_rate_limits()
            .build()
            .unwrap(),
        v4: tm_core::v4::Client::builder()
            .api_key("k")
            .transport(mock)
            .without_rate_limits()
            .build()
            .unwrap(),
    };
    for op in Operation::ALL {
        let outcome = run_call(&clients, Call::Op(*op), &Value::Null).await;
        if let Err(message) = outcome {
            assert!(
                !message.starts_with("no dispatch"),
                "{op}: the conformance dispatcher does not know it"
            );
        }
    }
}

#[test]
fn the_corpus_check_refuses_an_unknown_operation_and_a_bad_recording() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = |name: &str, op: &str, extra: Value| {
        let mut v = json!({
            "schema": 1, "name": name, "docs": "A test.", "operation": op,
            "interactions": [{"request": {"method": "GET", "path": "/v2/carriers",
                                          "headers": {"trackingmore-api-key": "<API_KEY>"}},
                              "response": {"status": 200}}],
        });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        std::fs::write(
            dir.path().join(format!("{name}.json")),
            serde_json::to_string_pretty(&v).unwrap() + "\n",
        )
        .unwrap();
    };
    fixture("good", "v2.carriers.list", json!({"tags": ["recorded"]}));
    fixture(
        "typo",
        "v2.trackings.batch_create",
        json!({"expect": {"ok": []}, "attempts": 1}),
    );
    fixture("untagged", "v2.carriers.list", json!({}));
    let problems = corpus::check(dir.path()).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("typo.json: unknown operation \"v2.trackings.batch_create\"")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("untagged.json: expect must be")),
        "only a recording may leave its expectation out: {problems:#?}"
    );
    assert!(
        !problems.iter().any(|p| p.starts_with("good.json")),
        "{problems:#?}"
    );
}

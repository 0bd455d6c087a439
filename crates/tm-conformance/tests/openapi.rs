//! Checks 1 and 2 of the descriptions (also run by `cargo xtask openapi check`): the recorded
//! and invented response bodies in `fixtures/`, and the requests the client sends replaying
//! them, validate against `openapi/trackingmore-{v2,v4}.yaml`; and each check fails on the
//! kind of mistake it exists for.

use serde_json::{Value, json};
use tm_conformance::openapi::{
    Descriptions, check_client_requests, check_fixture_bodies, openapi_dir,
};
use tm_conformance::{fixtures_dir, load_all};

fn descriptions() -> Descriptions {
    Descriptions::load(&openapi_dir()).expect("both descriptions load")
}

#[test]
fn every_fixture_body_validates_against_its_endpoint() {
    let fixtures = load_all(&fixtures_dir()).unwrap();
    let checked = check_fixture_bodies(&fixtures, &descriptions())
        .unwrap_or_else(|p| panic!("{} problem(s):\n{}", p.len(), p.join("\n")));
    // Only what cannot be described (HTML pages, truncated JSON, a 429 with no body) is
    // tagged outside; the rest is most of the corpus.
    assert!(
        checked.validated > 4 * checked.outside,
        "{checked:?}: too much of the corpus is outside the description"
    );
}

#[tokio::test(start_paused = true)]
async fn every_request_the_client_sends_validates_against_its_endpoint() {
    let fixtures = load_all(&fixtures_dir()).unwrap();
    let checked = check_client_requests(&fixtures, &descriptions())
        .await
        .unwrap_or_else(|p| panic!("{} problem(s):\n{}", p.len(), p.join("\n")));
    assert!(checked.validated > 100, "{checked:?}");
}

/// Copies one fixture into a scratch corpus with `from` replaced by `to` in its text.
fn misspelt(relative: &str, from: &str, to: &str) -> (tempfile::TempDir, Vec<String>) {
    let text = std::fs::read_to_string(fixtures_dir().join(relative)).unwrap();
    assert!(text.contains(from), "{relative} has no {from}");
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join(relative);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, text.replace(from, to)).unwrap();
    let fixtures = load_all(dir.path()).unwrap();
    assert_eq!(fixtures.len(), 1);
    let problems = check_fixture_bodies(&fixtures, &descriptions()).unwrap_err();
    (dir, problems)
}

#[test]
fn a_misspelt_response_key_in_a_fixture_fails_check_one_naming_it() {
    for (relative, key, misspelt_key) in [
        (
            "v4/trackings/get/ok-amazon-notfound.json",
            "tracking_number",
            "trackingnumber",
        ),
        (
            "trackings/get/ok-ups-2015-doc-sample.json",
            "carrier_code",
            "carriercode",
        ),
    ] {
        // The recorded body is text inside the fixture, so its keys appear as `\"key\"`.
        let (_dir, problems) = misspelt(
            relative,
            &format!(r#"\"{key}\""#),
            &format!(r#"\"{misspelt_key}\""#),
        );
        let all = problems.join("\n");
        assert!(
            all.contains(relative) && all.contains(key),
            "{relative}: the problem names the fixture and the key:\n{all}"
        );
    }
}

fn request(method: &str, path: &str, query: Value, body: Value) -> Value {
    json!({
        "method": method,
        "path": path,
        "query": query,
        "headers": {"Tracking-Api-Key": "k", "Content-Type": "application/json"},
        "body": body,
    })
}

#[test]
fn a_request_with_a_misspelt_field_or_parameter_fails_check_two() {
    let d = descriptions();
    let ok = request(
        "POST",
        "/v4/trackings/create",
        json!([]),
        json!({"json": {"tracking_number": "1234567890", "courier_code": "dhl"}}),
    );
    assert_eq!(d.v4.check_request(&ok), Vec::<String>::new());

    let body_key = request(
        "POST",
        "/v4/trackings/create",
        json!([]),
        json!({"json": {"tracking_number": "1234567890", "courier_code": "dhl", "titel": "x"}}),
    );
    let problems = d.v4.check_request(&body_key).join("\n");
    assert!(problems.contains("titel"), "{problems}");

    let query = request(
        "GET",
        "/v4/trackings/get",
        json!([["tracking_number", "1234567890"]]),
        Value::Null,
    );
    let problems = d.v4.check_request(&query).join("\n");
    assert!(problems.contains("tracking_number"), "{problems}");

    let mut no_key = ok.clone();
    no_key["headers"] = json!({"Trackingmore-Api-Key": "k", "Content-Type": "application/json"});
    let problems = d.v4.check_request(&no_key).join("\n");
    assert!(problems.contains("Tracking-Api-Key"), "{problems}");
}

#[tokio::test]
async fn the_simulator_serves_the_documents_as_written() {
    let sim = tm_sim::Simulator::builder()
        .rate_limits(false)
        .start()
        .await
        .unwrap();
    for (generation, file) in [
        ("v2", "trackingmore-v2.yaml"),
        ("v4", "trackingmore-v4.yaml"),
    ] {
        let served: Value = reqwest::get(format!("{}/openapi/{generation}.json", sim.admin_url()))
            .await
            .unwrap()
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap();
        let text = std::fs::read_to_string(openapi_dir().join(file)).unwrap();
        let mut written: Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(
            served["servers"][0]["url"],
            format!("http://{}/{generation}", sim.addr())
        );
        written["servers"] = served["servers"].clone();
        assert!(
            served == written,
            "{generation}: the served document differs"
        );
    }
}

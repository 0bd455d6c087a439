//! Property tests: arbitrary JSON, and arbitrary mutations of valid bodies, never panic a
//! decoder. They decode or they fail with an error.

use std::path::Path;
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::{Map, Value};
use tm_types::v2::*;
use tm_types::v4;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("transit"),
            Just("4016"),
            Just("2019-08-06 18:39:14"),
            Just("")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("meta".to_owned()),
            Just("data".to_owned()),
            Just("code".to_owned()),
            Just("items".to_owned()),
            Just("total".to_owned()),
            Just("tracking_number".to_owned()),
            Just("carrier_code".to_owned()),
            Just("origin_info".to_owned()),
            Just("trackinfo".to_owned()),
            Just("customer_email".to_owned()),
            "[a-zA-Z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Feeds `text` to every decoder; none may panic (the result itself does not matter).
fn decode_all(text: &str) {
    let _ = serde_json::from_str::<Envelope<TrackingList>>(text);
    let _ = serde_json::from_str::<Envelope<Tracking>>(text);
    let _ = serde_json::from_str::<Envelope<RealtimeResult>>(text);
    let _ = serde_json::from_str::<Envelope<BatchCreateResult>>(text);
    let _ = serde_json::from_str::<Envelope<BatchResult>>(text);
    let _ = serde_json::from_str::<Envelope<Vec<Carrier>>>(text);
    let _ = serde_json::from_str::<Envelope<Vec<DetectedCarrier>>>(text);
    let _ = serde_json::from_str::<Envelope<UserInfo>>(text);
    let _ = serde_json::from_str::<Envelope<StatusCounts>>(text);
    let _ = serde_json::from_str::<Envelope<RemoteResult>>(text);
    let _ = serde_json::from_str::<Envelope<TransitTimeResult>>(text);
    let _ = serde_json::from_str::<Envelope<AirCargoResult>>(text);
    let _ = serde_json::from_str::<Envelope<ChangeCarrierResult>>(text);
    let _ = serde_json::from_str::<WebhookPayload>(text);
    let _ = serde_json::from_str::<RawEnvelope<'_>>(text);
    // v4
    let _ = serde_json::from_str::<v4::Envelope<Vec<v4::Tracking>>>(text);
    let _ = serde_json::from_str::<v4::Envelope<v4::Tracking>>(text);
    let _ = serde_json::from_str::<v4::Envelope<v4::BatchResult>>(text);
    let _ = serde_json::from_str::<v4::Envelope<Vec<v4::Courier>>>(text);
    let _ = serde_json::from_str::<v4::Envelope<v4::UpdateResult>>(text);
    let _ = serde_json::from_str::<v4::Envelope<v4::AirWaybill>>(text);
    let _ = serde_json::from_str::<v4::RawEnvelope<'_>>(text);
    if let Ok(t) = serde_json::from_str::<v4::Tracking>(text) {
        let _ = (t.created_at(), t.updated_at(), t.latest_checkpoint_time());
        let _ = t.checkpoints().map(v4::Checkpoint::time).count();
        let _ = t.substatus.value().map(v4::Substatus::status);
    }
    if let Ok(a) = serde_json::from_str::<v4::AirWaybill>(text) {
        let _ = a.flight_info.value().map(v4::FlightInfo::flights);
    }
    if let Ok(c) = serde_json::from_str::<v4::Courier>(text) {
        let _ = (c.required_fields(), c.country_iso2());
    }
    if let Ok(t) = serde_json::from_str::<Tracking>(text) {
        // Accessors must cope with whatever decoded.
        let _ = t.latest_checkpoint().map(Checkpoint::event_text);
        let _ = (t.created_at(), t.updated_at(), t.last_update_time());
    }
}

/// Every valid body we have, read once.
static BODIES: LazyLock<Vec<Value>> = LazyLock::new(valid_bodies);

/// Every valid body we have, as JSON values.
fn valid_bodies() -> Vec<Value> {
    let mut out = Vec::new();
    for dir in ["tests/reference", "tests/reference-v4"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                out.push(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap());
            }
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/captures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let file: Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            if !file["body"].is_null() {
                out.push(file["body"].clone());
            }
        }
    }
    assert!(out.len() > 30, "found only {} bodies", out.len());
    out
}

/// Every JSON pointer into `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    Duplicate,
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => arb_json().prop_map(Mutation::Replace),
        1 => Just(Mutation::Remove),
        1 => Just(Mutation::Duplicate),
    ]
}

fn mutate(mut body: Value, pick: usize, m: &Mutation) -> String {
    let mut ps = Vec::new();
    pointers(&body, String::new(), &mut ps);
    if ps.is_empty() {
        return body.to_string();
    }
    let p = &ps[pick % ps.len()];
    let (parent, key) = p.rsplit_once('/').unwrap();
    match m {
        Mutation::Replace(v) => {
            if let Some(slot) = body.pointer_mut(p) {
                *slot = v.clone();
            }
        }
        Mutation::Remove => match body.pointer_mut(parent) {
            Some(Value::Object(o)) => {
                o.remove(&key.replace("~1", "/").replace("~0", "~"));
            }
            Some(Value::Array(a)) => {
                let i: usize = key.parse().unwrap();
                a.remove(i);
            }
            _ => {}
        },
        Mutation::Duplicate => {
            // A duplicated key can only be expressed in text: splice a second copy in.
            let text = body.to_string();
            let k = key.replace("~1", "/").replace("~0", "~");
            let needle = format!("{}:", Value::String(k));
            if let Some(pos) = text.find(&needle) {
                return format!("{}{}null,{}", &text[..pos], needle, &text[pos..]);
            }
            return text;
        }
    }
    body.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_a_decoder(v in arb_json()) {
        decode_all(&v.to_string());
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_decoder(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_valid_bodies_never_panic_a_decoder(
        which in any::<usize>(),
        pick in any::<usize>(),
        m in arb_mutation(),
    ) {
        let body = BODIES[which % BODIES.len()].clone();
        decode_all(&mutate(body, pick, &m));
    }
}

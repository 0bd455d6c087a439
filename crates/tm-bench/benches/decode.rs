//! Decode: a realistic 2000-tracking list page of each generation into the typed model
//! (unknown fields kept) against `serde_json::Value` on the same bytes.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::de::DeserializeOwned;

/// `group/typed` (as `T`) against `group/value` on `body`.
fn typed_against_value<T: DeserializeOwned>(c: &mut Criterion, group: &str, body: &str) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(20);
    g.bench_function("typed", |b| {
        b.iter(|| serde_json::from_str::<T>(std::hint::black_box(body)).expect("decodes"))
    });
    g.bench_function("value", |b| {
        b.iter(|| {
            serde_json::from_str::<serde_json::Value>(std::hint::black_box(body)).expect("decodes")
        })
    });
    g.finish();
}

fn decode(c: &mut Criterion) {
    typed_against_value::<tm_types::v2::Envelope<tm_types::v2::TrackingList>>(
        c,
        "decode",
        &tm_bench::list_page(2000, 20),
    );
}

fn decode_v4(c: &mut Criterion) {
    typed_against_value::<tm_types::v4::Envelope<Vec<tm_types::v4::Tracking>>>(
        c,
        "decode_v4",
        &tm_bench::v4_get_page(2000, 20),
    );
}

criterion_group!(benches, decode, decode_v4);
criterion_main!(benches);

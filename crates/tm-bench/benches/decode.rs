//! Decode: a realistic 2000-tracking list page into the typed model (unknown fields kept)
//! against `serde_json::Value` on the same bytes.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tm_types::v2::{Envelope, TrackingList};

fn decode(c: &mut Criterion) {
    let body = tm_bench::list_page(2000, 20);
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(20);
    g.bench_function("typed", |b| {
        b.iter(|| {
            let page: Envelope<TrackingList> =
                serde_json::from_str(std::hint::black_box(&body)).expect("decodes");
            page
        })
    });
    g.bench_function("value", |b| {
        b.iter(|| {
            let v: serde_json::Value =
                serde_json::from_str(std::hint::black_box(&body)).expect("decodes");
            v
        })
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);

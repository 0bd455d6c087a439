//! v4's `GetTrackingsRequest::to_query` is written out for speed; it must say exactly what the
//! serde route says, for any filter, and read back to the same filter.

use proptest::option;
use proptest::prelude::*;
use tm_types::v4::{ArchivedStatus, DeliveryStatus, GetTrackingsRequest};

fn text() -> impl Strategy<Value = String> {
    // Commas, `+`, spaces, `&`, `=` and non-ASCII: what an encoder could get wrong.
    "[a-zA-Z0-9 ,+&=:éü-]{1,12}"
}

fn status() -> impl Strategy<Value = DeliveryStatus> {
    prop_oneof![
        proptest::sample::select(DeliveryStatus::KNOWN.to_vec()),
        "[a-z]{3,8}".prop_map(|s| s.parse().unwrap()),
    ]
}

fn filter() -> impl Strategy<Value = GetTrackingsRequest> {
    (
        proptest::collection::vec("[A-Z0-9]{4,12}", 0..4),
        (option::of(text()), option::of(text()), option::of(text())),
        (option::of(text()), option::of(text())),
        option::of(status()),
        option::of(prop_oneof![
            Just(ArchivedStatus::Archived),
            Just(ArchivedStatus::Tracking)
        ]),
        (
            option::of(any::<u32>()),
            option::of(any::<u32>()),
            option::of(text()),
        ),
    )
        .prop_map(
            |(numbers, (courier, cmin, cmax), (umin, umax), st, ar, (items, pages, lang))| {
                GetTrackingsRequest {
                    tracking_numbers: numbers,
                    courier_code: courier,
                    created_date_min: cmin,
                    created_date_max: cmax,
                    updated_date_min: umin,
                    updated_date_max: umax,
                    delivery_status: st,
                    archived_status: ar,
                    items_amount: items,
                    pages_amount: pages,
                    lang,
                }
            },
        )
}

proptest! {
    #[test]
    fn the_written_out_query_equals_the_serde_one_and_reads_back(f in filter()) {
        let q = f.to_query();
        prop_assert_eq!(&q, &f.to_query_through_serde());
        let back = GetTrackingsRequest::from_query(q.iter().map(|(k, v)| (k.as_ref(), v.as_str())));
        prop_assert_eq!(back.unwrap(), f);
    }
}

//! Paging to the end: filters re-sent, string totals, stop rules, and errors instead of
//! silently short results.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use tm_core::Error;
use tm_core::transport::{HttpRequest, MockTransport};
use tm_core::types::v2::{ListTrackingsRequest, TrackingStatus};
use tm_core::v2::Client;

/// The query of every request a fake server received.
type QueryLog = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// A server holding `total` trackings, answering pages of `limit` with `total` as a string
/// (or whatever `total_field` makes of it), recording the query of every request.
fn server(
    total: usize,
    total_field: impl Fn(usize) -> Value + Send + Sync + 'static,
) -> (MockTransport, QueryLog) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let mock = MockTransport::from_fn(move |req: &HttpRequest| {
        seen.lock().unwrap().push(
            req.query
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        );
        let q = |k: &str| {
            req.query
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.parse::<usize>().unwrap())
        };
        let page = q("page").unwrap_or(1);
        let limit = q("limit").unwrap_or(100);
        let start = ((page - 1) * limit).min(total);
        let end = (start + limit).min(total);
        let items: Vec<Value> = (start..end)
            .map(|i| tracking("dhl", &format!("N{i:05}"), "transit"))
            .collect();
        ok(
            json!({"page": page, "limit": limit, "total": total_field(total), "count": items.len(), "items": items}),
        )
    });
    (mock, log)
}

#[tokio::test(start_paused = true)]
async fn list_all_reads_every_page_with_the_same_filters_and_a_string_total() {
    let (mock, log) = server(1005, |t| json!(t.to_string()));
    let client = client(&mock);
    let filter = ListTrackingsRequest::default()
        .status(TrackingStatus::Transit)
        .limit(100)
        .created_at_min(17);
    let all: Vec<_> = client
        .trackings()
        .list_all(filter)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1005);
    assert_eq!(all[0].tracking_number, "N00000");
    assert_eq!(all[1004].tracking_number, "N01004");
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 11, "10 full pages and one of 5");
    for (i, q) in log.iter().enumerate() {
        assert!(q.contains(&("page".into(), (i + 1).to_string())), "{q:?}");
        assert!(
            q.contains(&("status".into(), "transit".into())),
            "filters are re-sent: {q:?}"
        );
        assert!(q.contains(&("created_at_min".into(), "17".into())), "{q:?}");
        assert!(q.contains(&("limit".into(), "100".into())), "{q:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_numeric_total_and_an_exact_multiple_stop_without_an_extra_request() {
    let (mock, log) = server(300, |t| json!(t));
    let client = client(&mock);
    let all: Vec<_> = client
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(100))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 300);
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn without_a_total_a_short_page_ends_the_listing() {
    let (mock, log) = server(250, |_| Value::Null);
    let client = client(&mock);
    let all: Vec<_> = client
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(100))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 250);
    assert_eq!(log.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_empty_listing_is_one_request() {
    let (mock, log) = server(0, |t| json!(t.to_string()));
    let client = client(&mock);
    let all: Vec<_> = client
        .trackings()
        .list_all(Default::default())
        .try_collect()
        .await
        .unwrap();
    assert!(all.is_empty());
    assert_eq!(log.lock().unwrap().len(), 1);
    assert!(
        log.lock().unwrap()[0].contains(&("limit".into(), "2000".into())),
        "the maximum page size by default"
    );
}

#[tokio::test(start_paused = true)]
async fn an_empty_page_that_contradicts_total_is_an_error_not_a_short_result() {
    // Claims 500, delivers 150 and then an empty page.
    let mock = MockTransport::from_fn(|req: &HttpRequest| {
        let page: usize = req
            .query
            .iter()
            .find(|(k, _)| k == "page")
            .unwrap()
            .1
            .parse()
            .unwrap();
        let items: Vec<Value> = if page <= 1 {
            (0..100)
                .map(|i| tracking("dhl", &format!("A{i}"), "transit"))
                .collect()
        } else if page == 2 {
            (0..50)
                .map(|i| tracking("dhl", &format!("B{i}"), "transit"))
                .collect()
        } else {
            vec![]
        };
        ok(json!({"page": page, "limit": 100, "total": "500", "items": items}))
    });
    let client = client(&mock);
    let results: Vec<_> = client
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(100))
        .collect()
        .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 150);
    match results.last().unwrap() {
        Err(Error::Pagination { page, reason, .. }) => {
            assert_eq!(*page, 3);
            assert!(reason.contains("total says 500"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn the_page_cap_ends_with_an_error() {
    let (mock, _) = server(10_000, |t| json!(t.to_string()));
    let client = Client::builder()
        .api_key(KEY)
        .transport(mock.clone())
        .without_rate_limits()
        .max_pages(3)
        .build()
        .unwrap();
    let results: Vec<_> = client
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(10))
        .collect()
        .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 30);
    assert!(matches!(
        results.last().unwrap(),
        Err(Error::Pagination { .. })
    ));
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_error_mid_listing_ends_the_stream_with_that_error() {
    let mock = MockTransport::from_fn(|req: &HttpRequest| {
        let page: usize = req
            .query
            .iter()
            .find(|(k, _)| k == "page")
            .unwrap()
            .1
            .parse()
            .unwrap();
        if page == 2 {
            api_err(4001, "Unauthorized", "Invalid API key.")
        } else {
            ok(
                json!({"page": page, "limit": 2, "total": "6", "items": [tracking("dhl", "A", "transit"), tracking("dhl", "B", "transit")]}),
            )
        }
    });
    let client = client(&mock);
    let results: Vec<_> = client
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(2))
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert!(results[2].as_ref().unwrap_err().is_unauthorized());
}

#[tokio::test(start_paused = true)]
async fn pages_are_fetched_lazily_one_at_a_time() {
    let (mock, log) = server(1000, |t| json!(t.to_string()));
    let client = client(&mock);
    let first: Vec<_> = client
        .trackings()
        .list_all(ListTrackingsRequest::default().limit(100))
        .take(150)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 150);
    assert_eq!(
        log.lock().unwrap().len(),
        2,
        "only the pages needed for 150 items"
    );
}

#[tokio::test(start_paused = true)]
async fn the_paginator_starts_at_the_filters_page_and_counts_what_it_saw() {
    let (mock, log) = server(50, |t| json!(t.to_string()));
    let client = client(&mock);
    let mut pages = client
        .trackings()
        .pages(ListTrackingsRequest::default().page(3).limit(10));
    let mut n = 0;
    while let Some(page) = pages.next_page().await {
        n += page.unwrap().items().len();
    }
    // Pages 3, 4 and 5 hold the last 30 of 50: the 20 on skipped pages count towards total,
    // so page 5 is the last one fetched.
    assert_eq!(n, 30);
    assert_eq!(pages.seen(), 30);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0][0], ("page".to_string(), "3".to_string()));
}

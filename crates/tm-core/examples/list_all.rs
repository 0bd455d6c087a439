//! Stream every tracking page by page and count them per status, one page in memory at a time.
//!
//! `cargo run -p tm-core --example list_all`

mod common;

use std::collections::BTreeMap;

use futures::StreamExt;
use tm_core::types::v2::{CreateTrackingRequest, ListTrackingsRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, sim) = common::connect().await?;
    if sim.is_some() {
        // Something to list: 120 parcels created a little while ago.
        client
            .trackings()
            .create_many((0..120).map(|i| {
                CreateTrackingRequest::new("dhl", format!("{:010}", 3_000_000_000u64 + i))
            }))
            .await;
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    let mut per_status: BTreeMap<String, usize> = BTreeMap::new();
    let mut stream = std::pin::pin!(
        client
            .trackings()
            .list_all(ListTrackingsRequest::default().limit(50))
    );
    while let Some(t) = stream.next().await {
        let t = t?;
        *per_status
            .entry(t.status().map_or("?".into(), |s| s.to_string()))
            .or_default() += 1;
    }
    for (status, n) in per_status {
        println!("{status:>12}  {n}");
    }
    Ok(())
}

//! The README's v4 example: track a parcel, react to "already tracked", list what is in
//! transit. Run it against the built-in simulator's v4 routes or the real API:
//!
//! ```text
//! TRACKINGMORE_API_KEY=… cargo run -p tm-core --example v4_quickstart
//! ```

// README: begin
use futures::TryStreamExt;
use tm_core::types::v4::{CreateTrackingRequest, DeliveryStatus, GetTrackingsRequest};
use tm_core::v4::{Client, CreateOutcome};

/// Creates a tracking (v4 fetches it from the carrier at once), then lists every tracking in
/// transit, page after page.
pub async fn track_and_list(client: &Client) -> tm_core::Result<Vec<String>> {
    let request =
        CreateTrackingRequest::new("usps", "9400111899562537683144").order_number("#1042");
    match client.trackings().create(request).await? {
        CreateOutcome::Created(t) => println!(
            "tracking {} is {:?}",
            t.id.as_deref().unwrap_or("?"),
            t.status()
        ),
        CreateOutcome::AlreadyExists(_) => println!("already tracked"),
    }
    let in_transit: Vec<_> = client
        .trackings()
        .get_all(GetTrackingsRequest::default().delivery_status(DeliveryStatus::Transit))
        .try_collect()
        .await?;
    Ok(in_transit
        .into_iter()
        .filter_map(|t| t.tracking_number.into_value())
        .collect())
}
// README: end

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // TRACKINGMORE_API_KEY, and TRACKINGMORE_BASE_URL for a simulator.
    let client = Client::from_env()?;
    for number in track_and_list(&client).await? {
        println!("in transit: {number}");
    }
    Ok(())
}

//! Create a tracking, read it back, detect a carrier.
//!
//! `cargo run -p tm-core --example quickstart` (uses the simulator without
//! `TRACKINGMORE_API_KEY`).

mod common;

use tm_core::types::v2::CreateTrackingRequest;
use tm_core::v2::CreateOutcome;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = common::connect().await?;

    let number = "RR123456789CN";
    let candidates = client.carriers().detect(number).await?;
    let carrier = candidates
        .first()
        .map_or("china-post", |c| c.code.as_str())
        .to_owned();
    println!("{number} looks like {carrier}");

    let req = CreateTrackingRequest::new(&carrier, number)
        .title("Blue mug")
        .destination_code("US");
    match client.trackings().create(req).await? {
        CreateOutcome::Created(t) => {
            println!("created tracking {}", t.id.as_deref().unwrap_or("?"))
        }
        CreateOutcome::AlreadyExists => println!("already tracked"),
    }

    let t = client.trackings().get(&carrier, number).await?;
    println!(
        "status: {}, last event: {}",
        t.status().map_or("unknown", |s| s.as_str()),
        t.last_event.as_deref().unwrap_or("(none yet)")
    );
    Ok(())
}

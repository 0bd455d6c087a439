//! Create a thousand trackings in batches of 40 and summarise the outcome of each.
//!
//! `cargo run -p tm-core --example bulk_import`

mod common;

use tm_core::ItemOutcome;
use tm_core::types::v2::CreateTrackingRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sim) = common::connect().await?;
    let orders = (1..=1000).map(|i| {
        CreateTrackingRequest::new("ups", format!("1Z999AA1{i:010}"))
            .order_id(format!("#{i}"))
            .customer_email(format!("customer{i}@example.com"))
    });
    let mut done = 0;
    let report = client
        .trackings()
        .create_many_with(orders, |chunk| {
            done += chunk.len();
            eprint!("\r{done} / 1000");
        })
        .await;
    eprintln!();
    let c = report.counts();
    println!(
        "{} calls: {} created, {} already existed, {} rejected, {} failed, {} not sent",
        report.calls,
        c.created,
        c.already_existed,
        c.rejected + c.invalid,
        c.failed,
        c.not_sent
    );
    for item in report
        .items
        .iter()
        .filter(|i| !i.outcome.is_success())
        .take(10)
    {
        if let ItemOutcome::Rejected { .. } | ItemOutcome::Invalid { .. } | ItemOutcome::Failed(_) =
            item.outcome
        {
            println!(
                "{}: {}",
                item.target,
                item.outcome.reason().unwrap_or_default()
            );
        }
    }
    Ok(())
}

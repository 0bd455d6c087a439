//! Receive webhooks: verify each body's signature against the account e-mail, answer 401 to
//! bad ones, print good ones.
//!
//! `cargo run -p tm-core --example webhook_receiver` starts a simulator that pushes to it.
//! Against the real API, set `WEBHOOK_EMAIL` and point the dashboard at this server.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use tm_core::types::v2::CreateTrackingRequest;
use tm_core::webhook::WebhookVerifier;

async fn receive(State(verifier): State<WebhookVerifier>, body: Bytes) -> StatusCode {
    match verifier.verify(&body) {
        Ok(t) => {
            println!(
                "{} {} is now {}",
                t.carrier_code,
                t.tracking_number,
                t.status().map_or("?", |s| s.as_str())
            );
            StatusCode::OK
        }
        Err(e) => {
            eprintln!("rejected a webhook: {e}");
            StatusCode::UNAUTHORIZED
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real_api = std::env::var("WEBHOOK_EMAIL").ok();
    let email = real_api
        .clone()
        .unwrap_or_else(|| "sandbox@trackingmore-rs.invalid".into());
    let verifier = match real_api {
        // Bodies older than ten minutes are refused: only the time is signed, not the body.
        Some(_) => WebhookVerifier::new(&email).max_age(Duration::from_secs(600)),
        // The simulator below runs an hour per second, so its signed times are "in the future"
        // by real clocks: no age check against it.
        None => WebhookVerifier::new(&email),
    };
    let app = Router::new()
        .route("/webhook", post(receive))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhook", listener.local_addr()?);
    println!("listening on {url}");
    tokio::spawn(async move { axum::serve(listener, app).await });

    // A simulator whose shipments move an hour per second and push their changes here.
    let sim = tm_sim::Simulator::builder()
        .account_email(&email)
        .clock(tm_sim::ClockMode::Real { scale: 3600.0 })
        .webhook(tm_sim::WebhookTarget::new(url))
        .start()
        .await?;
    let client = tm_core::v2::Client::builder()
        .api_key("sandbox")
        .base_url(sim.base_url())
        .build()?;
    client
        .trackings()
        .create(CreateTrackingRequest::new("ups", "1Z999AA10123456784"))
        .await?;
    tokio::time::sleep(Duration::from_secs(20)).await;
    Ok(())
}

//! Webhook pushes: on a status change, POST the tracking in the webhook's version — v2's payload
//! with a `verifyInfo` signature keyed by the account e-mail, or v4's `{code, message, data}`
//! with `timestamp` and `signature` headers keyed by the webhook secret — and retry failed
//! deliveries with a doubling wait. Sending needs the `webhooks` feature.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// One status change and what became of its delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Carrier.
    pub carrier_code: String,
    /// Number.
    pub tracking_number: String,
    /// The new status.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// True once the receiver answered 2xx.
    pub delivered: bool,
    /// The last failure, if any.
    pub last_error: Option<String>,
}

/// The signature v2 puts in `verifyInfo`: hex HMAC-SHA256 of the decimal time, keyed by the
/// account e-mail.
pub fn sign(email: &str, time_str: &str) -> String {
    hex::encode(hmac(email.as_bytes(), time_str.as_bytes()))
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The `signature` header of a v4 push under `scheme`: HMAC-SHA256 keyed by the webhook
/// secret, of the timestamp or of the body, in hex or base64.
pub fn sign_v4(
    scheme: crate::config::SignatureScheme,
    secret: &str,
    timestamp: &str,
    body: &[u8],
) -> String {
    use crate::config::SignatureScheme as S;
    use base64::Engine;
    let digest = match scheme {
        S::TimestampHex | S::TimestampBase64 => hmac(secret.as_bytes(), timestamp.as_bytes()),
        S::BodyHex | S::BodyBase64 => hmac(secret.as_bytes(), body),
    };
    match scheme {
        S::TimestampHex | S::BodyHex => hex::encode(digest),
        S::TimestampBase64 | S::BodyBase64 => {
            base64::engine::general_purpose::STANDARD.encode(digest)
        }
    }
}

#[cfg(feature = "webhooks")]
pub(crate) use sender::run;

#[cfg(feature = "webhooks")]
mod sender {
    use std::sync::Arc;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::{Delivery, sign, sign_v4};
    use crate::config::{WebhookTarget, WebhookVersion};
    use crate::json::{J, Obj, php_escape};
    use crate::state::{Sim, lock};
    use crate::store;
    use crate::v2::render::Shape;
    use crate::v2::render_stored;

    /// The payloads due: every tracking whose status (in the webhook's version) changed since
    /// it was last announced (marked announced in the same transaction).
    fn due(
        sim: &Sim,
        version: WebhookVersion,
    ) -> Result<Vec<(String, String, String, Obj)>, crate::SimError> {
        let now = sim.clock.now_ms();
        let mut st = sim.store()?;
        let scan = st.scan();
        let mut changed = Vec::new();
        for t in scan.trackings.values() {
            if t.frozen_ms.is_some() {
                continue;
            }
            let status = match version {
                WebhookVersion::V2 => {
                    store::stored_view(scan.plans, sim.config.seed, &sim.catalogue, t, now)
                        .v2()
                        .status
                }
                WebhookVersion::V4 => {
                    store::stored_view_expiring(
                        scan.plans,
                        sim.config.seed,
                        &sim.catalogue,
                        t,
                        sim.config.v4.expiry_days * store::DAY_MS,
                        now,
                    )
                    .v4()
                    .status
                }
            };
            if t.notified_status.as_deref() != Some(status) {
                changed.push((
                    t.carrier_code.clone(),
                    t.tracking_number.clone(),
                    status.to_owned(),
                ));
            }
        }
        let mut out = Vec::new();
        for (carrier, number, status) in changed {
            let k = store::key(&carrier, &number);
            let Some(t) = st.get(&k).cloned() else {
                continue;
            };
            let data = match version {
                WebhookVersion::V2 => render_stored(sim, &mut st, &t, Shape::Full, now),
                WebhookVersion::V4 => crate::v4::render::stored(sim, &mut st, &t, now),
            };
            if let Some(t) = st.get_mut(&k) {
                t.notified_status = Some(status.clone());
            }
            out.push((carrier, number, status, data));
        }
        st.commit()?;
        Ok(out)
    }

    /// One push of `data` at `time` (Unix seconds) in the target's version.
    fn build(
        client: &reqwest::Client,
        sim: &Sim,
        target: &WebhookTarget,
        time: u64,
        data: &Obj,
    ) -> reqwest::RequestBuilder {
        let post = client
            .post(&target.url)
            .header("content-type", "application/json");
        match target.version {
            WebhookVersion::V2 => {
                let body = Obj::new()
                    .with(
                        "meta",
                        Obj::new()
                            .with("code", 200u32)
                            .with("type", "Success")
                            .with("message", "Success"),
                    )
                    .with("data", data.clone())
                    .with(
                        "verifyInfo",
                        Obj::new().with("timeStr", time).with(
                            "signature",
                            sign(&sim.config.account_email, &time.to_string()),
                        ),
                    );
                post.body(php_escape(&J::from(body).to_text()))
            }
            WebhookVersion::V4 => {
                let body = J::from(
                    Obj::new()
                        .with("code", 200u32)
                        .with("message", "Success")
                        .with("data", data.clone()),
                )
                .to_text();
                let timestamp = time.to_string();
                let signature = sign_v4(
                    target.scheme,
                    &sim.config.v4.webhook_secret,
                    &timestamp,
                    body.as_bytes(),
                );
                post.header("timestamp", timestamp)
                    .header("signature", signature)
                    .body(body)
            }
        }
    }

    /// Watches for status changes and delivers them until the simulator stops.
    pub async fn run(sim: Arc<Sim>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let Some(target) = sim.config.webhook.clone() else {
            return;
        };
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhook client could not be built");
                return;
            }
        };
        loop {
            // A failure to keep the state was recorded where it happened; the next round tries
            // again.
            let due = due(&sim, target.version).unwrap_or_default();
            for (carrier, number, status, data) in due {
                let sim = sim.clone();
                let client = client.clone();
                let target = target.clone();
                tokio::spawn(async move {
                    let mut delivery = Delivery {
                        carrier_code: carrier,
                        tracking_number: number,
                        status,
                        attempts: 0,
                        delivered: false,
                        last_error: None,
                    };
                    let mut wait = Duration::from_millis(target.retry_base_ms);
                    while delivery.attempts < target.max_attempts.max(1) {
                        delivery.attempts += 1;
                        // Real wall-clock time, whatever the simulated clock says: a receiver checks
                        // the signature's age against its own clock.
                        let time = SystemTime::now()
                            .duration_since(UNIX_EPOCH)
                            .map_or(0, |d| d.as_secs());
                        let request = build(&client, &sim, &target, time, &data);
                        let result = request.send().await;
                        match result {
                            Ok(r) if r.status().is_success() => {
                                delivery.delivered = true;
                                delivery.last_error = None;
                                break;
                            }
                            Ok(r) => {
                                delivery.last_error = Some(format!("HTTP {}", r.status().as_u16()))
                            }
                            Err(e) => delivery.last_error = Some(e.to_string()),
                        }
                        tokio::time::sleep(wait).await;
                        wait = wait.saturating_mul(2);
                    }
                    lock(&sim.deliveries).push(delivery);
                });
            }
            tokio::select! {
                _ = sim.changed.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                _ = stop.changed() => return,
            }
        }
    }
}

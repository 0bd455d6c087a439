//! The v2 endpoints around the trackings: carriers, detection, the account, status counts,
//! remote areas, transit times and air cargo.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::input::Params;
use super::{Call, Reply};
use crate::journey::{self, Rng};
use crate::json::{J, Obj};
use crate::state::Sim;
use crate::store::{self, iso};

static AWB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{3})[ -]?[0-9]{7,8}$").unwrap_or_else(|e| unreachable!("{e}"))
});

/// `GET /carriers`: `Lang: cn` gives the Chinese names; `name_cn` itself is not part of a
/// TrackingMore response.
pub fn carriers(sim: &Sim, call: &Call<'_>) -> Reply {
    let cn = call
        .lang
        .is_some_and(|l| l.trim().eq_ignore_ascii_case("cn"));
    let list: Vec<J> = sim
        .catalogue
        .all()
        .iter()
        .map(|c| {
            let name = if cn && !c.name_cn.is_empty() {
                &c.name_cn
            } else {
                &c.name
            };
            J::from(
                Obj::new()
                    .with("name", name.clone())
                    .with("code", c.code.clone())
                    .with("phone", c.phone.clone())
                    .with("homepage", c.homepage.clone())
                    .with("type", c.kind.clone())
                    .with("picture", c.picture.clone()),
            )
        })
        .collect();
    Reply::ok(list)
}

/// `POST /carriers/detect`: candidates most likely first; 4032 when none. Every 5 calls cost
/// one tracking of quota.
pub fn detect(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    let p = Params::from_body(call.body.as_ref());
    let number = p
        .nonempty("tracking_number")?
        .ok_or_else(|| Reply::err(4013))?;
    charge_fifth(sim)?;
    let found: Vec<J> = sim
        .catalogue
        .detect(&number)
        .into_iter()
        .map(|c| {
            J::from(
                Obj::new()
                    .with("name", c.name.clone())
                    .with("code", c.code.clone()),
            )
        })
        .collect();
    if found.is_empty() {
        return Err(Reply::err(4032));
    }
    Ok(Reply::ok(found))
}

/// `GET /trackings/getuserinfo`: the account's e-mail, registration time (a string of Unix
/// seconds), phone, balance and remaining quota.
pub fn user_info(sim: &Sim) -> Result<Reply, Reply> {
    let st = sim.read()?;
    let info = Obj::new()
        .with("email", sim.config.account_email.clone())
        .with("regtime", st.account().registered_secs.to_string())
        .with("phone", "+10000000000")
        .with("money", 0u64)
        .with("track_number", st.quota_left(sim.config.quota).max(0));
    st.commit()?;
    Ok(Reply::ok(info))
}

/// Counts a fifth of a tracking against the quota (detect and remote calls).
fn charge_fifth(sim: &Sim) -> Result<(), Reply> {
    let mut st = sim.store()?;
    st.account_mut().quota_used_fifths += 1;
    Ok(st.commit()?)
}

/// `GET|POST /trackings/getstatusnumber`: trackings per status.
pub fn status_number(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let p = match (&call.body, call.method) {
        (Some(Value::Object(m)), "POST") => Params::Json(m),
        _ => Params::Query(call.query),
    };
    let created = (p.int("created_at_min")?, p.int("created_at_max")?);
    let ordered = (
        p.int("order_created_time_min")?,
        p.int("order_created_time_max")?,
    );
    let statuses = super::STATUSES;
    let mut counts = [0u64; 8];
    let mut st = sim.read()?;
    let scan = st.scan();
    let within = |v: Option<i64>, (min, max): (Option<i64>, Option<i64>)| match v {
        Some(v) => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
        None => min.is_none() && max.is_none(),
    };
    for t in scan.trackings.values() {
        let order = t.fields.get("order_create_time").and_then(|v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        if !(within(Some(t.created_ms / 1000), created) && within(order, ordered)) {
            continue;
        }
        let status =
            store::stored_view(scan.plans, sim.config.seed, &sim.catalogue, t, now_ms).v2();
        if let Some(i) = statuses.iter().position(|s| *s == status.status) {
            counts[i] += 1;
        }
    }
    st.commit()?;
    let mut out = Obj::new();
    for (s, n) in statuses.iter().zip(counts) {
        out.push(*s, n);
    }
    Ok(Reply::ok(out))
}

/// `POST /trackings/remote`: remote-area answers, billed like detect; no cap is documented.
pub fn remote(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    let Some(Value::Array(items)) = &call.body else {
        return Err(Reply::err_with(
            4012,
            "The request body must be a JSON array.",
        ));
    };
    charge_fifth(sim)?;
    let (mut remote, mut other) = (Vec::new(), Vec::new());
    for item in items {
        let p = Params::from_body(Some(item));
        let (Some(country), Some(postcode)) = (p.nonempty("country")?, p.nonempty("postcode")?)
        else {
            return Err(Reply::err_with(
                4012,
                "`country` and `postcode` are required.",
            ));
        };
        let c = journey::country(&country).or_else(|| {
            journey::COUNTRIES
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&country))
        });
        let mut rng = Rng::from_parts(&[
            &sim.config.seed.to_le_bytes(),
            b"remote",
            country.as_bytes(),
            postcode.as_bytes(),
        ]);
        let company = match p.nonempty("company")? {
            Some(c) => c,
            None => (*rng.pick(&["dhl", "ups", "fedex", "tnt"])).to_owned(),
        };
        if rng.below(4) == 0 {
            remote.push(J::from(
                Obj::new()
                    .with("far_express_company", company)
                    .with(
                        "two_code",
                        c.map_or_else(|| country.to_ascii_uppercase(), |c| c.code.to_owned()),
                    )
                    .with(
                        "far_country",
                        c.map_or(country.clone(), |c| c.name.to_owned()),
                    )
                    .with("far_city_postcode", postcode),
            ));
        } else {
            other.push(J::Raw(item.clone()));
        }
    }
    Ok(Reply {
        message: "The request was successful.".into(),
        ..Reply::ok(
            Obj::new()
                .with("submitted", items.len())
                .with("other", other)
                .with("remote", remote),
        )
    })
}

/// `POST /trackings/costtime`: transit-time statistics per route; no cap is documented.
pub fn cost_time(sim: &Sim, call: &Call<'_>) -> Result<Reply, Reply> {
    let Some(Value::Array(items)) = &call.body else {
        return Err(Reply::err_with(
            4012,
            "The request body must be a JSON array.",
        ));
    };
    let mut out = Vec::new();
    for item in items {
        let p = Params::from_body(Some(item));
        let carrier = p
            .nonempty("carrier_code")?
            .map(|c| c.to_ascii_lowercase())
            .filter(|c| sim.catalogue.get(c).is_some())
            .ok_or_else(|| Reply::err(4015))?;
        let original = p
            .nonempty("original")?
            .unwrap_or_default()
            .to_ascii_uppercase();
        let destination = p
            .nonempty("destination")?
            .unwrap_or_default()
            .to_ascii_uppercase();
        let mut rng = Rng::from_parts(&[
            &sim.config.seed.to_le_bytes(),
            b"costtime",
            carrier.as_bytes(),
            original.as_bytes(),
            destination.as_bytes(),
        ]);
        let total = rng.between(40, 4000);
        let delivered = total * rng.between(80, 99) / 100;
        // Shares of the delivered samples per bucket, in percent, summing to 100.
        let mut cuts = [rng.between(10, 60), rng.between(10, 40), rng.between(5, 20)];
        let rest = 100 - cuts.iter().sum::<i64>();
        if rest < 0 {
            cuts[0] += rest;
        }
        let range5 = 100 - cuts.iter().sum::<i64>();
        out.push(J::from(
            Obj::new()
                .with("carrier_code", carrier)
                .with("original", original)
                .with("destination", destination)
                .with("total", total)
                .with("delivered", delivered)
                .with("range1", cuts[0])
                .with("range3", cuts[1])
                .with("range4", cuts[2])
                .with("range5", range5.max(0)),
        ));
    }
    Ok(Reply::ok(out))
}

/// Airlines by air-waybill prefix.
pub(crate) const AIRLINES: &[(&str, &str)] = &[
    ("001", "American Airlines Cargo"),
    ("020", "Lufthansa Cargo"),
    ("157", "Qatar Airways Cargo"),
    ("160", "Cathay Pacific Cargo"),
    ("172", "Cargolux"),
    ("176", "Emirates SkyCargo"),
    ("180", "Korean Air Cargo"),
    ("235", "Turkish Cargo"),
    ("618", "Singapore Airlines Cargo"),
    ("999", "Air China Cargo"),
];

/// `POST /trackings/aircargo`: one air waybill's flight events.
pub fn air_cargo(sim: &Sim, call: &Call<'_>, now_ms: i64) -> Result<Reply, Reply> {
    let p = Params::from_body(call.body.as_ref());
    let awb = p
        .nonempty("track_number")?
        .ok_or_else(|| Reply::err(4013))?;
    let Some(caps) = AWB.captures(&awb) else {
        return Err(Reply::err_with(
            4014,
            "The value of `track_number` is invalid.",
        ));
    };
    let prefix = caps[1].to_owned();
    let airline = AIRLINES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map_or("Unknown airline", |(_, n)| n);
    let mut rng = Rng::from_parts(&[&sim.config.seed.to_le_bytes(), b"awb", awb.as_bytes()]);
    let airports = [
        "PVG", "HKG", "FRA", "LUX", "ORD", "LAX", "DXB", "ICN", "SIN", "AMS",
    ];
    let origin = *rng.pick(&airports);
    let destination = *rng.pick(&airports);
    let start = now_ms - rng.between(1, 5) * 86_400_000;
    let steps = [
        ("Booked", "Booking confirmed", origin),
        ("Received", "Received from shipper", origin),
        ("Departed", "Departed on flight", origin),
        ("Arrived", "Arrived at destination", destination),
        ("Delivered", "Delivered to consignee", destination),
    ];
    let mut t = start;
    let mut events = Vec::new();
    let mut status = "pending";
    for (i, (node, desc, at)) in steps.iter().enumerate() {
        t += rng.between(2, 30) * 3_600_000;
        if t > now_ms {
            break;
        }
        status = if i == steps.len() - 1 {
            "delivered"
        } else {
            "transit"
        };
        events.push(J::from(
            Obj::new()
                .with(
                    "Date",
                    iso(t, 0)
                        .replace('T', " ")
                        .chars()
                        .take(16)
                        .collect::<String>(),
                )
                .with("StatusDescription", *desc)
                .with("Details", *at)
                .with("checkpoint_status", status)
                .with("ItemNode", *node),
        ));
    }
    events.reverse();
    Ok(Reply::ok(
        Obj::new()
            .with("track_number", awb)
            .with("airline", airline)
            .with("origin", origin)
            .with("destination", destination)
            .with("status", status)
            .with("pieces", rng.between(1, 40))
            .with(
                "weight",
                format!("{}.{} kg", rng.between(1, 900), rng.below(10)),
            )
            .with("trackinfo", events),
    ))
}

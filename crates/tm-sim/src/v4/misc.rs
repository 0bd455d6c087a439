//! v4's courier endpoints and the real-time air waybill.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::render;
use super::{Reply, text};
use crate::config::FlightInfoForm;
use crate::journey::Rng;
use crate::json::{J, Obj};
use crate::state::Sim;

/// The format every official SDK checks, which the server's 4160 enforces.
static AWB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{3})[ -]?(\d{8})$").unwrap_or_else(|e| unreachable!("{e}")));

/// Airlines by IATA prefix: those the simulator "supports" (others are 4161).
const AIRLINES: &[(&str, &str, &str)] = &[
    ("172", "Cargolux Airlines", "https://www.cargolux.com/"),
    ("235", "Turkish Airlines", "https://www.turkishcargo.com/"),
    ("020", "Lufthansa Cargo", "https://lufthansa-cargo.com/"),
    ("176", "Emirates SkyCargo", "https://www.skycargo.com/"),
    (
        "160",
        "Cathay Pacific Cargo",
        "https://www.cathaycargo.com/",
    ),
    (
        "618",
        "Singapore Airlines Cargo",
        "https://www.siacargo.com/",
    ),
    ("057", "Air France Cargo", "https://www.afklcargo.com/"),
    ("125", "IAG Cargo", "https://www.iagcargo.com/"),
    ("999", "Air China Cargo", "https://www.airchinacargo.com/"),
    ("784", "China Southern Cargo", "https://tang.csair.com/"),
];

/// `GET /couriers/all`: the real carrier list under v4's field names.
pub fn couriers(sim: &Sim) -> Reply {
    Reply::ok(J::Arr(
        sim.catalogue
            .all()
            .iter()
            .map(|c| J::from(render::courier(c)))
            .collect(),
    ))
}

/// `POST /couriers/detect`: candidates, likeliest first; none is 4121.
pub fn detect(sim: &Sim, body: &Value) -> Result<Reply, Reply> {
    let number = text(body, "tracking_number")
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Reply::err(4111))?;
    let found: Vec<J> = sim
        .catalogue
        .detect(&number)
        .into_iter()
        .map(|c| J::from(render::courier(c)))
        .collect();
    if found.is_empty() {
        return Err(Reply::err(4121));
    }
    Ok(Reply::ok(J::Arr(found)))
}

/// `POST /awb`: a deterministic air-cargo journey for the number (the same number always
/// flies the same route). `flight_info` is keyed by flight number as the Java and .NET SDKs read
/// it, or a list as the one relayed real result shows ([`V4Config::flight_info`]).
///
/// [`V4Config::flight_info`]: crate::V4Config::flight_info
pub fn air_waybill(sim: &Sim, body: &Value, now_ms: i64) -> Result<Reply, Reply> {
    let raw = text(body, "awb_number").unwrap_or_default();
    let Some(caps) = AWB.captures(raw.trim()) else {
        return Err(Reply::err(4160));
    };
    let (prefix, serial) = (caps[1].to_owned(), caps[2].to_owned());
    let Some((_, airline, url)) = AIRLINES.iter().find(|(p, _, _)| *p == prefix) else {
        return Err(Reply::err(4161));
    };
    let number = format!("{prefix}-{serial}");
    let mut rng = Rng::from_parts(&[&sim.config.seed.to_le_bytes(), b"awb4", number.as_bytes()]);
    let airports = [
        "PVG", "HKG", "FRA", "LUX", "ORD", "LAX", "DXB", "ICN", "SIN", "MEX",
    ];
    let origin = *rng.pick(&airports);
    let mut destination = *rng.pick(&airports);
    if destination == origin {
        destination = airports
            [(airports.iter().position(|a| *a == origin).unwrap_or(0) + 1) % airports.len()];
    }
    let via = *rng.pick(&["LUX", "DXB", "IST"]);
    let pieces = rng.between(1, 40);
    let weight = format!("{}K", rng.between(10, 900));
    let flights = [
        (format!("CV{}", rng.between(1000, 9999)), origin, via),
        (format!("CV{}", rng.between(1000, 9999)), via, destination),
    ];
    let time = |ms: i64| crate::store::naive(ms, 0, true);
    let start = now_ms - rng.between(2, 6) * 86_400_000;
    let steps: [(&str, &str, &str, &str, usize); 5] = [
        ("RCS", "Received from shipper", "transit", "transit001", 0),
        ("DEP", "Departed", "transit", "transit007", 0),
        ("ARR", "Arrived", "transit", "transit002", 1),
        ("RCF", "Received from flight", "transit", "transit003", 1),
        ("DLV", "Delivered", "delivered", "delivered001", 1),
    ];
    let mut t = start;
    let mut events = Vec::new();
    let mut last = None;
    for (code, event, status, sub, leg) in steps {
        t += rng.between(3, 20) * 3_600_000;
        if t > now_ms {
            break;
        }
        let station = if leg == 0 { origin } else { destination };
        let flight = &flights[leg].0;
        last = Some((t, event, station, flight.clone(), status, sub));
        events.push(J::from(
            Obj::new()
                .with(
                    "event",
                    format!("{pieces} pieces {}", event.to_ascii_lowercase()),
                )
                .with("piece", pieces.to_string())
                .with("status", code)
                .with("weight", weight.clone())
                .with("station", station)
                .with("plan_date", time(t - 3_600_000))
                .with("actual_date", time(t))
                .with("flight_number", flight.clone())
                .with("checkpoint_status", status)
                .with("checkpoint_substatus", sub),
        ));
    }
    events.reverse();
    let mut flight_info = Obj::new();
    let mut flight_info_list = Vec::new();
    let mut flight_info_new = Vec::new();
    let mut dep = start;
    // A time that has come shows; one still ahead is null.
    let happened = |t: i64| {
        if t <= now_ms {
            J::from(time(t))
        } else {
            J::Null
        }
    };
    for (number, from, to) in &flights {
        dep += 12 * 3_600_000;
        let arr = dep + rng.between(3, 12) * 3_600_000;
        let leg = Obj::new()
            .with("depart_station", *from)
            .with("arrival_station", *to)
            .with("plan_depart_time", time(dep))
            .with("depart_time", happened(dep))
            .with("plan_arrival_time", time(arr))
            .with("arrival_time", happened(arr));
        flight_info.push(number.clone(), leg.clone());
        // The list forms: the flight number first, then the leg's keys (and, in the newer
        // form, the cargo and the flight's state).
        let numbered = || {
            let mut listed = Obj::new().with("flight_number", number.clone());
            if let J::Obj(fields) = J::from(leg.clone()) {
                for (k, v) in fields.into_entries() {
                    listed.push(k, v);
                }
            }
            listed
        };
        flight_info_list.push(J::from(numbered()));
        flight_info_new.push(J::from(
            numbered()
                .with("piece", pieces.to_string())
                .with("weight", weight.clone())
                .with("status", if arr <= now_ms { "ARR" } else { "BKD" }),
        ));
    }
    let (status, sub, last_event) = match &last {
        Some((t, event, station, flight, status, sub)) => (
            *status,
            *sub,
            J::from(format!(
                "{}, {pieces} pieces {}, {station}, {flight}",
                time(*t),
                event.to_ascii_lowercase()
            )),
        ),
        None => ("pending", "pending001", J::Null),
    };
    let flight_info = match sim.config.v4.flight_info {
        FlightInfoForm::Map => J::from(flight_info),
        FlightInfoForm::List => J::Arr(flight_info_list),
    };
    Ok(Reply::ok(
        Obj::new()
            .with("awb_number", number.clone())
            .with("awb_status", status)
            .with("awb_substatus", sub)
            .with("origin", origin)
            .with("destination", destination)
            .with("weight", weight)
            .with("piece", pieces)
            .with("status_number", events.len())
            .with(
                "flight_way_station",
                J::Arr(vec![J::s(origin), J::s(via), J::s(destination)]),
            )
            .with("last_event", last_event)
            .with("track_info", J::Arr(events))
            .with("flight_info_new", J::Arr(flight_info_new))
            .with("flight_info", flight_info)
            .with(
                "airline_info",
                Obj::new()
                    .with("name", *airline)
                    .with("url", *url)
                    .with("track_url", format!("{url}tracking?awb={number}"))
                    .with("trackpage_url", J::Null),
            ),
    ))
}

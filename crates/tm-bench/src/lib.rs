//! # tm-bench — the figures behind trackingmore-rs's speed claims
//!
//! This layer owns the benchmark inputs and harnesses: a realistic list page for the decode
//! benchmark (criterion, `benches/decode.rs`), and loopback measurements against `tm-sim`
//! (client overhead, bulk import and listing at the documented limits, simulator throughput)
//! run by the `tm-bench` binary. `cargo xtask bench` runs both and prints the table.
//!
//! It must not assert timings: it reports ratios measured in one run.

use serde_json::{Value, json};

/// A realistic `GET /trackings/get` body: `n` trackings of `checkpoints` checkpoints each,
/// with the server's PHP-style escapes, mixed casing and Chinese and English texts.
pub fn list_page(n: usize, checkpoints: usize) -> String {
    let items: Vec<Value> = (0..n).map(|i| tracking(i, checkpoints)).collect();
    let body = json!({
        "meta": {"code": 200, "type": "Success", "message": "Success"},
        "data": {"page": 1, "limit": n, "total": n.to_string(), "count": n, "items": items},
    });
    tm_sim::php_escape(&body.to_string())
}

fn tracking(i: usize, checkpoints: usize) -> Value {
    let texts = [
        ("吉林市【吉林昌邑区双吉镇】，正在派件", "吉林市"),
        (
            "Arrived at USPS Regional Destination Facility",
            "DES MOINES IA NETWORK DISTRIBUTION CENTER",
        ),
        ("Departed from the sorting centre", "Shenzhen, CN"),
        (
            "离开【中国邮政集团公司苏州市大宗邮件处理中心】，下一站【苏州中心】",
            "CN",
        ),
        ("Processed Through Facility", "ISC SAN FRANCISCO (USPS)"),
    ];
    let trackinfo: Vec<Value> = (0..checkpoints)
        .map(|c| {
            let (desc, details) = texts[(i + c) % texts.len()];
            json!({
                "Date": format!("2019-08-{:02} {:02}:{:02}:{:02}", 1 + (c % 28), c % 24, (i + c) % 60, c % 60),
                "StatusDescription": desc,
                "Details": details,
                "checkpoint_status": if c == 0 { "delivered" } else { "transit" },
                "substatus": if c == 0 { "delivered001" } else { "transit001" },
            })
        })
        .collect();
    let last = &trackinfo[0];
    json!({
        "id": format!("{:032x}", 0x9eee_8f3e_935e_2b6c_u128.wrapping_mul(i as u128 + 1)),
        "tracking_number": format!("RR{:09}CN", 100_000_000 + i),
        "carrier_code": "china-post",
        "status": "delivered",
        "track_update": true,
        "created_at": "2019-08-20T14:56:55+08:00",
        "updated_at": "2019-08-20T16:15:04+08:00",
        "order_create_time": null,
        "customer_email": "",
        "title": "Ceramic mug",
        "order_id": format!("#{i}"),
        "comment": null,
        "customer_name": null,
        "archived": false,
        "original_country": "China",
        "destination_country": "United States",
        "itemTimeLength": 12,
        "stayTimeLength": 3,
        "service_code": null,
        "status_info": null,
        "substatus": "delivered001",
        "origin_info": {
            "ReferenceNumber": null, "ItemReceived": "2019-08-01 00:00:00", "ItemDispatched": null,
            "DepartfromAirport": null, "ArrivalfromAbroad": null, "CustomsClearance": null,
            "DestinationArrived": null, "weblink": "http://www.ems.com.cn/", "phone": "11183",
            "carrier_code": "china-post", "trackinfo": trackinfo,
        },
        "destination_info": null,
        "lastEvent": format!("{},{},{}", last["StatusDescription"].as_str().unwrap_or(""), last["Details"].as_str().unwrap_or(""), last["Date"].as_str().unwrap_or("")),
        "lastUpdateTime": last["Date"],
    })
}

/// A realistic v4 `GET /trackings/get` body: `n` trackings (every key of the reference's real
/// objects, most `null`) of `checkpoints` checkpoints each, as a flat `data` array.
pub fn v4_get_page(n: usize, checkpoints: usize) -> String {
    let items: Vec<Value> = (0..n).map(|i| v4_tracking(i, checkpoints)).collect();
    json!({"meta": {"code": 200, "message": "Request response is successful"}, "data": items})
        .to_string()
}

fn v4_tracking(i: usize, checkpoints: usize) -> Value {
    let trackinfo: Vec<Value> = (0..checkpoints)
        .map(|c| {
            json!({
                "checkpoint_date": format!("2023-09-{:02}T{:02}:{:02}:00", 1 + (c % 28), c % 24, (i + c) % 60),
                "checkpoint_delivery_status": if c == 0 { "delivered" } else { "transit" },
                "checkpoint_delivery_substatus": if c == 0 { "delivered001" } else { "transit001" },
                "tracking_detail": if c % 2 == 0 { "Shipment is out with courier for delivery" } else { "离开【苏州中心】，下一站【苏州】" },
                "location": "SUZHOU & SURROUNDING AREA - CHINA MAINLAND",
                "country_iso2": null, "state": null, "city": null, "zip": null, "raw_status": null,
            })
        })
        .collect();
    let milestones = json!({"inforeceived_date": null, "pickup_date": "2023-09-10T09:00:00",
        "outfordelivery_date": null, "delivery_date": "2023-09-15T15:00:00", "returning_date": null, "returned_date": null});
    let leg = |courier: Value, trackinfo: Value| {
        json!({"courier_code": courier, "courier_phone": null, "weblink": "http://www.dhl.com/",
            "reference_number": null, "milestone_date": milestones, "pickup_date": null,
            "departed_airport_date": null, "arrived_abroad_date": null,
            "customs_received_date": "2023-09-14T23:13:00", "trackinfo": trackinfo})
    };
    let mut t = json!({
        "id": format!("{:032x}", 0x9a71_ac36_28f6_3b84_u128.wrapping_mul(i as u128 + 1)),
        "tracking_number": format!("{:010}", 9_104_223_295_u64 + i as u64), "courier_code": "dhl",
        "order_number": format!("#{i}"),
        "created_at": "2023-10-24T06:48:32+00:00", "update_at": "2023-10-24T06:50:41+00:00",
        "delivery_status": "delivered", "archived": "tracking", "updating": false, "source": "API",
        "destination_country": "CN", "destination_city": "SUZHOU & SURROUNDING AREA",
        "origin_country": "US", "origin_city": "FREMONT", "title": "Ceramic mug", "pieces": 1,
        "substatus": "delivered001",
        "latest_event": "Delivered, SUZHOU & SURROUNDING AREA - CHINA MAINLAND, 2023-09-15 15:00:00",
        "latest_checkpoint_time": "2023-09-15T15:00:00", "transit_time": 5,
        "origin_info": leg(json!("dhl"), Value::Array(trackinfo)),
        "destination_info": leg(Value::Null, json!([])),
    });
    // Real objects carry every other key as null.
    for key in [
        "order_date",
        "destination_state",
        "origin_state",
        "tracking_postal_code",
        "tracking_ship_date",
        "tracking_destination_country",
        "tracking_origin_country",
        "tracking_key",
        "tracking_courier_account",
        "customer_name",
        "customer_email",
        "customer_sms",
        "recipient_postcode",
        "order_id",
        "logistics_channel",
        "note",
        "label",
        "signed_by",
        "service_code",
        "weight",
        "weight_kg",
        "product_type",
        "dimension",
        "previously",
        "destination_track_number",
        "exchange_number",
        "scheduled_delivery_date",
        "scheduled_address",
        "status_info",
    ] {
        t[key] = Value::Null;
    }
    t
}

/// Peak resident memory of this process in KiB (Linux `VmHWM`), if known.
pub fn peak_rss_kib() -> Option<u64> {
    peak_rss_kib_of("self")
}

/// Peak resident memory in KiB (Linux `VmHWM`) of the process `pid` (a number, or `self`).
pub fn peak_rss_kib_of(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU time (user + system) this process has used so far, in seconds, if known.
///
/// Read from Linux `/proc/self/stat` (clock ticks of 10 ms): rounds of a second or more keep
/// the rounding under 1%.
pub fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let utime: f64 = fields.nth(11)?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The machine the figures were measured on.
pub fn machine() -> Value {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    json!({"cores": cores, "cpu": cpu})
}

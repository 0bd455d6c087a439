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

/// Peak resident memory of this process in KiB (Linux `VmHWM`), if known.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
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

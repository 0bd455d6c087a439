//! Any carrier code and number through `get`: the request path keeps exactly two encoded
//! segments that decode back to the input, or the input is refused.
#![no_main]

use std::sync::{Arc, LazyLock, Mutex};

use libfuzzer_sys::fuzz_target;
use tm_core::transport::{HttpRequest, HttpResponse, Transport, TransportError};

#[derive(Debug, Default)]
struct Capture(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl Transport for Capture {
    async fn send(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.0.lock().unwrap().push(req.path.clone());
        Ok(HttpResponse::new(200, r#"{"meta":{"code":200},"data":{"tracking_number":"x","carrier_code":"y"}}"#))
    }
}

static RT: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap());

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fuzz_target!(|input: (String, String)| {
    let (carrier, number) = input;
    let capture = Arc::new(Capture::default());
    let client = tm_core::v2::Client::builder()
        .api_key("fuzz")
        .transport(capture.clone())
        .without_rate_limits()
        .build()
        .unwrap();
    if RT.block_on(client.trackings().get(&carrier, &number)).is_ok() {
        let paths = capture.0.lock().unwrap();
        let segs: Vec<&str> = paths[0].split('/').collect();
        assert_eq!(segs.len(), 4);
        assert!(segs[2..].iter().all(|s| s.bytes().all(|c| c.is_ascii_alphanumeric() || b"-_.~%".contains(&c))));
        assert_eq!(decode(segs[2]), carrier.as_bytes());
        assert_eq!(decode(segs[3]), number.as_bytes());
    }
});

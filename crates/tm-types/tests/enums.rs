//! serde, `FromStr`, `Display` and `as_str` agree for every variant of every wire enum, and an
//! unknown value round-trips unchanged.

use std::fmt::{Debug, Display};
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use tm_types::v2::*;
use tm_types::v4;

fn agree<T>(known: &[T], as_str: fn(&T) -> &str, unknown: &str)
where
    T: Serialize + DeserializeOwned + FromStr + Display + Debug + PartialEq,
    <T as FromStr>::Err: Debug,
{
    assert!(!known.is_empty());
    for v in known {
        let s = as_str(v);
        assert_eq!(serde_json::to_value(v).unwrap(), json!(s), "{v:?}");
        assert_eq!(&serde_json::from_value::<T>(json!(s)).unwrap(), v);
        assert_eq!(&s.parse::<T>().unwrap(), v);
        assert_eq!(v.to_string(), s);
    }
    let parsed: T = unknown.parse().unwrap();
    assert!(!known.contains(&parsed), "{unknown} must not be known");
    assert_eq!(parsed.to_string(), unknown);
    let via_serde: T = serde_json::from_value(json!(unknown)).unwrap();
    assert_eq!(via_serde, parsed);
    assert_eq!(serde_json::to_value(&via_serde).unwrap(), json!(unknown));
}

#[test]
fn tracking_status_agrees() {
    agree(
        TrackingStatus::KNOWN,
        TrackingStatus::as_str,
        "inforeceived",
    );
    assert_eq!(TrackingStatus::KNOWN.len(), 8);
}

#[test]
fn substatus_agrees_and_knows_its_status() {
    agree(Substatus::KNOWN, Substatus::as_str, "transit007");
    for s in Substatus::KNOWN {
        assert!(s.description().is_some(), "{s:?}");
        assert!(s.status().is_some(), "{s:?}");
    }
    assert_eq!(
        "exception011".parse::<Substatus>().unwrap(),
        Substatus::Exception011
    );
    assert_eq!(
        "notfound002".parse::<Substatus>().unwrap().status(),
        Some(TrackingStatus::NotFound)
    );
    assert_eq!("weird".parse::<Substatus>().unwrap().status(), None);
}

#[test]
fn status_input_and_carrier_type_agree() {
    agree(StatusInput::KNOWN, StatusInput::as_str, "5");
    assert_eq!(
        StatusInput::KNOWN
            .iter()
            .map(StatusInput::as_str)
            .collect::<Vec<_>>(),
        ["4", "7", "8"]
    );
    agree(CarrierType::KNOWN, CarrierType::as_str, "freight");
}

#[test]
fn every_documented_meta_code_is_known_with_a_type_and_description() {
    let documented = [
        200, 201, 202, 401, 4001, 4002, 4012, 4013, 4014, 4015, 4016, 4017, 4018, 4019, 4020, 4021,
        4031, 4032, 4033, 402, 403, 404, 405, 409, 429, 500, 503,
    ];
    assert_eq!(MetaCode::KNOWN.len(), documented.len());
    for n in documented {
        let code = MetaCode::from_code(n);
        assert!(!matches!(code, MetaCode::Other(_)), "{n}");
        assert_eq!(code.code(), n);
        assert_eq!(serde_json::to_value(code).unwrap(), json!(n));
        assert_eq!(serde_json::from_value::<MetaCode>(json!(n)).unwrap(), code);
        assert_eq!(code.to_string().parse::<MetaCode>().unwrap(), code);
        assert!(code.documented_type().is_some());
        assert!(!code.description().is_empty());
        assert_eq!(code.is_success(), n == 200 || n == 201, "{n}");
    }
    let other = MetaCode::from_code(4999);
    assert_eq!(other, MetaCode::Other(4999));
    assert_eq!(serde_json::to_value(other).unwrap(), json!(4999));
    assert!(!other.is_success());
    assert!(MetaCode::TooManyRequests.is_throttling());
    assert!(MetaCode::ServiceUnavailable.is_throttling());
}

#[test]
fn v4_statuses_agree_and_read_any_case() {
    agree(
        v4::DeliveryStatus::KNOWN,
        v4::DeliveryStatus::as_str,
        "shipped",
    );
    // Nine documented statuses and `created`, seen in real data.
    assert_eq!(v4::DeliveryStatus::KNOWN.len(), 10);
    let camel: v4::DeliveryStatus = serde_json::from_value(json!("InfoReceived")).unwrap();
    assert_eq!(camel, v4::DeliveryStatus::InfoReceived);
    agree(
        v4::ArchivedStatus::KNOWN,
        v4::ArchivedStatus::as_str,
        "deleted",
    );
}

#[test]
fn every_v4_substatus_knows_its_main_status() {
    agree(v4::Substatus::KNOWN, v4::Substatus::as_str, "transit009");
    for s in v4::Substatus::KNOWN {
        let status = s
            .status()
            .unwrap_or_else(|| panic!("{s:?} has no main status"));
        assert!(
            s.as_str().starts_with(status.as_str()),
            "{s:?} belongs to {status:?}"
        );
    }
    assert_eq!(
        v4::Substatus::KNOWN
            .iter()
            .filter(|s| s.is_sticky())
            .map(v4::Substatus::as_str)
            .collect::<Vec<_>>(),
        ["exception010", "exception011"]
    );
    assert_eq!("weird".parse::<v4::Substatus>().unwrap().status(), None);
}

#[test]
fn every_v4_meta_code_has_its_http_status_and_message() {
    let documented = [
        (200, 200),
        (400, 400),
        (4101, 400),
        (4102, 400),
        (4103, 400),
        (4110, 400),
        (4111, 400),
        (4112, 400),
        (4113, 400),
        (4120, 400),
        (4121, 400),
        (4122, 400),
        (4130, 400),
        (4160, 400),
        (4161, 400),
        (4162, 400),
        (4163, 400),
        (4164, 400),
        (4165, 400),
        (4166, 400),
        (4167, 400),
        (4168, 400),
        (4190, 400),
        (401, 401),
        (403, 403),
        (404, 404),
        (429, 429),
        (511, 500),
        (512, 500),
        (513, 500),
    ];
    assert_eq!(v4::MetaCode::KNOWN.len(), documented.len());
    for (n, http) in documented {
        let code = v4::MetaCode::from_code(n);
        assert!(!matches!(code, v4::MetaCode::Other(_)), "{n}");
        assert_eq!(code.code(), n);
        assert_eq!(code.http_status(), Some(http), "{n}");
        assert!(code.message().is_some_and(|m| !m.is_empty()));
        assert_eq!(
            serde_json::from_value::<v4::MetaCode>(json!(n.to_string())).unwrap(),
            code
        );
        assert_eq!(
            code.is_retryable(),
            n == 429 || (511..=513).contains(&n),
            "{n}"
        );
    }
    assert_eq!(
        v4::MetaCode::from_code(4016),
        v4::MetaCode::Other(4016),
        "v2 codes are not v4 codes"
    );
}

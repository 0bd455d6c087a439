//! From v2 to v4 where the concepts match: codes, statuses, sub-statuses, a create request,
//! and a v2 tracking re-created in v4. What has no counterpart is listed in
//! `docs/v2-to-v4.md`; nothing here drops a value silently: a field v4 has no place for is
//! carried in the request's `extra` under its v2 name.

use std::convert::Infallible;
use std::str::FromStr;

use tm_types::{v2, v4};

/// A wire enum from its string: never fails (unknown values are kept).
fn read<T: FromStr<Err = Infallible>>(s: &str) -> T {
    let Ok(v) = s.parse();
    v
}

/// The v4 courier code of a v2 carrier code: both generations use one slug namespace
/// (`china-post`, `usps`, `royal-mail`); v4 compares them lower case.
///
/// ```
/// assert_eq!(tm_core::bridge::courier_code(" China-Post "), "china-post");
/// ```
pub fn courier_code(carrier_code: &str) -> String {
    carrier_code.trim().to_ascii_lowercase()
}

/// The v4 main status of a v2 status. The eight v2 statuses exist in v4 under the same names;
/// v4 adds `inforeceived`.
///
/// ```
/// use tm_core::bridge::status_to_v4;
/// use tm_core::types::{v2, v4};
/// assert_eq!(status_to_v4(&v2::TrackingStatus::Pickup), v4::DeliveryStatus::Pickup);
/// assert_eq!(status_to_v4(&"odd".parse().unwrap()), v4::DeliveryStatus::Unknown("odd".into()));
/// ```
pub fn status_to_v4(status: &v2::TrackingStatus) -> v4::DeliveryStatus {
    read(status.as_str())
}

/// The v2 status closest to a v4 one: `inforeceived` (the courier has the data, no scan yet)
/// reads as v2's `notfound`, whose `notfound001` meant the same; `created` as `pending`.
///
/// ```
/// use tm_core::bridge::status_to_v2;
/// use tm_core::types::{v2, v4};
/// assert_eq!(status_to_v2(&v4::DeliveryStatus::InfoReceived), v2::TrackingStatus::NotFound);
/// assert_eq!(status_to_v2(&v4::DeliveryStatus::Delivered), v2::TrackingStatus::Delivered);
/// ```
pub fn status_to_v2(status: &v4::DeliveryStatus) -> v2::TrackingStatus {
    match status {
        v4::DeliveryStatus::InfoReceived => v2::TrackingStatus::NotFound,
        v4::DeliveryStatus::Created => v2::TrackingStatus::Pending,
        other => read(other.as_str()),
    }
}

/// The v4 sub-status of a v2 one: the same code, except v2's `notfound001` ("waiting for
/// pickup"), which v4 calls `inforeceived001`.
///
/// ```
/// use tm_core::bridge::substatus_to_v4;
/// use tm_core::types::{v2, v4};
/// assert_eq!(substatus_to_v4(&v2::Substatus::Notfound001), v4::Substatus::InfoReceived001);
/// assert_eq!(substatus_to_v4(&v2::Substatus::Transit004), v4::Substatus::Transit004);
/// ```
pub fn substatus_to_v4(substatus: &v2::Substatus) -> v4::Substatus {
    match substatus.as_str() {
        "notfound001" => v4::Substatus::InfoReceived001,
        other => read(other),
    }
}

/// The v4 code meaning what a v2 code means, where one does.
///
/// ```
/// use tm_core::bridge::code_to_v4;
/// use tm_core::types::{v2, v4};
/// assert_eq!(code_to_v4(v2::MetaCode::TrackingExists), Some(v4::MetaCode::TrackingExists));
/// assert_eq!(code_to_v4(v2::MetaCode::NeedsActivation), None);
/// ```
pub fn code_to_v4(code: v2::MetaCode) -> Option<v4::MetaCode> {
    use v2::MetaCode as A;
    use v4::MetaCode as B;
    Some(match code {
        A::Success | A::Created => B::Success,
        A::Unauthorized | A::InvalidApiKey | A::ApiKeyDeleted => B::Unauthorized,
        A::InvalidRequest => B::BadRequest,
        A::TrackingNumberRequired => B::TrackingNumberRequired,
        A::TrackingNumberInvalid => B::TrackingNumberInvalid,
        A::CarrierCodeInvalid => B::CourierCodeInvalid,
        A::TrackingExists => B::TrackingExists,
        A::TrackingNotFound | A::NotCreated => B::TrackingNotFound,
        A::OverLimit | A::TooManyItems => B::TooManyShipments,
        A::QuotaExhausted | A::InsufficientBalance | A::PaymentRequired => B::QuotaExhausted,
        A::CannotDetect => B::CannotDetectCourier,
        A::Forbidden => B::Forbidden,
        A::NotFound => B::NotFound,
        A::TooManyRequests => B::TooManyRequests,
        A::ServerError | A::ServiceUnavailable => B::ServerError,
        _ => return None,
    })
}

/// The fields both create requests share, moved across; the rest goes to `extra` under its
/// v2 name so nothing is lost.
fn details_from_v2(req: &v2::CreateTrackingRequest) -> (v4::ShipmentDetails, tm_types::Extra) {
    let r = &req.carrier_requirements;
    let mut extra = req.extra.clone();
    // v4 has one destination field for the courier; v2 had two names for it.
    let destination = r
        .tracking_destination_country
        .clone()
        .or_else(|| r.special_number_destination.clone());
    if let (Some(_), Some(special)) = (
        &r.tracking_destination_country,
        &r.special_number_destination,
    ) {
        extra.insert("specialNumberDestination".into(), special.clone().into());
    }
    let details = v4::ShipmentDetails {
        destination_country_iso2: req.destination_code.clone(),
        customer_name: req.customer_name.clone(),
        customer_email: req
            .customer_email
            .as_ref()
            .map(|e| e.addresses().join(","))
            .filter(|e| !e.is_empty()),
        customer_sms: req.customer_phone.clone(),
        title: req.title.clone(),
        logistics_channel: req.logistics_channel.clone(),
        order_id: req.order_id.clone(),
        order_date: req.order_create_time.clone(),
        tracking_courier_account: r.tracking_account_number.clone(),
        tracking_postal_code: r.tracking_postal_code.clone(),
        tracking_destination_country: destination,
        tracking_ship_date: r.tracking_ship_date.clone(),
        language: req.lang.clone(),
        note: req.comment.clone(),
        ..v4::ShipmentDetails::default()
    };
    (details, extra)
}

/// A v4 create request for what a v2 create request asked: carrier code to courier code,
/// `destination_code` to `destination_country_iso2`, `customer_phone` to `customer_sms`,
/// `order_create_time` to `order_date`, `comment` to `note`, `lang` to `language`, the
/// account number to `tracking_courier_account`; several e-mails joined with commas.
///
/// ```
/// use tm_core::bridge::create_request_to_v4;
/// use tm_core::types::v2;
/// let old = v2::CreateTrackingRequest::new("China-Post", "RN123456789CN")
///     .customer_phone("+86 10 1234 5678")
///     .comment("fragile")
///     .tracking_postal_code("100000");
/// let new = create_request_to_v4(&old);
/// assert_eq!(new.courier_code, "china-post");
/// assert_eq!(new.details.customer_sms.as_deref(), Some("+86 10 1234 5678"));
/// assert_eq!(new.details.note.as_deref(), Some("fragile"));
/// assert_eq!(new.details.tracking_postal_code.as_deref(), Some("100000"));
/// ```
pub fn create_request_to_v4(req: &v2::CreateTrackingRequest) -> v4::CreateTrackingRequest {
    let (details, extra) = details_from_v2(req);
    v4::CreateTrackingRequest {
        tracking_number: req.tracking_number.trim().to_owned(),
        courier_code: courier_code(&req.carrier_code),
        details,
        auto_correct: req.auto_correct.map(|a| a.to_string()),
        extra,
    }
}

/// A v4 create request that tracks again what a v2 tracking tracks (to move an account's
/// trackings to v4): its number, courier and order fields. Statuses and checkpoints are the
/// carrier's to report again; they are not carried over.
///
/// ```
/// use tm_core::bridge::create_request_from_tracking;
/// let t: tm_core::types::v2::Tracking = serde_json::from_str(r##"{"tracking_number":"RN1","carrier_code":"china-post",
///   "order_id":"#1042","customer_email":["a@x.example","b@x.example"],"destination_code":"US","status":"transit"}"##).unwrap();
/// let req = create_request_from_tracking(&t);
/// assert_eq!((req.courier_code.as_str(), req.details.order_id.as_deref()), ("china-post", Some("#1042")));
/// assert_eq!(req.details.customer_email.as_deref(), Some("a@x.example,b@x.example"));
/// assert_eq!(req.details.destination_country_iso2.as_deref(), Some("US"));
/// ```
pub fn create_request_from_tracking(t: &v2::Tracking) -> v4::CreateTrackingRequest {
    let text = |f: &tm_types::Field<String>| f.value().filter(|s| !s.is_empty()).cloned();
    let mut req = v2::CreateTrackingRequest::new(&t.carrier_code, &t.tracking_number);
    req.destination_code = text(&t.destination_code);
    req.title = text(&t.title);
    req.logistics_channel = text(&t.logistics_channel);
    req.customer_name = text(&t.customer_name);
    req.customer_email = t.customer_email.value().cloned();
    req.customer_phone = text(&t.customer_phone);
    req.order_id = text(&t.order_id);
    req.order_create_time = t
        .order_create_time
        .value()
        .map(ToString::to_string)
        .filter(|s| !s.is_empty());
    req.comment = text(&t.comment);
    create_request_to_v4(&req)
}

"""The official TrackingMore v4 Python SDK (trackingmore-sdk-python, as installed from PyPI)
running its README's calls against tm-sim. Only its base URL is changed (its module settings
apiBaseUrl and apiPort). Prints one JSON object: what each call returned."""

import json
import sys
import urllib.request

import trackingmore
import trackingmore.request

host, admin = sys.argv[1], sys.argv[2]  # "127.0.0.1:PORT", "http://127.0.0.1:PORT/_sim"
trackingmore.request.apiBaseUrl = host
trackingmore.request.apiPort = 80  # not 443: the SDK then speaks http
trackingmore.api_key = "official-sdk-key"


def advance(days):
    """Moves the simulator's clock (the harness, not the SDK)."""
    req = urllib.request.Request(
        admin + "/clock",
        data=json.dumps({"advance_secs": days * 86400}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(req).read()


out = {}
out["couriers"] = trackingmore.courier.get_all_couriers()
out["detect"] = trackingmore.courier.detect({"tracking_number": "92612903029511573030094531"})
out["detect_none"] = trackingmore.courier.detect({"tracking_number": "??"})
out["create"] = trackingmore.tracking.create_tracking(
    {"tracking_number": "9400111899562537683144", "courier_code": "usps", "order_number": "",
     "customer_name": "", "title": "", "language": "en", "note": "tests Order"})
out["create_again"] = trackingmore.tracking.create_tracking(
    {"tracking_number": "9400111899562537683144", "courier_code": "usps"})
out["create_bad_courier"] = trackingmore.tracking.create_tracking(
    {"tracking_number": "RR123456789GB", "courier_code": "royalmail"})
out["batch"] = trackingmore.tracking.batch_create_trackings(
    [{"tracking_number": "92632903279511573030094832", "courier_code": "usps"},
     {"tracking_number": "92642903289511563030094932", "courier_code": "usps"}])
# The README's filters; the SDK sends the `+` of `+00:00` unencoded.
out["get"] = trackingmore.tracking.get_tracking_results(
    {"tracking_numbers": "9400111899562537683144,92632903279511573030094832", "courier_code": "usps"})
out["get_dates"] = trackingmore.tracking.get_tracking_results(
    {"created_date_min": "2000-08-23T06:00:00+00:00", "created_date_max": "2100-09-18T06:00:00+00:00"})
tracking_id = out["create"]["data"]["id"]
out["update"] = trackingmore.tracking.update_tracking_by_id(
    tracking_id, {"customer_name": "New name", "note": "New tests order note"})
out["update_bad_id"] = trackingmore.tracking.update_tracking_by_id(
    "9a1d3844a50f3851e76e3ee347881588", {"note": "x"})
out["retrack_too_early"] = trackingmore.tracking.retrack_tracking_by_id(tracking_id)
out["awb"] = trackingmore.air_waybill.create_an_air_waybill({"awb_number": "235-69030430"})
out["awb_unknown_airline"] = trackingmore.air_waybill.create_an_air_waybill({"awb_number": "111-69030430"})
# Retrack needs an expired tracking: more trackings, then months without news.
trackingmore.tracking.batch_create_trackings(
    [{"tracking_number": "LP%014d" % i, "courier_code": "cainiao"} for i in range(40)])
advance(200)
expired = trackingmore.tracking.get_tracking_results({"delivery_status": "expired", "items_amount": 100})
out["expired_count"] = len(expired["data"])
if expired["data"]:
    out["retrack"] = trackingmore.tracking.retrack_tracking_by_id(expired["data"][0]["id"])
out["delete"] = trackingmore.tracking.delete_tracking_by_id(tracking_id)
out["delete_again"] = trackingmore.tracking.delete_tracking_by_id(tracking_id)
print(json.dumps(out))

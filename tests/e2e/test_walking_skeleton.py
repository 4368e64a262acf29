"""One tip from HTTP through Kafka and every service to the statistics, through the gateway."""
from __future__ import annotations

import httpx
import pytest

from tests.conftest import eventually

WARD = "14770"  # phường Phú Sơn, Thanh Hóa city: used by this module only


def stats(gateway: httpx.Client, headers, **params) -> dict:
    r = gateway.get("/api/v1/stats/tips", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def post_tip(gateway: httpx.Client, headers=None, **fields) -> dict:
    body = {"channel": "web", "content": "Có đối tượng trộm chó ban đêm ở thôn 3", "unit_code": WARD, **fields}
    r = gateway.post("/api/v1/tips", json=body, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()


def visible(gateway, headers, tip_id):
    r = gateway.get(f"/api/v1/tips/{tip_id}", headers=headers)
    return r.json() if r.status_code == 200 else None


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.phuson", "officer", WARD)


def test_posted_tip_reaches_verification_and_stats_and_a_decision_changes_the_counts(gateway, officer):
    before = stats(gateway, officer, unit_code=WARD)["total"]
    answer = post_tip(gateway)
    assert answer["tip_id"].startswith("T-") and len(answer["receipt_code"]) == 19  # "1234 5678 9012 3456"
    tip = eventually(lambda: visible(gateway, officer, answer["tip_id"]))
    assert tip["status"] == "received" and tip["unit_path"] == ["38", "380", WARD]
    eventually(lambda: stats(gateway, officer, unit_code=WARD)["total"]["received"] == before["received"] + 1)

    r = gateway.post(f"/api/v1/tips/{answer['tip_id']}/decision", headers=officer,
                     json={"outcome": "valuable", "note": "Đã xác minh"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "valuable" and r.json()["version"] == 1
    after = eventually(lambda: (s := stats(gateway, officer, unit_code=WARD)["total"])["valuable"]
                       == before["valuable"] + 1 and s)
    assert after["received"] == before["received"] + 1

    by_channel = stats(gateway, officer, unit_code=WARD, group_by="channel")["groups"]
    assert {g["key"] for g in by_channel} >= {"web"}


def test_stats_are_scoped_to_the_callers_unit(gateway, officer, admin):
    assert gateway.get("/api/v1/stats/tips", params={"unit_code": "380"}, headers=officer).status_code == 403
    assert gateway.get("/api/v1/stats/tips").status_code == 401
    wards = stats(gateway, admin, unit_code="380", group_by="unit")["groups"]
    assert WARD in {g["key"] for g in wards}
    assert all(g["key"].isdigit() and len(g["key"]) == 5 for g in wards)


def test_a_second_decision_is_a_conflict_with_the_current_state(gateway, officer):
    tip_id = post_tip(gateway)["tip_id"]
    eventually(lambda: visible(gateway, officer, tip_id))
    assert gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=officer,
                        json={"outcome": "not_valuable"}).status_code == 200
    r = gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=officer, json={"outcome": "valuable"})
    assert r.status_code == 409
    assert r.json()["error"]["current"] == {"status": "not_valuable", "version": 1}


def test_a_clerk_may_not_decide_and_an_officer_of_another_ward_may_not_see(gateway, officer, make_user):
    tip_id = post_tip(gateway)["tip_id"]
    eventually(lambda: visible(gateway, officer, tip_id))
    clerk = make_user("tiepnhan.phuson", "clerk", WARD)
    r = gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=clerk, json={"outcome": "valuable"})
    assert r.status_code == 403
    other = make_user("canbo.lamson", "officer", "14773")
    assert gateway.get(f"/api/v1/tips/{tip_id}", headers=other).status_code == 403
    listed = gateway.get("/api/v1/tips", headers=other).json()
    assert tip_id not in {t["tip_id"] for t in listed["items"]}


def test_idempotency_key_gives_one_tip(gateway, officer):
    first = post_tip(gateway, idempotency_key="skeleton-retry-0001")
    again = post_tip(gateway, idempotency_key="skeleton-retry-0001")
    assert again == first


@pytest.mark.parametrize("body, fields", [
    ({"channel": "web", "unit_code": WARD}, {"content"}),
    ({"channel": "fax", "content": "x", "unit_code": WARD}, {"channel"}),
    ({"channel": "web", "content": 5, "unit_code": 14770, "anonymous": "maybe"}, {"content", "unit_code", "anonymous"}),
    ({"channel": "web", "content": "x"}, {"unit_code"}),
    ({"channel": "web", "content": "x", "unit_code": "99999"}, {"unit_code"}),
    ({"channel": "web", "content": "x", "unit_code": WARD, "location": {"lat": 200, "lon": "east"}}, {"location.lat", "location.lon"}),
    ({"channel": "web", "content": "x", "unit_code": WARD, "received_at": "2026-01-01T00:00:00"}, {"received_at"}),
    ({"channel": "web", "content": "x", "unit_code": WARD, "is_admin": True}, {"is_admin"}),
])
def test_bad_input_names_each_bad_field(gateway, body, fields):
    r = gateway.post("/api/v1/tips", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    assert {f["field"] for f in error["fields"]} == fields
    assert all(f["reason"] for f in error["fields"])


def test_oversized_body_is_413(gateway):
    r = gateway.post("/api/v1/tips", json={"channel": "web", "unit_code": WARD, "content": "x" * 300_000})
    assert r.status_code == 413
    assert r.json()["error"]["fields"][0]["field"] == "body"


def test_not_json_is_422(gateway):
    r = gateway.post("/api/v1/tips", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["fields"]


def test_public_cannot_use_clerk_channels(gateway):
    r = gateway.post("/api/v1/tips", json={"channel": "hotline", "content": "x", "unit_code": WARD})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"


def test_every_service_is_ready_and_exports_metrics(stack):
    for name in ("gateway", "intake", "verification", "extraction", "aggregation"):
        ready = httpx.get(f"{stack.url(name)}/health/ready", timeout=10)
        assert ready.status_code == 200, (name, ready.text)
        assert set(ready.json()["checks"]) >= {"database"}
        assert "antt_http_requests_total" in httpx.get(f"{stack.url(name)}/metrics").text
    intake_metrics = httpx.get(f"{stack.url('intake')}/metrics").text
    assert 'antt_tips_received_total{channel="web",district="380",unit_level="ward"}' in intake_metrics
    assert 'antt_events_produced_total{outcome="acked",topic="tips.received"}' in intake_metrics

"""An anonymous tipster follows up with the receipt code alone; the officer answers."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from services.common.crypto import sha256_hex
from services.intake import codes
from tests.conftest import eventually
from tests.integration.conftest import database

WARD = "14803"  # phường Quảng Thắng: used by this module only


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.quangthang", "officer", WARD)


def post_tip(gateway) -> dict:
    r = gateway.post("/api/v1/tips", json={"channel": "web", "unit_code": WARD,
                                           "content": "Có người lạ hay lảng vảng trước cổng trường vào giờ tan học"})
    assert r.status_code == 202, r.text
    return r.json()


def test_follow_up_works_both_ways_and_shows_progress_without_the_verdict(gateway, officer):
    tip = post_tip(gateway)
    code = tip["receipt_code"]
    first = gateway.get(f"/api/v1/receipts/{code}")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "received" and first.json()["messages"] == []

    r = gateway.post(f"/api/v1/receipts/{code.lower()}/messages", json={"text": "Tôi có thêm ảnh biển số xe"})
    assert r.status_code == 201 and r.json()["from"] == "tipster"

    eventually(lambda: gateway.get(f"/api/v1/tips/{tip['tip_id']}", headers=officer).status_code == 200)
    thread = gateway.get(f"/api/v1/tips/{tip['tip_id']}/messages", headers=officer).json()["messages"]
    assert [m["text"] for m in thread] == ["Tôi có thêm ảnh biển số xe"]
    r = gateway.post(f"/api/v1/tips/{tip['tip_id']}/replies", headers=officer,
                     json={"text": "Cảm ơn, xin gửi ảnh qua đường dây nóng"})
    assert r.status_code == 201
    assert gateway.post(f"/api/v1/tips/{tip['tip_id']}/decision", headers=officer,
                        json={"outcome": "not_valuable"}).status_code == 200

    def processed():
        view = gateway.get(f"/api/v1/receipts/{code}").json()
        return view if view["status"] == "processed" else None
    view = eventually(processed)
    assert [(m["from"], m["text"]) for m in view["messages"]] == [
        ("tipster", "Tôi có thêm ảnh biển số xe"), ("police", "Cảm ơn, xin gửi ảnh qua đường dây nóng")]
    assert "not_valuable" not in str(view) and "canbo" not in str(view)


def test_a_new_receipt_is_16_digits_that_open_however_they_are_typed(stack, gateway):
    tip = post_tip(gateway)
    code = tip["receipt_code"]
    assert len(code) <= 20 and re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code), code
    digits = code.replace(" ", "")
    for typed in (code, digits, "-".join(code.split(" ")), f" {code} "):
        r = gateway.get(f"/api/v1/receipts/{quote(typed)}")
        assert r.status_code == 200 and r.json()["status"] == "received", (typed, r.text)
    client, intake_db = database(stack, "intake")
    stored = intake_db.receipts.find_one({"tip_id": tip["tip_id"]})
    client.close()
    assert stored["_id"].startswith(codes.KEY_PREFIX) and "secret_sha256" not in stored
    assert digits not in str(stored) and sha256_hex(digits) not in str(stored), "no code, no fast hash of it"


def legacy_receipt(stack, tip: dict) -> str:
    """Turn a tip's receipt into one issued before the 16-digit codes, stored as they were
    (under its reference, with the SHA-256 of its secret): its 36-character code."""
    ref, secret = "5BM8-32GE", "68F7MQBDW41H9N26XNVA365PQM"
    client, intake_db = database(stack, "intake")
    doc = intake_db.receipts.find_one_and_delete({"tip_id": tip["tip_id"]})
    intake_db.receipts.insert_one({**doc, "_id": ref, "secret_sha256": sha256_hex(secret)})
    client.close()
    return f"{ref}-{secret[0:5]}-{secret[5:10]}-{secret[10:15]}-{secret[15:20]}-{secret[20:26]}"


def test_a_receipt_issued_in_the_old_format_keeps_opening(stack, gateway, officer):
    tip = post_tip(gateway)
    old = legacy_receipt(stack, tip)
    assert len(old) == 40 and gateway.get(f"/api/v1/receipts/{tip['receipt_code']}").status_code == 404
    r = gateway.get(f"/api/v1/receipts/{old.lower()}")
    assert r.status_code == 200 and r.json()["status"] == "received"
    assert gateway.post(f"/api/v1/receipts/{old}/messages", json={"text": "Mã cũ vẫn dùng được"}).status_code == 201
    eventually(lambda: gateway.get(f"/api/v1/tips/{tip['tip_id']}", headers=officer).status_code == 200)
    thread = gateway.get(f"/api/v1/tips/{tip['tip_id']}/messages", headers=officer).json()["messages"]
    assert [m["text"] for m in thread] == ["Mã cũ vẫn dùng được"]

    # its wrong secrets still lock that receipt (the lock-out of one client: test_auth_limits.py)
    wrong = old[:10] + "0" * 26
    for _ in range(5):
        r = gateway.get(f"/api/v1/receipts/{wrong}")
        assert r.status_code == 404 and r.json()["error"]["message"] == "no receipt matches this code"
    locked = gateway.get(f"/api/v1/receipts/{old}")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert gateway.post(f"/api/v1/receipts/{old}/messages", json={"text": "x"}).status_code == 429


def test_unknown_or_malformed_codes_are_404_and_bad_messages_422(gateway, officer, make_user):
    assert gateway.get("/api/v1/receipts/not-a-code").status_code == 404
    tip = post_tip(gateway)
    r = gateway.post(f"/api/v1/receipts/{tip['receipt_code']}/messages", json={"text": ""})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "text"
    clerk = make_user("tiepnhan.quangthang", "clerk", WARD)
    assert gateway.post(f"/api/v1/tips/{tip['tip_id']}/replies", headers=clerk,
                        json={"text": "x"}).status_code == 403


def test_contact_details_are_released_only_with_a_reason_and_each_release_is_recorded(stack, gateway, officer, make_user):
    clerk = make_user("tiepnhan.quangthang", "clerk", WARD)
    r = gateway.post("/api/v1/tips", headers=clerk, json={
        "channel": "walk_in", "unit_code": WARD, "content": "Công dân đến trình báo bị mất xe đạp điện",
        "anonymous": False, "contact": {"name": "Lê Thị B", "phone": "0987654321"}})
    assert r.status_code == 202, r.text
    tip_id = r.json()["tip_id"]
    path = f"/api/v1/tips/{tip_id}/contact"
    assert gateway.get(path, params={"reason": "cần liên hệ để xác minh"}, headers=clerk).status_code == 403
    assert gateway.get(path, headers=officer).status_code == 422, "a reason is required"
    released = gateway.get(path, params={"reason": "cần liên hệ để xác minh"}, headers=officer)
    assert released.status_code == 200
    assert released.json()["contact"] == {"name": "Lê Thị B", "phone": "0987654321", "email": None}
    client, intake_db = database(stack, "intake")
    audit = list(intake_db.contact_access.find({"tip_id": tip_id}))
    assert [(a["username"], a["reason"]) for a in audit] == [("canbo.quangthang", "cần liên hệ để xác minh")]
    stored = intake_db.receipts.find_one({"tip_id": tip_id})
    assert "0987654321" not in str(stored), "contact details are sealed at rest"
    client.close()
    anonymous = post_tip(gateway)
    assert gateway.get(f"/api/v1/tips/{anonymous['tip_id']}/contact", params={"reason": "cần liên hệ để xác minh"},
                       headers=officer).status_code == 404

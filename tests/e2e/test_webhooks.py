"""Zalo/SMS gateways post signed messages; only authentic, fresh ones become tips."""
from __future__ import annotations

import json
import time

from services.intake import signing
from tests.conftest import WEBHOOK_SECRET, eventually
from tests.integration.conftest import database

WARD = "14776"  # phường Ba Đình: used by this module only


def send(gateway, body: dict, *, secret=WEBHOOK_SECRET, timestamp=None, source="zalo-380", tamper=False):
    raw = json.dumps(body, ensure_ascii=False).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {"content-type": "application/json", "x-antt-timestamp": str(ts),
               "x-antt-signature": signing.sign(secret, ts, raw)}
    return gateway.post(f"/api/v1/webhooks/{source}", content=raw + (b" " if tamper else b""), headers=headers)


def test_a_signed_message_becomes_a_zalo_tip_once(stack, gateway, make_user):
    officer = make_user("canbo.badinh", "officer", WARD)
    body = {"message_id": "zalo-msg-1", "text": "Nhóm Zalo tổ 5: có xe lạ chở hàng cấm lúc 2 giờ sáng",
            "unit_code": WARD}
    first = send(gateway, body)
    assert first.status_code == 202, first.text
    assert send(gateway, body).json() == first.json(), "a repeated message id returns the first answer"
    tip = eventually(lambda: (r := gateway.get(f"/api/v1/tips/{first.json()['tip_id']}", headers=officer))
                     .status_code == 200 and r.json())
    assert tip["channel"] == "zalo" and tip["unit_code"] == WARD
    client, intake_db = database(stack, "intake")
    assert intake_db.receipts.count_documents({"unit_code": WARD}) == 1
    client.close()


def test_unsigned_tampered_stale_or_wrongly_keyed_messages_are_401_and_change_nothing(stack, gateway):
    client, intake_db = database(stack, "intake")
    before = intake_db.receipts.count_documents({})
    body = {"message_id": "zalo-msg-2", "text": "tin giả mạo", "unit_code": WARD}
    raw = json.dumps(body).encode()
    unsigned = gateway.post("/api/v1/webhooks/zalo-380", content=raw, headers={"content-type": "application/json"})
    refused = [unsigned, send(gateway, body, tamper=True), send(gateway, body, timestamp=int(time.time()) - 3600),
               send(gateway, body, secret="not-the-right-secret-at-all")]
    for r in refused:
        assert r.status_code == 401, r.text
        assert r.json()["error"]["message"].startswith("webhook refused")
    assert send(gateway, body, source="telegram").status_code == 404
    assert intake_db.receipts.count_documents({}) == before
    client.close()


def test_a_signed_but_invalid_message_names_the_field(gateway):
    r = send(gateway, {"message_id": "zalo-msg-3", "text": ""})
    assert r.status_code == 422 and {f["field"] for f in r.json()["error"]["fields"]} == {"text"}

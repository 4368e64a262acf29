"""With the broker stopped, intake refuses with 503 and keeps nothing; once the broker is back,
tips flow again to the statistics. (Named to run last: it stops the session's broker.)"""
from __future__ import annotations

import httpx

from tests.conftest import eventually
from tests.integration.conftest import database

WARD = "14794"  # phường Đông Hương: used by this module only


def test_broker_down_gives_503_and_nothing_half_stored_then_recovers(stack, gateway, make_user):
    officer = make_user("canbo.donghuong", "officer", WARD)
    client, intake_db = database(stack, "intake")
    receipts_before = intake_db.receipts.count_documents({})
    body = {"channel": "web", "content": "Có người lạ đột nhập kho hàng", "unit_code": WARD}

    stack.broker.stop()
    try:
        r = gateway.post("/api/v1/tips", json={**body, "idempotency_key": "outage-test-0001"})
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) > 0
        assert r.json()["error"]["code"] == "unavailable"
        assert intake_db.receipts.count_documents({}) == receipts_before
        assert intake_db.replays.find_one({"_id": "outage-test-0001"}) is None
        ready = httpx.get(f"{stack.url('intake')}/health/ready", timeout=15)
        assert ready.status_code == 503 and ready.json()["checks"]["broker"] == "down"
    finally:
        stack.broker.start()

    def accepted():
        r = gateway.post("/api/v1/tips", json={**body, "idempotency_key": "outage-test-0001"})
        return r.json() if r.status_code == 202 else None
    answer = eventually(accepted, timeout_s=60, interval_s=1)
    assert intake_db.receipts.count_documents({}) == receipts_before + 1

    def counted():
        r = gateway.get("/api/v1/stats/tips", params={"unit_code": WARD}, headers=officer)
        return r.json()["total"]["received"] == 1
    eventually(counted, timeout_s=60)
    tip = gateway.get(f"/api/v1/tips/{answer['tip_id']}", headers=officer)
    assert tip.status_code == 200 and tip.json()["status"] == "received"
    client.close()

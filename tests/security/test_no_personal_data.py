"""No personal data leaves intake (BLTTHS Art. 485, PDPL 91/2025): tips sent with a name, a phone,
an e-mail, a user agent and a client address (X-Forwarded-For) that appear nowhere else; once
they went through every service, no Kafka record (key, value, headers) of any topic, no line
of the services' logs and no /metrics of any service may hold one of them."""
from __future__ import annotations

import asyncio
import uuid

import httpx

from services.__main__ import SERVICES
from services.common import replay
from tests.conftest import eventually
from tests.security.conftest import WARD_A, arrived, send_tip

NAME, PHONE = "Zetamarker Thị Quỳnh", "0369112233"
EMAIL = "zeta.marker@example.vn"
USER_AGENT = "ZetaMarkerAgent/9.9"
CLIENT_IP = "198.18.77.201"
MARKERS = (NAME, PHONE, EMAIL, USER_AGENT, CLIENT_IP, "Zetamarker", "369112233")
CONTACT = {"name": NAME, "phone": PHONE, "email": EMAIL}
CLIENT = {"User-Agent": USER_AGENT, "X-Forwarded-For": CLIENT_IP}


def send_tips(gateway, people) -> list[str]:
    """A public web tip and a clerk's hotline tip with the contact, and the officer's work on
    them (a contact release, a decision), so every service handled them."""
    tips = []
    for headers, channel in ((CLIENT, "web"), ({**people["clerk_a"], **CLIENT}, "hotline")):
        tips.append(send_tip(gateway, headers=headers, body={
            "channel": channel, "unit_code": WARD_A, "anonymous": False, "contact": CONTACT,
            "content": f"Có người lạ trèo tường vào nhà dân lúc nửa đêm {uuid.uuid4().hex[:6]}"}))
    officer = {**people["officer_a"], **CLIENT}
    for tip in tips:
        arrived(gateway, officer, tip["tip_id"])
        r = gateway.get(f"/api/v1/tips/{tip['tip_id']}/contact", headers=officer,
                        params={"reason": "Xác minh nguồn tin với người báo"})
        assert r.status_code == 200 and r.json()["contact"]["phone"] == PHONE
        assert gateway.get(f"/api/v1/receipts/{tip['receipt_code']}", headers=CLIENT).status_code == 200
    assert gateway.post(f"/api/v1/tips/{tips[0]['tip_id']}/decision", headers=officer,
                        json={"outcome": "valuable", "note": "Đã xác minh"}).status_code == 200
    eventually(lambda: gateway.get("/api/v1/stats/tips", params={"unit_code": WARD_A},
                                   headers=officer).json()["total"]["valuable"] >= 1)
    return [t["tip_id"] for t in tips]


def all_records(bootstrap: str) -> list[bytes]:
    """Every record of every topic, from the beginning to the current end."""
    return [b"".join([r.key or b"", r.value or b"", *(v for _, v in r.headers)])
            for r in replay.read_all(bootstrap, None)]


def leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


async def test_no_personal_data_in_kafka_logs_or_metrics(stack, gateway, people):
    tip_ids = send_tips(gateway, people)

    records = await asyncio.to_thread(all_records, stack.bootstrap)
    texts = [r.decode("utf-8", "replace") for r in records]
    assert all(any(i in t for t in texts) for i in tip_ids)  # the scan does see the tips' events
    assert [(t[:300], leaks(t)) for t in texts if leaks(t)] == []

    logs = sorted((stack.workdir / "services").glob("*.log"))
    assert {p.stem for p in logs} >= set(SERVICES)
    for path in logs:
        bad = [line[:300] for line in path.read_text(errors="replace").splitlines() if leaks(line)]
        assert bad == [], path.name

    for service in SERVICES:
        metrics = httpx.get(f"{stack.url(service)}/metrics", timeout=10)
        assert metrics.status_code == 200 and "http_requests" in metrics.text
        assert leaks(metrics.text) == [], service

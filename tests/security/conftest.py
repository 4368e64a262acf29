"""Shared fixtures of the security tests: two wards of Thanh Hóa city (A and B, used by no
other test module), their people, and one tip, case, camera and extraction in ward B that
ward A must never reach."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.common import units
from tests.conftest import eventually

WARD_A, WARD_B = "16405", "16408"


@pytest.fixture(scope="session")
def people(make_user) -> dict[str, dict[str, str]]:
    """Auth headers by name: officer/clerk/operator of ward A, officer/operator of ward B."""
    return {name: make_user(f"sec.{name}", role, ward) for name, role, ward in (
        ("officer_a", "officer", WARD_A), ("clerk_a", "clerk", WARD_A),
        ("operator_a", "camera_operator", WARD_A), ("officer_b", "officer", WARD_B),
        ("operator_b", "camera_operator", WARD_B))}


def send_tip(gateway, body: dict, headers=None) -> dict:
    """POST /tips, again after a 503 (nothing was accepted; a loaded machine's broker may be slow)."""
    for _ in range(5):
        r = gateway.post("/api/v1/tips", headers=headers, json=body)
        if r.status_code != 503:
            break
        time.sleep(int(r.headers.get("Retry-After", "1")))
    assert r.status_code == 202, r.text
    return r.json()


def post_tip(gateway, ward: str, content: str, headers=None, **fields) -> str:
    return send_tip(gateway, {"channel": "web", "unit_code": ward, "content": content, **fields}, headers)["tip_id"]


def arrived(gateway, headers, tip_id: str) -> dict:
    return eventually(lambda: (r := gateway.get(f"/api/v1/tips/{tip_id}", headers=headers)).status_code == 200
                      and r.json())


@pytest.fixture(scope="session")
def ward_b(gateway, people) -> dict[str, str]:
    """Ids of ward B's objects: a tip with contact details, a case, a camera, an extraction."""
    officer, operator = people["officer_b"], people["operator_b"]
    tip_id = post_tip(gateway, WARD_B, "Bí mật phường B: có người buôn bán ma túy ở chợ",
                      anonymous=False, contact={"name": "Nguyễn Văn B", "phone": "0912000111"})
    valuable = post_tip(gateway, WARD_B, "Phường B: trộm cắp xe máy ở bãi gửi xe")
    for tip in (tip_id, valuable):
        arrived(gateway, officer, tip)
    assert gateway.post(f"/api/v1/tips/{valuable}/decision", headers=officer,
                        json={"outcome": "valuable"}).status_code == 200
    r = gateway.post("/api/v1/cases", headers=officer,
                     json={"title": "Trộm xe phường B", "unit_code": WARD_B, "tip_ids": [valuable]})
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    ward = units.get(WARD_B)
    camera_id = f"SEC-B-{uuid.uuid4().hex[:8]}"
    r = gateway.post("/api/v1/cameras", headers=operator, json={
        "camera_id": camera_id, "unit_code": WARD_B, "location": {"lat": ward.lat, "lon": ward.lon},
        "owner": {"kind": "household", "name": "Hộ ông B", "contact": "0912000222"},
        "retention_days": 30, "installed_at": "2025-01-01T00:00:00+07:00"})
    assert r.status_code == 201, r.text
    now = datetime.now(timezone.utc)
    r = gateway.post("/api/v1/extractions", headers=operator, json={
        "camera_id": camera_id, "case_id": case_id, "reason": "Trích xuất cho vụ trộm xe",
        "time_from": (now - timedelta(hours=2)).isoformat(), "time_to": (now - timedelta(hours=1)).isoformat(),
        "files": [{"name": "clip.mp4", "size": 10, "sha256": "a" * 64}]})
    assert r.status_code == 201, r.text
    return {"tip_id": tip_id, "case_id": case_id, "camera_id": camera_id,
            "extraction_id": r.json()["extraction_id"]}

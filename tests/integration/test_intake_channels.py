"""Every channel of intake on the real stack: one tip each goes in through the gateway, and the
`tip.received` event read back from Kafka carries its fields (channel, content, unit and its
2025 mapping, place, times, category, programme, attachments' names, sizes and SHA-256) and
never the tipster's identity. Six wards of district 391 (Thạch Thành) and the 2025 ward 15187
that they merged into belong to this module only."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from services.common import units
from tests.conftest import eventually
from tests.e2e.test_webhooks import send
from tests.integration.conftest import read_all

WARDS = ("15187", "15214", "15241", "15253", "15256", "15265")  # legacy wards of Thạch Thành
WARD_2025 = "15187"  # since 2025 all of the above are this one (Kim Tân)
DISTRICT = "391"
IDENTITY = {"name": "Lê Thị Hoa", "phone": "0987654321", "email": "hoa.le@example.vn"}
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture(scope="module")
def staff(make_user):
    return make_user("tiepnhan.thachthanh", "clerk", DISTRICT), make_user("canbo.thachthanh", "officer", DISTRICT)


def attach(gateway, name: str, content: bytes, headers=None):
    return gateway.post("/api/v1/attachments", headers=headers or {},
                        files={"file": (name, content, "application/octet-stream")})


def subject(record) -> str | None:
    """The event's subject; None for the invalid records other tests write to the topic."""
    try:
        return json.loads(record.value)["subject"]
    except (TypeError, ValueError, KeyError):
        return None


def events_of(stack, tip_ids: set[str]) -> dict[str, dict]:
    def found():
        mine = {subject(r): r for r in read_all(stack.bootstrap, "tips.received") if subject(r) in tip_ids}
        return mine if len(mine) == len(tip_ids) else None
    return eventually(found)


def test_each_channel_becomes_one_event_with_its_fields_and_no_identity(stack, gateway, staff):
    clerk, _ = staff
    photo = attach(gateway, "anh-hien-truong.png", PHOTO)  # the public form's photo: no login
    assert photo.status_code == 201, photo.text
    assert photo.json()["sha256"] == hashlib.sha256(PHOTO).hexdigest() and photo.json()["size"] == len(PHOTO)
    earlier = (datetime.now(timezone.utc) - timedelta(hours=3)).replace(microsecond=0)
    near_ward = units.get(WARDS[1])
    posts = {
        "web": ({"channel": "web", "content": "Có người lạ chụp ảnh nhà dân ở ngõ 3", "attachments": [photo.json()["attachment_id"]],
                 "location": {"lat": near_ward.lat, "lon": near_ward.lon}}, {}),
        "hotline": ({"channel": "hotline", "content": "Gọi đường dây nóng: có đánh bạc ở bãi biển", "unit_code": WARDS[0],
                     "received_at": earlier.isoformat(), "category": "gambling"}, clerk),
        "walk_in": ({"channel": "walk_in", "content": "Đến trụ sở trình báo: bị lừa đảo qua mạng", "unit_code": WARDS[2],
                     "anonymous": False, "contact": IDENTITY}, clerk),
        "tip_box": ({"channel": "tip_box", "content": "Thư trong hòm thư tố giác: buôn bán pháo", "unit_code": WARDS[3]}, clerk),
        "leaflet": ({"channel": "leaflet", "content": "Phiếu tờ rơi: nghi có ma túy ở nhà nghỉ", "unit_code": WARDS[4],
                     "occurred_at": (earlier - timedelta(days=1)).isoformat()}, clerk),
        "programme": ({"channel": "programme", "content": "Công nhân môi trường báo xe lạ đổ trộm rác", "unit_code": WARDS[5],
                       "programme_code": "CNMT-391"}, clerk),
        "2025": ({"channel": "hotline", "content": "Cuộc gọi về xã Kim Tân mới: trộm chó ban đêm",
                  "unit_code": WARD_2025, "unit_era": "2025"}, clerk),
    }
    tips = {}
    for name, (body, headers) in posts.items():
        r = gateway.post("/api/v1/tips", json=body, headers=headers)
        assert r.status_code == 202, (name, r.text)
        tips[name] = r.json()["tip_id"]
    for channel, source in (("zalo", "zalo-380"), ("sms", "sms-gw")):
        r = send(gateway, {"message_id": f"{channel}-thachthanh-1", "text": f"Tin {channel}: có người lạ trèo tường",
                           "unit_code": WARDS[1]}, source=source)
        assert r.status_code == 202, r.text
        tips[channel] = r.json()["tip_id"]

    records = events_of(stack, set(tips.values()))
    data = {name: json.loads(records[tip_id].value)["data"] for name, tip_id in tips.items()}
    for name in ("web", "hotline", "walk_in", "tip_box", "leaflet", "programme", "zalo", "sms"):
        assert data[name]["channel"] == name and data[name]["unit_era"] == "legacy"
        assert data[name]["unit_path"][:2] == ["38", DISTRICT] and data[name]["unit_path_2025"] == ["38", WARD_2025]
    assert data["web"]["unit_code"] == WARDS[1] and data["web"]["location"] == {"lat": near_ward.lat, "lon": near_ward.lon}
    assert data["web"]["attachments"] == [{"attachment_id": photo.json()["attachment_id"], "name": "anh-hien-truong.png",
                                           "size": len(PHOTO), "sha256": hashlib.sha256(PHOTO).hexdigest()}]
    assert datetime.fromisoformat(data["hotline"]["received_at"]) == earlier
    assert data["hotline"]["received_at"] < data["hotline"]["recorded_at"] and data["hotline"]["category"] == "gambling"
    assert data["walk_in"]["anonymous"] is False and data["walk_in"]["has_contact"] is True
    assert data["leaflet"]["occurred_at"] is not None and data["programme"]["programme_code"] == "CNMT-391"
    assert data["zalo"]["content"].startswith("Tin zalo") and data["sms"]["channel"] == "sms"
    assert (data["2025"]["unit_code"], data["2025"]["unit_era"]) == (WARD_2025, "2025")
    assert data["2025"]["unit_path"] == ["38", DISTRICT] and data["2025"]["unit_path_2025"] == ["38", WARD_2025]

    for record in read_all(stack.bootstrap, "tips.received"):  # the whole topic, every byte
        raw = (record.value or b"").decode("utf-8", "replace")
        assert not any(value in raw for value in IDENTITY.values())


def test_a_2025_unit_counts_its_own_tips_and_those_of_its_legacy_wards(gateway, staff, admin):
    _, officer = staff

    def counted():
        r = gateway.get("/api/v1/stats/tips", params={"unit_code": WARD_2025, "units": "2025", "group_by": "channel"},
                        headers=admin)
        return r.status_code == 200 and r.json()["total"]["received"] >= 9 and r.json()
    stats = counted() or eventually(counted)
    assert {g["key"] for g in stats["groups"]} >= {"web", "hotline", "walk_in", "tip_box", "leaflet", "programme", "zalo", "sms"}
    legacy = gateway.get("/api/v1/stats/tips", params={"unit_code": DISTRICT}, headers=officer).json()
    assert legacy["total"]["received"] == stats["total"]["received"]  # the 2025 tip is Thạch Thành's too


def test_the_officer_reads_the_tip_of_a_2025_unit_and_downloads_its_attachment(gateway, staff, make_user):
    clerk, officer = staff
    photo = attach(gateway, "scan.jpg", b"JPEG-bytes-of-a-scanned-letter", clerk).json()
    r = gateway.post("/api/v1/tips", headers=clerk, json={
        "channel": "tip_box", "content": "Thư tố giác có ảnh chụp kèm", "unit_code": WARD_2025, "unit_era": "2025",
        "attachments": [photo["attachment_id"]]})
    assert r.status_code == 202, r.text
    tip_id = r.json()["tip_id"]
    tip = eventually(lambda: (t := gateway.get(f"/api/v1/tips/{tip_id}", headers=officer)).status_code == 200 and t.json())
    assert tip["unit_era"] == "2025" and tip["attachments"][0]["sha256"] == photo["sha256"]
    download = gateway.get(f"/api/v1/attachments/{photo['attachment_id']}", headers=officer)
    assert download.status_code == 200 and download.content == b"JPEG-bytes-of-a-scanned-letter"
    assert download.headers["content-type"] == "application/octet-stream"
    outsider = make_user("canbo.bimson", "officer", "381")
    assert gateway.get(f"/api/v1/attachments/{photo['attachment_id']}", headers=outsider).status_code == 403
    assert gateway.get(f"/api/v1/tips/{tip_id}", headers=outsider).status_code == 403
    assert gateway.get(f"/api/v1/attachments/{photo['attachment_id']}").status_code == 401


def test_bad_attachments_are_refused_and_change_nothing(stack, gateway, staff):
    clerk, _ = staff
    before = len(read_all(stack.bootstrap, "tips.received"))
    unknown = "A-" + "0" * 26
    r = gateway.post("/api/v1/tips", headers=clerk, json={"channel": "hotline", "content": "x", "unit_code": WARDS[0],
                                                           "attachments": [unknown, "not-an-id"]})
    assert r.status_code == 422 and {f["field"] for f in r.json()["error"]["fields"]} == {"attachments.1"}
    r = gateway.post("/api/v1/tips", headers=clerk, json={"channel": "hotline", "content": "x", "unit_code": WARDS[0],
                                                           "attachments": [unknown]})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "attachments[0]"
    used = attach(gateway, "a.txt", b"once", clerk).json()["attachment_id"]
    first = gateway.post("/api/v1/tips", headers=clerk, json={"channel": "hotline", "content": "có ảnh", "unit_code": WARDS[0],
                                                               "attachments": [used]})
    assert first.status_code == 202
    again = gateway.post("/api/v1/tips", headers=clerk, json={"channel": "hotline", "content": "lần hai", "unit_code": WARDS[0],
                                                               "attachments": [used]})
    assert again.status_code == 422 and "another tip" in again.json()["error"]["fields"][0]["reason"]
    assert attach(gateway, "empty.txt", b"").status_code == 422
    r = gateway.post("/api/v1/tips", headers=clerk, json={"channel": "hotline", "content": "x", "unit_code": DISTRICT,
                                                           "unit_era": "2025"})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "unit_code"
    assert len(read_all(stack.bootstrap, "tips.received")) == before + 1  # only the good tip

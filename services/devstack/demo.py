"""A small demo data set, loaded through the public HTTP API like any client would: users of
Thanh Hóa city (district 380), its programmes, its camera registry (demo_cameras, imported as
an operator would), a dozen tips with some decisions and a few conversations with tipsters."""
from __future__ import annotations

import time

import httpx

from . import demo_cameras
from .demo_year import registrations

DEMO_PASSWORD = "antt-demo-2026"
USERS = [
    {"username": "tiepnhan.380", "role": "clerk", "unit_code": "380"},
    {"username": "canbo.380", "role": "officer", "unit_code": "380"},
    {"username": "chihuy.380", "role": "commander", "unit_code": "380"},
    {"username": "camera.380", "role": "camera_operator", "unit_code": "380"},
]
# (index in TIPS, the tipster's message, the officer's reply, the tipster's answer or None)
CONVERSATIONS = [
    (0, "Tối nay nhóm đó lại tụ tập, khoảng 10 người, có cả xe máy dựng ngoài ngõ.",
     "Cảm ơn anh/chị. Công an phường đã nắm thông tin, đề nghị tiếp tục theo dõi và báo khi có diễn biến mới.",
     "Vâng, tôi sẽ báo tiếp. Họ thường về lúc 23 giờ."),
    (5, "Số điện thoại trên tờ quảng cáo là 09xx, họ dán lại sau khi bị gỡ.",
     "Chúng tôi đã ghi nhận. Anh/chị có chụp được ảnh tờ quảng cáo không?", None),
    (8, "Quán cà phê đó mở đến 1 giờ sáng, nhiều người ra vào.",
     "Cảm ơn bạn. Tin đã được chuyển cán bộ xác minh.", "Cảm ơn các anh."),
]
# (channel, ward, content, decision[, programme_code])
TIPS = [
    ("web", "14767", "Có nhóm thanh niên tụ tập đánh bạc ở ngõ 12 phố Trường Thi vào buổi tối.", "valuable"),
    ("web", "14773", "Xe máy dựng trước chợ bị mất trộm lúc 5 giờ sáng.", "valuable"),
    ("web", "14764", "Quán karaoke mở nhạc to sau 23 giờ, gây mất trật tự.", "not_valuable"),
    ("hotline", "14782", "Người dân báo có đối tượng lạ nghi mua bán ma túy tại bãi đất trống.", "valuable"),
    ("hotline", "14755", "Hai nhóm thanh niên cầm hung khí đuổi đánh nhau trên đường.", "valuable"),
    ("hotline", "14758", "Có người treo quảng cáo cho vay tiền lãi cao trên cột điện.", None),
    ("walk_in", "14776", "Chủ nhà trọ trình báo người thuê có biểu hiện nghi vấn tàng trữ vũ khí.", "valuable"),
    ("walk_in", "14779", "Công dân trình báo bị lừa đảo chuyển tiền qua mạng.", "not_valuable"),
    ("tip_box", "14794", "Thư tố giác điểm cá độ bóng đá tại quán cà phê.", None),
    ("programme", "14797", "Công nhân môi trường phát hiện người lạ cạy khóa xe lúc 4 giờ sáng.", "valuable",
     "CNMT-380"),
    ("web", "14800", "Đường điện trong khu nhà trọ chắp vá, nguy cơ cháy nổ.", None),
    ("hotline", "14803", "Tiếng cãi vã, đánh nhau trong gia đình ở tổ dân phố 3.", "not_valuable"),
]


def _token(client: httpx.Client, username: str, password: str) -> str:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    return r.json()["access_token"]


def load(gateway_url: str, admin_password: str) -> bool:
    """Load the demo once; False if it was there already (a second `make run`)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        admin = {"Authorization": f"Bearer {_token(client, 'admin', admin_password)}"}
        register_programmes(client, admin)  # every run: data kept from before programmes existed gets them
        stats = client.get("/api/v1/stats/tips", params={"unit_code": "380"}, headers=admin).json()
        if stats["total"]["received"] > 0:
            return False
        for user in USERS:
            r = client.post("/api/v1/users", json={**user, "password": DEMO_PASSWORD}, headers=admin)
            if r.status_code not in (201, 409):
                r.raise_for_status()
        clerk = {"Authorization": f"Bearer {_token(client, 'tiepnhan.380', DEMO_PASSWORD)}"}
        officer = {"Authorization": f"Bearer {_token(client, 'canbo.380', DEMO_PASSWORD)}"}
        operator = {"Authorization": f"Bearer {_token(client, 'camera.380', DEMO_PASSWORD)}"}
        import_cameras(client, operator, demo_cameras.rows("380"))
        decisions, receipts = [], []
        for channel, ward, content, decision, *programme in TIPS:
            tip = {"channel": channel, "unit_code": ward, "content": content}
            if programme:
                tip["programme_code"] = programme[0]
            r = client.post("/api/v1/tips", json=tip, headers=None if channel == "web" else clerk)
            r.raise_for_status()
            receipts.append((r.json()["tip_id"], r.json()["receipt_code"]))
            if decision:
                decisions.append((r.json()["tip_id"], decision))
        for tip_id, outcome in decisions:
            _wait_for_tip(client, tip_id, officer)
            client.post(f"/api/v1/tips/{tip_id}/decision", json={"outcome": outcome},
                        headers=officer).raise_for_status()
        converse(client, officer, receipts)
        return True


def import_cameras(client: httpx.Client, headers: dict, registry: list[dict], timeout_s: float = 300) -> dict:
    """The registry through `POST /cameras/import` (the extraction service registers each
    camera and publishes its event), waiting for the job; returns its last progress."""
    r = client.post("/api/v1/cameras/import", headers=headers,
                    files={"file": ("camera-380.csv", demo_cameras.csv_bytes(registry), "text/csv")})
    r.raise_for_status()
    job_id, deadline = r.json()["job_id"], time.monotonic() + timeout_s
    while True:
        job = client.get(f"/api/v1/imports/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if job["status"] != "done" or job["failed"]:
        raise RuntimeError(f"camera import {job_id}: {job['status']}, {job['failed']} rows failed: {job['errors'][:3]}")
    return job


def converse(client: httpx.Client, officer: dict, receipts: list[tuple[str, str]]) -> None:
    """A few exchanges with tipsters through the follow-up path: the tipster writes with the
    receipt code (no login), the officer replies, the tipster answers."""
    for index, message, reply, answer in CONVERSATIONS:
        tip_id, code = receipts[index]
        client.post(f"/api/v1/receipts/{code}/messages", json={"text": message}).raise_for_status()
        client.post(f"/api/v1/tips/{tip_id}/replies", json={"text": reply}, headers=officer).raise_for_status()
        if answer:
            client.post(f"/api/v1/receipts/{code}/messages", json={"text": answer}).raise_for_status()


def tips_in_verification(gateway_url: str, admin_password: str, unit_code: str = "380") -> int:
    """How many tips of the unit verification holds (the demo year waits for its tips)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        admin = {"Authorization": f"Bearer {_token(client, 'admin', admin_password)}"}
        r = client.get("/api/v1/tips", params={"unit_code": unit_code, "page_size": 1}, headers=admin)
        r.raise_for_status()
        return r.json()["total"]


def register_programmes(client: httpx.Client, headers: dict) -> int:
    """The district's programmes (demo_year.registrations), through POST /programmes; returns
    how many were new (a code already registered answers 409)."""
    new = 0
    for body in registrations("380"):
        r = client.post("/api/v1/programmes", json=body, headers=headers)
        if r.status_code != 409:
            r.raise_for_status()
            new += 1
    return new


def _wait_for_tip(client: httpx.Client, tip_id: str, headers: dict, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while client.get(f"/api/v1/tips/{tip_id}", headers=headers).status_code == 404:
        if time.monotonic() > deadline:
            raise RuntimeError(f"tip {tip_id} did not reach verification in {timeout_s}s")
        time.sleep(0.2)

"""A small demo data set, loaded through the public HTTP API like any client would:
users of Thanh Hóa city (district 380), its programmes, and a dozen tips with some decisions."""
from __future__ import annotations

import time

import httpx

from .demo_year import registrations

DEMO_PASSWORD = "antt-demo-2026"
USERS = [
    {"username": "tiepnhan.380", "role": "clerk", "unit_code": "380"},
    {"username": "canbo.380", "role": "officer", "unit_code": "380"},
    {"username": "chihuy.380", "role": "commander", "unit_code": "380"},
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
        decisions = []
        for channel, ward, content, decision, *programme in TIPS:
            tip = {"channel": channel, "unit_code": ward, "content": content}
            if programme:
                tip["programme_code"] = programme[0]
            r = client.post("/api/v1/tips", json=tip, headers=None if channel == "web" else clerk)
            r.raise_for_status()
            if decision:
                decisions.append((r.json()["tip_id"], decision))
        for tip_id, outcome in decisions:
            _wait_for_tip(client, tip_id, officer)
            client.post(f"/api/v1/tips/{tip_id}/decision", json={"outcome": outcome},
                        headers=officer).raise_for_status()
        return True


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

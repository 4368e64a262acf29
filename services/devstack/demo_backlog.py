"""The demo district's open work at the moment `make run` loads it: tips received over the last
three weeks that still wait for the officer's verdict, as a district's queue looks on a normal
day. Relative to `now`, each tip's state follows verification's clocks:

- `TODAY` tips received in the last hours, not yet forwarded (their 24 hours run), among them
  the high-priority ones (a fight with knives, a weapon);
- `WAITING` tips forwarded within their 24 hours, their 20 days running;
- `NEAR` tips forwarded, in the last two days of their 20;
- `OVERDUE` tips: some past their 20 days, one never forwarded within its 24 hours.

Pure: `events(now)` gives the `tip.received` and `tip.legal_step` events (ids derived from the
seed and `now`'s date, so the same day gives the same backlog)."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from services.common import contracts, units
from services.common.contracts import Event
from services.common.times import iso

from . import demo_cameras
from . import demo_decisions as decisions

TODAY_HIGH = ["Hai nhóm thanh niên cầm dao, hung khí đánh nhau trước cổng chợ, có người bị thương.",
              "Người dân báo có đối tượng mang súng tự chế đe dọa hàng xóm trong ngõ."]
CONTENTS = ["Xe máy dựng trước nhà bị mất trộm trong đêm.",
            "Nhóm người lạ thường xuyên tụ tập đánh bạc tại quán nước đầu ngõ.",
            "Nghi có người mua bán trái phép chất ma túy tại khu nhà trọ.",
            "Treo quảng cáo cho vay tiền lãi cao trên cột điện gần trường học.",
            "Đường điện trong khu nhà trọ chắp vá, nguy cơ cháy nổ.",
            "Thanh niên đua xe, lạng lách trên đường ven sông vào ban đêm.",
            "Bị kẻ gian giả danh nhân viên ngân hàng gọi điện lừa chuyển tiền.",
            "Cửa hàng điện thoại bị cạy cửa, mất nhiều tài sản."]
CHANNELS = ["hotline", "hotline", "walk_in", "web", "tip_box", "walk_in", "hotline", "web"]
TODAY, WAITING, NEAR, OVERDUE = 5, 26, 4, 4  # of which 2 high priority today, 1 overdue to forward


def events(now: datetime, district: str = "380", seed: int = 2026) -> dict[str, list[Event]]:
    out = _Out(now, district, seed)
    for i in range(TODAY):  # received in the last hours (the high-priority ones most recently)
        content = TODAY_HIGH[i] if i < len(TODAY_HIGH) else out.rnd.choice(CONTENTS)
        out.tip(now - timedelta(minutes=8 + 50 * i + out.rnd.randrange(30)), content, forwarded=False)
    for _ in range(WAITING):
        out.tip(now - timedelta(days=out.rnd.uniform(1.2, 16.5)), out.rnd.choice(CONTENTS))
    for _ in range(NEAR):  # day 19 or 20 of the 20 (the receipt day is day 1)
        out.tip(now - timedelta(days=out.rnd.uniform(18.2, 18.9)), out.rnd.choice(CONTENTS))
    for i in range(OVERDUE):
        if i == 0:  # received the day before yesterday, never forwarded
            out.tip(now - timedelta(hours=out.rnd.uniform(30, 40)), out.rnd.choice(CONTENTS), forwarded=False)
        else:
            out.tip(now - timedelta(days=out.rnd.uniform(21.5, 25)), out.rnd.choice(CONTENTS))
    return out.events


class _Out:
    def __init__(self, now: datetime, district: str, seed: int):
        self.now, self.district = now, district
        self.rnd = random.Random(f"backlog-{seed}-{district}-{now.date()}")
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, f"antt-demo-backlog/{seed}/{district}/{now.date()}")
        self.wards = sorted(c for c, u in units.all_units().items() if u.parent == district)
        self.events: dict[str, list[Event]] = {t: [] for t in contracts.topics()}
        self.count = 0

    def emit(self, topic: str, schema: str, subject: str, data: dict, when: datetime) -> None:
        n = sum(len(v) for v in self.events.values())
        self.events[topic].append(contracts.make_event(
            schema, subject=subject, data=data, source="demo", time=iso(when),
            event_id=str(uuid.uuid5(self.ns, f"{subject}/{n}"))))

    def tip(self, received: datetime, content: str, forwarded: bool = True) -> None:
        """A tip; those of the wards with cameras are located near the ward's centre and
        happened an hour before they were received (the tip's page lists the footage at risk)."""
        tip_id = f"T-DEMO-{self.now:%Y%m%d}-{self.district}-{self.count:03d}"
        channel, ward = CHANNELS[self.count % len(CHANNELS)], self.rnd.choice(self.wards)
        self.count += 1
        place = {}
        if ward in demo_cameras.wards_with_cameras(self.district):
            unit = units.get(ward)
            place = {"location": {"lat": round(unit.lat + self.rnd.uniform(-0.002, 0.002), 6),
                                  "lon": round(unit.lon + self.rnd.uniform(-0.002, 0.002), 6)},
                     "occurred_at": iso(received - timedelta(hours=1))}
        self.emit("tips.received", "tip.received/1", tip_id, {
            "tip_id": tip_id, "channel": channel, "content": content, "unit_code": ward, **place,
            "unit_path": units.path(ward), "received_at": iso(received), "recorded_at": iso(received),
            "programme_code": None, "anonymous": channel in ("web", "tip_box"), "has_contact": False}, received)
        if forwarded:
            work = decisions.TipWork(self, tip_id, received, {**decisions.OFFICER, "unit_code": ward})
            work.step("forward", received + timedelta(hours=self.rnd.uniform(0.5, 20)))

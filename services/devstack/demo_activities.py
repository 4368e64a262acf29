"""The programmes' activities of the demo year, from the seed article 003 (Thanh Hóa city, 2024):
people's patrols ("Tuần tra Nhân dân") 8,760 outings with 21,900 participants, settling 26
disputes within the community; armed patrols ("Tuần tra vũ trang") 2,920 outings with 23,360
participants, finding 106 traffic violations, 5 drug cases and 2 thefts.

As a ward's logbook is kept, one `activity.logged` event is a month's roll-up of one kind of
patrol in one ward (`count` outings, `participants` person-times over them), by one of the
district's programmes: about 1,100 events for the year, not 11,680. Every figure is split
exactly over the wards and months, so the sums are the article's (`scale` shrinks them, tests).
A random generator of its own (seeded like the year's) leaves the year's other events as they were.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from services.common import contracts, units
from services.common.contracts import Event
from services.common.times import VIETNAM, iso

# kind: outings, participants, findings; the programmes whose members go out
PATROLS = {
    "patrol": (8760, 21900, {"disputes_settled": 26}, ("CNMT", "LGTQ", "ANCN")),
    "armed_patrol": (2920, 23360, {"traffic": 106, "drugs": 5, "theft": 2}, ("ANCN", "CNMT")),
}
FINDINGS = ("traffic", "drugs", "theft", "disputes_settled", "other")
NOTES = {"patrol": "Tổng hợp tuần tra Nhân dân trong tháng", "armed_patrol": "Tổng hợp tuần tra vũ trang trong tháng"}


def _scaled(value: int, scale: float) -> int:
    return max(1, round(value * scale)) if value else 0


def split(total: int, parts: int, rnd: random.Random, floor: int = 0) -> list[int]:
    """`total` over `parts` buckets at random (each at least `floor`), summing exactly to `total`."""
    if parts * floor > total:
        raise ValueError(f"{total} cannot give {parts} parts of at least {floor}")
    weights = [rnd.uniform(0.5, 1.5) for _ in range(parts)]
    rest = total - parts * floor
    shares = [int(rest * w / sum(weights)) for w in weights]
    for i in rnd.sample(range(parts), rest - sum(shares)):
        shares[i] += 1
    return [floor + s for s in shares]


def _month(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, 6, tzinfo=VIETNAM)
    following = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=VIETNAM)
    return start, following - timedelta(hours=2)  # the last evening of the month, 22:00


def activity_events(year: int, district: str = "380", scale: float = 1.0, seed: int = 2024) -> list[Event]:
    """The year's `activity.logged/1` events (topic `activities`), one per ward, month and kind."""
    rnd = random.Random(f"{seed}-{year}-{district}-activities")
    ns = uuid.uuid5(uuid.NAMESPACE_URL, f"antt-demo/{seed}/{year}/{district}/activities")
    wards = sorted(c for c, u in units.all_units().items() if u.parent == district)
    wards = wards[:max(1, round(len(wards) * min(1.0, scale)))]
    cells = [(ward, month) for ward in wards for month in range(1, 13)]
    out = []
    for kind, (outings, people, found, programmes) in PATROLS.items():
        counts = split(_scaled(outings, scale), len(cells), rnd, floor=1)
        extra = split(_scaled(people, scale) - sum(counts), len(cells), rnd)  # at least one person an outing
        findings = {f: split(_scaled(found.get(f, 0), scale), len(cells), rnd) for f in FINDINGS}
        for i, (ward, month) in enumerate(cells):
            started, ended = _month(year, month)
            activity_id = f"ACT-DEMO{year}-{ward}-{kind}-{month:02d}"
            data = {"activity_id": activity_id, "programme_code": f"{programmes[i % len(programmes)]}-{district}",
                    "kind": kind, "unit_code": ward, "unit_path": units.path(ward),
                    "started_at": iso(started), "ended_at": iso(ended), "count": counts[i],
                    "participants": counts[i] + extra[i], "findings": {f: findings[f][i] for f in FINDINGS},
                    "note": NOTES[kind], "logged_at": iso(ended + timedelta(hours=1))}
            out.append(contracts.make_event("activity.logged/1", subject=activity_id, data=data, source="demo",
                                            time=data["logged_at"], event_id=str(uuid.uuid5(ns, activity_id))))
    return out

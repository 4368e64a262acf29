"""A realistic year of events for one district (default Thanh Hóa city, 380), from the figures
of the seed article 003 (2024): 692 tips (tip box 5, walk-in 312, hotline 375), 265 valuable,
the environment workers' programme 32 tips / 12 converted, 1,911 cameras in 34 camera
programmes, 1,028 extractions helping clarify 152 cases. `scale` shrinks every figure (tests).

The events are produced straight to the topics (as their writers would) with ids derived from
the seed, so loading twice changes nothing. Every tip is decided within its legal clock
(demo_decisions.py); verification applies those recorded decisions to its tips (its
history.py), so the officer's queue holds only today's open work (demo_backlog.py). The cases
and extractions exist only in the read models; the extractions are of the cameras of the
registry (demo_cameras.py), which `make run` imports through the extraction service.

To add another kind of the year's work (e.g. patrols), write its `_part(y)` emitting through
`y.emit` and call it from `year_events`.
"""
from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from aiokafka import AIOKafkaProducer

from services.common import contracts, units
from services.common.contracts import Event
from services.common.times import VIETNAM, iso

from . import demo_backlog, demo_cameras
from . import demo_decisions as decisions
from .demo_activities import activity_events

CHANNELS = {"tip_box": 5, "walk_in": 312, "hotline": 375}
VALUABLE = 265
PROGRAMMES = {"CNMT": (32, 12), "ANCN": (24, 9), "LGTQ": (18, 4)}  # tips, converted
# How the programmes are registered (POST /programmes): name, kind, launch date, members.
PROGRAMME_REGISTRY = {
    "CNMT": ("Công nhân môi trường - chiến sĩ tuần tra", "environment_workers", "2019-03-26", 850),
    "ANCN": ("Tổ an ninh công nhân", "worker_security", "2020-06-15", 480),
    "LGTQ": ("Tổ liên gia tự quản", "neighbourhood", "2018-09-01", 2125),
}
CAMERA_PROGRAMME = ("Camera giám sát ANTT", "camera", "2021-05-01", 56)  # one per ward
CAMERAS, CAMERA_PROGRAMMES = demo_cameras.CAMERAS, demo_cameras.CAMERA_PROGRAMMES
EXTRACTIONS, CLARIFIED_WITH_CAMERA, OTHER_CASES = 1028, 152, 30
CATEGORIES = ["theft", "drugs", "gambling", "fight", "illegal_lending", "weapons", "traffic", "fire_risk"]
CONTENTS = ["Người dân phản ánh có đối tượng lạ nghi trộm cắp tài sản trong khu dân cư.",
            "Có nhóm thanh niên tụ tập đánh bạc vào buổi tối.",
            "Nghi có người mua bán trái phép chất ma túy tại bãi đất trống.",
            "Hai nhóm thanh niên cầm hung khí đuổi đánh nhau trên đường.",
            "Treo quảng cáo cho vay tiền lãi cao trên cột điện.",
            "Đường điện trong khu nhà trọ chắp vá, nguy cơ cháy nổ."]
ACTOR = {"username": "demo", "role": "officer", "unit_code": "380"}


def _n(value: int, scale: float) -> int:
    return max(1, round(value * scale)) if value else 0


class _Year:
    def __init__(self, year: int, district: str, scale: float, seed: int):
        self.year, self.district, self.scale = year, district, scale
        self.rnd = random.Random(f"{seed}-{year}-{district}")
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, f"antt-demo/{seed}/{year}/{district}")
        self.wards = sorted(c for c, u in units.all_units().items() if u.parent == district)
        self.start = datetime(year, 1, 1, 8, tzinfo=VIETNAM)
        self.last_evening = datetime(year, 12, 31, 22, tzinfo=VIETNAM)
        self.out: dict[str, list[Event]] = {t: [] for t in contracts.topics()}

    def at(self, earliest: datetime | None = None, days: int = 360) -> datetime:
        base = earliest or self.start
        return base + timedelta(days=self.rnd.uniform(0, days), minutes=self.rnd.randrange(600))

    def emit(self, topic: str, schema: str, subject: str, data: dict, when: datetime) -> None:
        n = sum(len(v) for v in self.out.values())
        self.out[topic].append(contracts.make_event(
            schema, subject=subject, data=data, source="demo", time=iso(when),
            event_id=str(uuid.uuid5(self.ns, f"{subject}/{n}"))))

    def place(self, ward: str) -> dict:
        return {"unit_code": ward, "unit_path": units.path(ward)}


def registrations(district: str = "380", scale: float = 1.0) -> list[dict]:
    """The bodies of `POST /programmes` for the district's programmes: those of PROGRAMMES (codes
    `<PREFIX>-<district>`) and one camera programme per ward that has cameras (`CAMERA-<ward>`)."""
    wards = sorted(c for c, u in units.all_units().items() if u.parent == district)
    out = [{"code": f"{prefix}-{district}", "name": name, "kind": kind, "unit_code": district,
            "launched_at": f"{launched}T00:00:00+07:00", "members": members}
           for prefix, (name, kind, launched, members) in PROGRAMME_REGISTRY.items()]
    name, kind, launched, members = CAMERA_PROGRAMME
    out += [{"code": f"CAMERA-{ward}", "name": f"{name} {units.get(ward).name}", "kind": kind,
             "unit_code": ward, "launched_at": f"{launched}T00:00:00+07:00", "members": members}
            for ward in wards[:_n(CAMERA_PROGRAMMES, scale)]]
    return out


def _programmes(y: _Year) -> None:
    """programme.registered events, as intake writes them (registered the day after launch)."""
    for body in registrations(y.district, y.scale):
        launched = datetime.fromisoformat(body["launched_at"])
        y.emit("programmes", "programme.registered/1", body["code"], {
            **body, "unit_path": units.path(body["unit_code"]), "launched_at": iso(launched),
            "registered_at": iso(launched + timedelta(days=1))}, launched)


def _tips(y: _Year) -> list[tuple[str, str, datetime]]:
    """tip.received events; returns (tip_id, ward, received) of each."""
    kinds = [ch for ch, n in CHANNELS.items() for _ in range(_n(n, y.scale))]
    codes = [f"{p}-{y.district}" for p, (n, _) in PROGRAMMES.items() for _ in range(_n(n, y.scale))]
    codes += [None] * (len(kinds) - len(codes))
    y.rnd.shuffle(codes)
    tips = []
    for i, (channel, programme) in enumerate(zip(kinds, codes)):
        tip_id, ward, received = f"T-DEMO{y.year}-{y.district}-{i:05d}", y.rnd.choice(y.wards), y.at()
        y.emit("tips.received", "tip.received/1", tip_id, {
            "tip_id": tip_id, "channel": channel, "content": y.rnd.choice(CONTENTS), **y.place(ward),
            "received_at": iso(received), "recorded_at": iso(received), "category": y.rnd.choice(CATEGORIES),
            "programme_code": programme if channel != "tip_box" else None,
            "anonymous": y.rnd.random() < 0.6, "has_contact": False}, received)
        tips.append((tip_id, ward, received))
    return tips


def _cameras(y: _Year, registry: list[dict], emit: bool) -> list[tuple[str, str]]:
    """The registry's (camera_id, ward); with `emit`, its camera.registered events too, as
    extraction writes them (tests that produce events straight; `make run` imports the rows)."""
    for row in registry if emit else ():
        installed = datetime.fromisoformat(row["installed_at"])
        y.emit("cameras", "camera.registered/1", row["camera_id"], {
            "camera_id": row["camera_id"], **y.place(row["unit_code"]),
            "location": {"lat": row["lat"], "lon": row["lon"]}, "owner_kind": row["owner_kind"],
            "programme_code": row["programme_code"], "retention_days": row["retention_days"],
            "status": row["status"], "installed_at": iso(installed),
            "registered_at": iso(installed + timedelta(days=1))}, installed)
    return [(row["camera_id"], row["unit_code"]) for row in registry]


def year_events(year: int, district: str = "380", scale: float = 1.0, seed: int = 2024,
                cameras: bool = True, programmes: bool = False) -> dict[str, list[Event]]:
    """Every event of the year by topic name: the tips, every one decided within its legal
    clock (decisions.py), the cases, the extractions on the registered cameras (demo_cameras),
    and the cameras' own events unless `cameras=False` (`make run` imports the registry through
    the extraction service instead); the programmes too if `programmes` (`make run` registers
    them through the API instead)."""
    y = _Year(year, district, scale, seed)
    if programmes:
        _programmes(y)
    tips = _tips(y)
    programme_of = {e.data["tip_id"]: e.data["programme_code"] for e in y.out["tips.received"]}
    to_convert = set()
    for p, (_, conv) in PROGRAMMES.items():
        to_convert |= set([t for t, c in programme_of.items() if c == f"{p}-{district}"][:_n(conv, scale)])
    y.rnd.shuffle(tips)
    tips.sort(key=lambda t: t[0] not in to_convert)  # stable: the programme conversions first
    valuable, rest = tips[:_n(VALUABLE, scale)], tips[_n(VALUABLE, scale):]
    cases_wanted = _n(CLARIFIED_WITH_CAMERA, scale) + _n(OTHER_CASES, scale)
    for tip_id, _, _ in valuable:
        # more cases from tips outside the programmes: a programme's conversions are its own figure
        if len(to_convert) < cases_wanted and programme_of[tip_id] is None:
            to_convert.add(tip_id)
    converted = sorted((t for t in valuable if t[0] in to_convert), key=lambda t: t[0])
    opened = {tip_id: received + timedelta(days=4) for tip_id, _, received in converted}
    decisions.decide_all(y, valuable, rest, opened)
    registry = demo_cameras.rows(district, scale, seed)
    camera_list = _cameras(y, registry, emit=cameras)
    clarified_cases = _cases(y, converted, opened)
    _extractions(y, camera_list, clarified_cases)
    y.out["activities"] += activity_events(year, district, scale, seed)  # the patrols (demo_activities.py)
    return y.out


def _cases(y: _Year, converted: list, opened_at: dict[str, datetime]) -> list[tuple[str, str]]:
    """One case per converted tip; the first ones are clarified with camera help. Returns the
    (case_id, ward) that need extractions."""
    with_camera = _n(CLARIFIED_WITH_CAMERA, y.scale)
    helped = []
    for i, (tip_id, ward, received) in enumerate(converted):
        case_id, opened = f"C-DEMO{y.year}-{y.district}-{i:04d}", opened_at[tip_id]
        y.emit("cases", "case.opened/1", case_id, {
            "case_id": case_id, **y.place(ward), "tip_ids": [tip_id], "opened_at": iso(opened),
            "version": 1, "actor": ACTOR}, opened)
        if i < with_camera or i % 4 == 0:
            # within the year (the report counts the year's clarifications); opened by Dec 31, 18:00
            changed = min(opened + timedelta(days=y.rnd.randint(1, 20)), y.last_evening)
            y.emit("cases", "case.status_changed/1", case_id, {
                "case_id": case_id, "status": "clarified", "previous_status": "open",
                "changed_at": iso(changed), "version": 2, "note": None, "actor": ACTOR}, changed)
        if i < with_camera:
            helped.append((case_id, ward))
    return helped


def _extractions(y: _Year, cameras: list[tuple[str, str]], cases: list[tuple[str, str]]) -> None:
    """The year's extractions, each from a registered camera: for a case, one of its ward's."""
    by_ward: dict[str, list[str]] = {}
    for camera_id, ward in cameras:
        by_ward.setdefault(ward, []).append(camera_id)
    for i in range(_n(EXTRACTIONS, y.scale)):
        case_id, ward = cases[i] if i < len(cases) else (None, None)
        if ward not in by_ward:
            ward = y.rnd.choice(sorted(by_ward))
        camera_id = y.rnd.choice(by_ward[ward])
        extracted = y.at()
        extraction_id = f"X-DEMO{y.year}-{y.district}-{i:05d}"
        y.emit("extractions", "extraction.logged/1", extraction_id, {
            "extraction_id": extraction_id, "camera_id": camera_id, **y.place(ward), "case_id": case_id,
            "tip_id": None, "time_from": iso(extracted - timedelta(hours=2)),
            "time_to": iso(extracted - timedelta(hours=1)), "extracted_at": iso(extracted),
            "clock_offset_s": 0, "export_method": "usb", "file_count": 1,
            "logged_at": iso(extracted + timedelta(minutes=5))}, extracted)


async def produce(bootstrap: str, events: dict[str, list[Event]]) -> int:
    """Send every event keyed by its subject (acks=all, idempotent); returns how many."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                linger_ms=20, max_batch_size=256 * 1024)
    await producer.start()
    try:
        sent = [await producer.send(topic, e.encode(), key=e.subject.encode())
                for topic, batch in events.items() for e in batch]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return len(sent)


def load_year(bootstrap: str, year: int, wait_for_tips: Callable[[int], None], district: str = "380",
              scale: float = 1.0, now: datetime | None = None) -> int:
    """The demo: `year` and, for the comparison, the year before it (a bit smaller), and the
    open work of today (demo_backlog), without camera events (`make run` imports the registry).
    The tips go first; `wait_for_tips(n)` returns once verification holds them (it applies the
    decisions only to tips it has), then everything else. Returns how many events were sent."""
    parts = [year_events(year - 1, district, scale * 0.85, cameras=False),
             year_events(year, district, scale, cameras=False),
             demo_backlog.events(now or datetime.now(VIETNAM), district)]
    tips = {"tips.received": [e for part in parts for e in part["tips.received"]]}
    sent = asyncio.run(produce(bootstrap, tips))
    wait_for_tips(sent)
    rest = {t: [e for part in parts for e in part[t]] for t in contracts.topics() if t != "tips.received"}
    return sent + asyncio.run(produce(bootstrap, rest))

"""The officers' work on the demo's tips, as the events their actions produce on
`tips.verification` (the same data as `POST /tips/{id}/legal` and `/decision` and a case's
conversion write), each dated within the tip's legal clock (verification's clocks.py):

- every tip is forwarded within its 24 hours (Art. 145, Joint Circular 01/2017);
- not valuable and duplicate tips are decided within the 20 days (Art. 147);
- a valuable tip is either converted into its case (the case opens within the 20 days) or
  closed by a decision not to prosecute, within the 20 days or, for one in four, within the
  2 months of an extension decided before the 20 days ran out (Art. 147(2)).

`TipWork` is one tip's history being written; `decide_all` plans the year's. The versions are
those verification gives: each step or decision adds one to the tip's version."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from services.common.times import iso
from services.verification import clocks, legal

OFFICER = {"username": "canbo.380", "role": "officer", "unit_code": "380"}
BASIS = {"forward": "Thông tư liên tịch 01/2017/TTLT, Điều 145 BLTTHS", "extend": "Khoản 2 Điều 147 BLTTHS",
         "not_prosecute": "Điều 147, Điều 157 BLTTHS", "prosecute": "Điều 147, Điều 143 BLTTHS"}
NOTES = {"valuable": "Đã xác minh, tin có cơ sở.", "not_valuable": "Đã xác minh, không có dấu hiệu vi phạm.",
         "duplicate": "Trùng với tin đã tiếp nhận.", "not_prosecute": "Không có dấu hiệu tội phạm; chuyển xử lý hành chính.",
         "extend": "Vụ việc phức tạp, cần thêm thời gian xác minh.", "forward": None}


class Emitter(Protocol):
    rnd: random.Random

    def emit(self, topic: str, schema: str, subject: str, data: dict, when: datetime) -> None: ...


@dataclass
class TipWork:
    """One tip's legal steps and decisions, emitted in order with their versions."""
    out: Emitter
    tip_id: str
    received: datetime
    actor: dict
    status: str = "received"
    version: int = 0
    steps: list[clocks.Step] = field(default_factory=list)

    def deadlines(self) -> clocks.Deadlines:
        return clocks.deadlines(self.received, steps=tuple(self.steps))

    def step(self, kind: str, at: datetime) -> "TipWork":
        """A legal step; ValueError if the clock rules refuse it at `at` (as the API's 409)."""
        final = kind in legal.FINAL_STEPS
        if final and at >= self.deadlines().decide_by:
            raise ValueError(f"{self.tip_id}: {kind} after the deadline")
        if not final:
            self.steps.append(clocks.Step(kind, at))
        self.version += 1
        self.out.emit("tips.verification", "tip.legal_step/1", self.tip_id, {
            "tip_id": self.tip_id, "step": kind, "legal_basis": BASIS[kind], "note": NOTES.get(kind),
            "months": None, "at": iso(at), "status": self.status, "version": self.version,
            "deadlines": legal.deadlines_event(self.deadlines()), "legal_decision": kind if final else None,
            "actor": self.actor}, at)
        return self

    def decide(self, status: str, at: datetime, duplicate_of: str | None = None) -> "TipWork":
        """A verdict (or the conversion by a case), within the deadline that runs."""
        d = self.deadlines()
        if at >= (d.decide_by if d.forwarded else d.forward_by):
            raise ValueError(f"{self.tip_id}: {status} after the deadline")
        self.version += 1
        self.out.emit("tips.verification", "tip.status_changed/1", self.tip_id, {
            "tip_id": self.tip_id, "status": status, "previous_status": self.status, "version": self.version,
            "changed_at": iso(at), "actor": self.actor, "duplicate_of": duplicate_of,
            "note": NOTES.get(status)}, at)
        self.status = status
        return self


def _hours(out: Emitter, low: float, high: float) -> timedelta:
    return timedelta(hours=out.rnd.uniform(low, high))


def decide_all(out: Emitter, valuable: list[tuple[str, str, datetime]], rest: list[tuple[str, str, datetime]],
               opened: dict[str, datetime]) -> None:
    """Forward and decide every tip: `valuable` ones converted at `opened[tip_id]` (their case)
    or not prosecuted; of the `rest`, one in seven a duplicate of an earlier tip of its ward."""
    for i, (tip_id, ward, received) in enumerate(valuable):
        work = TipWork(out, tip_id, received, {**OFFICER, "unit_code": ward})
        work.step("forward", received + _hours(out, 0.5, 20))
        if tip_id in opened:
            work.decide("valuable", received + _hours(out, 24, 60))
            work.decide("converted", opened[tip_id])
        elif i % 4 == 0:  # complex: extended before the 20 days, decided within the 2 months
            work.step("extend", received + _hours(out, 24 * 8, 24 * 17))
            work.decide("valuable", received + _hours(out, 24 * 20, 24 * 35))
            work.step("not_prosecute", received + _hours(out, 24 * 36, 24 * 50))
        else:
            decided = received + _hours(out, 24 * 2, 24 * 12)
            work.decide("valuable", decided)
            work.step("not_prosecute", decided + _hours(out, 24, 24 * 5))
    last_in_ward: dict[str, str] = {}
    for j, (tip_id, ward, received) in enumerate(sorted(rest, key=lambda t: t[2])):
        work = TipWork(out, tip_id, received, {**OFFICER, "unit_code": ward})
        work.step("forward", received + _hours(out, 0.5, 20))
        earlier = last_in_ward.get(ward)
        decided = received + _hours(out, 24, 24 * 15)
        if j % 7 == 0 and earlier:
            work.decide("duplicate", decided, duplicate_of=earlier)
        else:
            work.decide("not_valuable", decided)
        last_in_ward[ward] = tip_id

"""The legal clocks of a tip (BLTTHS 2015 Arts. 147–149, Joint Circular 01/2017). Pure.

Rules: the ward police forward a tip within 24 h of receipt (48 h for a unit marked remote);
the investigating body decides within 20 days of receipt, extended to 2 months from receipt
for a complex tip, then once more by the procuracy by up to 2 months; a suspension stops the
clock, and a resumed tip must be decided within 1 month of the resumption.

How time is counted (our reading of Art. 137, "cách tính thời hạn"), always in
Asia/Ho_Chi_Minh:
- Hours are exact: received 09:30 on 1 March → forward by 09:30 on 2 March.
- Days and months end at 24:00 of their last day ("hết vào lúc 24 giờ ngày cuối cùng"). A
  deadline is the instant that ends it, 00:00 of the next day; the tip is overdue from then on.
- "20 days from receipt": the day of receipt is day 1 (the stricter of the two readings):
  received at any hour of 1 March → decide by the end of 20 March (00:00 on 21 March).
- "N months": ends on the same-numbered day N months later, or on the last day of that month
  when it has no such day ("ngày trùng của tháng sau"): 15 January + 1 month → end of
  15 February; 31 January + 1 month → end of 28 February (29 in a leap year).
- The procuracy's extension runs from the last day of the 2-month deadline; a resumption's
  month runs from the day of the resumption.
- Deadlines are not moved off weekends or holidays: they are never later than the law's.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from services.common.times import VIETNAM

DECIDE_DAYS = 20
COMPLEX_MONTHS = 2
PROCURACY_MAX_MONTHS = 2
RESUMED_MONTHS = 1
NEAR = timedelta(hours=48)

StepKind = Literal["forward", "extend", "procuracy_extend", "suspend", "resume"]
State = Literal["ok", "near", "overdue", "stopped"]


@dataclass(frozen=True)
class Step:
    """A recorded legal step; `months` only for the procuracy's extension (1 or 2)."""
    kind: StepKind
    at: datetime
    months: int = PROCURACY_MAX_MONTHS


@dataclass(frozen=True)
class Deadlines:
    forward_by: datetime
    decide_by: datetime | None  # None while suspended
    forwarded: bool = False
    extended: bool = False
    procuracy_extended: bool = False
    suspended: bool = False


@dataclass(frozen=True)
class ClockState:
    state: State
    deadline: datetime | None  # the deadline that matters now; None when stopped
    which: Literal["forward", "decide"] | None


def deadlines(received_at: datetime, *, remote: bool = False, steps: tuple[Step, ...] = ()) -> Deadlines:
    """The tip's deadlines after its legal steps (in time order). ValueError for a step the
    law does not allow at that point."""
    received = _local(received_at)
    current = Deadlines(forward_by=received + timedelta(hours=48 if remote else 24),
                        decide_by=_end_of(received.date() + timedelta(days=DECIDE_DAYS - 1)))
    last = received
    for step in steps:
        at = _local(step.at)
        if at < last:
            raise ValueError(f"step {step.kind!r} at {at} is before the previous one")
        current, last = _apply(current, step, at, received.date()), at
    return current


def _apply(d: Deadlines, step: Step, at: datetime, received: date) -> Deadlines:
    if step.kind == "forward":
        _require(not d.forwarded, "the tip was already forwarded")
        return replace(d, forwarded=True)
    if step.kind == "suspend":
        _require(not d.suspended, "the tip is already suspended")
        return replace(d, suspended=True, decide_by=None)
    if step.kind == "resume":
        _require(d.suspended, "only a suspended tip can resume")
        return replace(d, suspended=False, decide_by=_end_of(_add_months(at.date(), RESUMED_MONTHS)))
    _require(not d.suspended and d.decide_by is not None and at < d.decide_by,
             "an extension must be decided while the clock runs, before the deadline")
    if step.kind == "extend":
        _require(not d.extended, "a tip is extended to 2 months only once")
        return replace(d, extended=True, decide_by=_end_of(_add_months(received, COMPLEX_MONTHS)))
    if step.kind == "procuracy_extend":
        _require(d.extended and not d.procuracy_extended,
                 "the procuracy extends once, after the 2-month extension")
        _require(1 <= step.months <= PROCURACY_MAX_MONTHS, "the procuracy extends by 1 or 2 months")
        last_day = d.decide_by.date() - timedelta(days=1)
        return replace(d, procuracy_extended=True, decide_by=_end_of(_add_months(last_day, step.months)))
    raise ValueError(f"unknown step {step.kind!r}")


def clock_state(d: Deadlines, now: datetime, near: timedelta = NEAR) -> ClockState:
    """ok / near (the deadline is within `near`) / overdue / stopped (suspended), and the
    deadline that matters: forwarding until the tip is forwarded, then the decision."""
    if d.suspended:
        return ClockState("stopped", None, None)
    which = "decide" if d.forwarded else "forward"
    deadline = d.decide_by if d.forwarded else d.forward_by
    now = _local(now)
    state: State = "overdue" if now >= deadline else "near" if deadline - now <= near else "ok"
    return ClockState(state, deadline, which)


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("times must carry a zone")
    return value.astimezone(VIETNAM)


def _end_of(day: date) -> datetime:
    """24:00 of `day` in Vietnam, i.e. 00:00 of the next day."""
    return datetime.combine(day + timedelta(days=1), time(), VIETNAM)


def _add_months(day: date, months: int) -> date:
    """The same-numbered day `months` later, or that month's last day if it has none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise ValueError(reason)

"""Pure rules of a tip's legal steps and of its running clock: which step is allowed, the
deadlines after it, the deadline that matters now, and when the next deadline alert is due.

A tip's clock runs until a final legal decision (prosecute / not prosecute) while its status
is `received` or `valuable` (not valuable, duplicate and converted tips are settled by the
officer or by their case). The clock fields kept on the tip document make the sweep's and the
queue's queries simple: `clock_due` (the deadline that matters now, None when stopped),
`clock_which` (forward / decide) and `next_alert_at` (when the sweep must look at it again).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from services.common.commands import LegalStep
from services.common.errors import ApiError
from services.common.times import iso

from . import clocks

FINAL_STEPS = ("prosecute", "not_prosecute")
CLOCK_STATUSES = ("received", "valuable")
AlertKind = Literal["deadline_near", "deadline_passed"]


def check_body(body: LegalStep) -> None:
    if body.months is not None and body.step != "procuracy_extend":
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "months", "reason": "is only allowed for 'procuracy_extend'"}])


def current_state(tip: dict) -> dict:
    """What a 409 shows: the tip's state, its legal position and who holds it."""
    deadlines = {k: iso(v) if isinstance(v, datetime) else v for k, v in (tip.get("deadlines") or {}).items()}
    return {"status": tip["status"], "version": tip["version"],
            "legal_decision": tip.get("legal_decision"), "deadlines": deadlines,
            "claimed_by": (tip.get("claim") or {}).get("username")}


def check_claim(tip: dict, username: str) -> None:
    """409 if another officer holds the tip's claim."""
    holder = (tip.get("claim") or {}).get("username")
    if holder not in (None, username):
        raise ApiError(409, f"the tip is claimed by {holder}", extra={"current": current_state(tip)})


def deadlines_of(tip: dict, extra: clocks.Step | None = None) -> clocks.Deadlines:
    """The tip's deadlines from its received time and recorded clock steps (plus `extra`)."""
    steps = tuple(clocks.Step(s["step"], s["at"], s.get("months") or clocks.PROCURACY_MAX_MONTHS)
                  for s in tip.get("legal_steps", []) if s["step"] not in FINAL_STEPS)
    return clocks.deadlines(tip["received_at"], remote=tip.get("remote", False),
                            steps=steps + ((extra,) if extra else ()))


def apply_step(tip: dict, body: LegalStep, at: datetime) -> tuple[clocks.Deadlines, str | None]:
    """The deadlines and legal decision after `body`; 409 with the current state if the tip's
    state forbids the step (a final decision was taken, or the clock rules refuse it)."""
    current = current_state(tip)
    if body.version is not None and body.version != tip["version"]:
        raise ApiError(409, f"the tip changed since version {body.version}", extra={"current": current})
    if tip.get("legal_decision"):
        raise ApiError(409, f"the tip was already decided ({tip['legal_decision']})", extra={"current": current})
    before = deadlines_of(tip)
    if body.step in FINAL_STEPS:
        if before.suspended:
            raise ApiError(409, "a suspended tip must resume before it is decided", extra={"current": current})
        return before, body.step
    step = clocks.Step(body.step, at, body.months or clocks.PROCURACY_MAX_MONTHS)
    try:
        return deadlines_of(tip, step), None
    except ValueError as exc:
        raise ApiError(409, f"step {body.step!r} is not allowed now: {exc}", extra={"current": current}) from None


def deadlines_doc(d: clocks.Deadlines) -> dict:
    return {"forward_by": d.forward_by, "decide_by": d.decide_by, "forwarded": d.forwarded,
            "extended": d.extended, "procuracy_extended": d.procuracy_extended, "suspended": d.suspended}


def deadlines_event(d: clocks.Deadlines) -> dict:
    doc = deadlines_doc(d)
    return {**doc, "forward_by": iso(d.forward_by), "decide_by": iso(d.decide_by) if d.decide_by else None}


def due(d: clocks.Deadlines, status: str, legal_decision: str | None) -> tuple[datetime | None, str | None]:
    """The deadline that matters now and which one; (None, None) when the clock is stopped."""
    if status not in CLOCK_STATUSES or legal_decision or d.suspended:
        return None, None
    return (d.decide_by, "decide") if d.forwarded else (d.forward_by, "forward")


def mark(deadline: datetime) -> str:
    """A deadline as the key of its alerts (seconds; the database keeps milliseconds)."""
    return iso(deadline.replace(microsecond=0))


def next_alert_at(due_at: datetime | None, alerted: dict, near: timedelta) -> datetime | None:
    """When the sweep must look at the tip again: the start of the near window, the deadline
    itself once the near alert went out, or never (stopped clock, or both alerts sent)."""
    if due_at is None or alerted.get("deadline_passed") == mark(due_at):
        return None
    if alerted.get("deadline_near") == mark(due_at):
        return due_at
    return due_at - near


def clock_fields(d: clocks.Deadlines, status: str, legal_decision: str | None, alerted: dict,
                 near: timedelta) -> dict:
    due_at, which = due(d, status, legal_decision)
    return {"clock_due": due_at, "clock_which": which,
            "next_alert_at": next_alert_at(due_at, alerted, near)}


def alert_due(tip: dict, now: datetime, near: timedelta) -> AlertKind | None:
    """The alert the tip owes now, if any: passed once its deadline is over (a tip found
    already overdue gets only that one), near inside the window before it."""
    due_at = tip.get("clock_due")
    if due_at is None:
        return None
    key = mark(due_at)
    alerted = tip.get("alerted") or {}
    if now >= due_at:
        return None if alerted.get("deadline_passed") == key else "deadline_passed"
    if due_at - now <= near and alerted.get("deadline_near") != key:
        return "deadline_near"
    return None


def alerted_after(tip: dict, kind: AlertKind) -> dict:
    """The tip's alert marks after sending `kind` (passed implies near for that deadline)."""
    key = mark(tip["clock_due"])
    marks = {**(tip.get("alerted") or {}), kind: key}
    if kind == "deadline_passed":
        marks["deadline_near"] = key
    return marks


def clock_view(tip: dict, now: datetime, near: timedelta) -> dict:
    """ok / near / overdue / stopped (suspended or settled), and the deadline that matters."""
    if tip.get("clock_due") is None:
        return {"state": "stopped", "deadline": None, "which": None}
    found = clocks.clock_state(deadlines_of(tip), now, near)
    return {"state": found.state, "deadline": found.deadline, "which": found.which}

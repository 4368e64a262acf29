"""Pure: a tip's state after a `tip.status_changed` or `tip.legal_step` event recorded on
`tips.verification` by another writer than this service's API (a past year's decisions brought
in from the records, e.g. the demo year of `services/devstack/demo_year.py`).

Verification reads its own topic back (agents.py): an event of its own outbox carries the
version the tip already has, so it changes nothing; an event whose version is the tip's next
one is applied as the API would have applied it (the same history entry, legal steps, deadlines
and clock fields, computed by legal.py); an event that skips versions or breaks the rules is
refused with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from services.common.times import parse

from . import clocks, domain, legal


class Refused(ValueError):
    """The event cannot be applied to the tip (a gap in versions, a move the rules forbid)."""


@dataclass
class Update:
    """The events of one tip folded into one write: from `version` (the tip as read), `$set`
    the fields and `$push` each list's new entries."""
    version: int
    fields: dict = field(default_factory=dict)
    push: dict[str, list] = field(default_factory=dict)


def fold(tips: dict[str, dict], events: list, near: timedelta) -> tuple[dict[str, Update], list[tuple[object, str]]]:
    """The writes that apply `events` (in their order; each with `type`, `subject`, `data`) to
    `tips`, one per tip, and the events refused with the reason (an unknown tip among them)."""
    updates: dict[str, Update] = {}
    refused: list[tuple[object, str]] = []
    current = dict(tips)
    for event in events:
        tip = current.get(event.subject)
        if tip is None:
            refused.append((event, f"no tip {event.subject} in verification"))
            continue
        try:
            change = changes(tip, event.type, event.data, near)
        except Refused as exc:
            refused.append((event, str(exc)))
            continue
        if change is None:
            continue
        fields, push = change
        update = updates.setdefault(event.subject, Update(tip["version"]))
        update.fields.update(fields)
        for key, value in push.items():
            update.push.setdefault(key, []).append(value)
        current[event.subject] = {**tip, **fields, **{k: tip.get(k, []) + [v] for k, v in push.items()}}
    return updates, refused


def changes(tip: dict, event_type: str, data: dict, near: timedelta) -> tuple[dict, dict] | None:
    """The `$set` and `$push` of the event on `tip`; None if the tip already has it."""
    if data["version"] <= tip["version"]:
        return None
    if data["version"] != tip["version"] + 1:
        raise Refused(f"version {data['version']} after {tip['version']}: an event is missing")
    if event_type == "tip.status_changed":
        return _status(tip, data, near)
    if event_type == "tip.legal_step":
        return _legal_step(tip, data, near)
    raise Refused(f"{event_type} does not change a tip")


def _status(tip: dict, data: dict, near: timedelta) -> tuple[dict, dict]:
    target = data["status"]
    if data["previous_status"] != tip["status"] or target not in domain.TRANSITIONS[tip["status"]]:
        raise Refused(f"a tip in state {tip['status']!r} cannot become {target!r}")
    clock = legal.clock_fields(legal.deadlines_of(tip), target, tip.get("legal_decision"),
                               tip.get("alerted") or {}, near)
    history = {"status": target, "at": parse(data["changed_at"]), "actor": data["actor"],
               "note": data.get("note"), "duplicate_of": data.get("duplicate_of")}
    return {"status": target, "version": data["version"], "claim": None, **clock}, {"history": history}


def _legal_step(tip: dict, data: dict, near: timedelta) -> tuple[dict, dict]:
    if tip.get("legal_decision"):
        raise Refused(f"the tip was already decided ({tip['legal_decision']})")
    at, months = parse(data["at"]), data.get("months")
    if data["step"] in legal.FINAL_STEPS:
        deadlines, decision = legal.deadlines_of(tip), data["step"]
    else:
        try:
            deadlines = legal.deadlines_of(tip, clocks.Step(data["step"], at, months or clocks.PROCURACY_MAX_MONTHS))
        except ValueError as exc:
            raise Refused(f"step {data['step']!r} is not allowed: {exc}") from None
        decision = None
    fields = {"deadlines": legal.deadlines_doc(deadlines), "legal_decision": decision, "version": data["version"],
              **legal.clock_fields(deadlines, tip["status"], decision, tip.get("alerted") or {}, near)}
    step = {"step": data["step"], "at": at, "legal_basis": data["legal_basis"], "note": data.get("note"),
            "months": months, "actor": data["actor"]}
    return fields, {"legal_steps": step}

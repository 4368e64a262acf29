"""Pure logic of verification: the tip's states, who may move a tip, and where. No I/O."""
from __future__ import annotations

from datetime import timedelta

from services.common.commands import Decision
from services.common.errors import ApiError
from services.common.times import parse

from . import clocks, legal
from .triage import triage

# Where a tip may go from each state. "converted" is reached only through a case (cases.py).
TRANSITIONS: dict[str, set[str]] = {
    "received": {"valuable", "not_valuable", "duplicate"},
    "valuable": {"converted"},
    "not_valuable": set(),
    "duplicate": set(),
    "converted": set(),
}
DECIDING_ROLES = ("officer", "commander", "admin")
VIEWING_ROLES = ("officer", "commander", "admin", "clerk", "ops")


def check_decision(tip_id: str, decision: Decision) -> None:
    fields = []
    if decision.outcome == "duplicate" and not decision.duplicate_of:
        fields.append({"field": "duplicate_of", "reason": "is required when outcome is 'duplicate'"})
    if decision.outcome != "duplicate" and decision.duplicate_of:
        fields.append({"field": "duplicate_of", "reason": "is only allowed when outcome is 'duplicate'"})
    if decision.duplicate_of == tip_id:
        fields.append({"field": "duplicate_of", "reason": "a tip cannot duplicate itself"})
    if fields:
        raise ApiError(422, "the request has invalid fields", fields=fields)


def check_transition(tip: dict, target: str, expected_version: int | None, username: str | None = None) -> None:
    """409 with the tip's current state if the move is not allowed, the tip changed, or
    another officer (not `username`) holds its claim."""
    current = {"status": tip["status"], "version": tip["version"]}
    if username is not None:
        legal.check_claim(tip, username)
    if expected_version is not None and expected_version != tip["version"]:
        raise ApiError(409, f"the tip changed since version {expected_version}", extra={"current": current})
    if target not in TRANSITIONS[tip["status"]]:
        raise ApiError(409, f"a tip in state {tip['status']!r} cannot become {target!r}",
                       extra={"current": current})


def is_remote(unit_path: list[str], remote_codes: frozenset[str]) -> bool:
    """A unit is remote if it, or a unit above it, is marked remote (REMOTE_UNITS)."""
    return not remote_codes.isdisjoint(unit_path)


def tip_from_event(data: dict, *, remote: bool = False, near: timedelta = clocks.NEAR) -> dict:
    """The state document of a newly received tip (the fields officers work with), with its
    triage, legal deadlines and clock fields (legal.py); `remote` for a unit marked remote
    (48 h to forward), `near` the window of the deadline-near alert."""
    received_at = parse(data["received_at"])
    found = triage(data["content"], data.get("category"))
    clock = clocks.deadlines(received_at, remote=remote)
    return {"_id": data["tip_id"], "channel": data["channel"], "content": data["content"],
            "unit_code": data["unit_code"], "unit_path": data.get("unit_path") or [data["unit_code"]],
            "unit_era": data.get("unit_era", "legacy"), "unit_path_2025": data.get("unit_path_2025"),
            "location": data.get("location"), "occurred_at": parse(data.get("occurred_at")),
            "received_at": received_at, "category": data.get("category") or found.category,
            "priority": found.priority, "triage": found.as_dict(),
            "deadlines": {"forward_by": clock.forward_by, "decide_by": clock.decide_by},
            "programme_code": data.get("programme_code"), "anonymous": data["anonymous"],
            "attachments": data.get("attachments", []),
            "status": "received", "version": 0, "history": [], "outbox": [],
            "remote": remote, "legal_steps": [], "legal_decision": None, "claim": None, "case_id": None,
            "alerted": {}, **legal.clock_fields(clock, "received", None, {}, near)}


QUEUE_KEY_FIELDS = ("qk0", "qk1", "qk2")  # the queue's sort keys per unit level (queue.py)
INTERNAL = ("_id", "outbox", "next_alert_at", "content_words", *QUEUE_KEY_FIELDS)


def public_view(tip: dict) -> dict:
    """The officer's view of a tip: never the informant's identity (intake keeps that)."""
    view = {k: v for k, v in tip.items() if k not in INTERNAL}
    return {"tip_id": tip["_id"], **view}

"""Pure rules of cases: which tips may be linked, the status moves, and the events of
`schemas/events/case.*` (topic `cases`) and of a tip's conversion. No I/O. The request bodies
(NewCase, LinkTips, CaseStatusChange) are in services/common/commands.py.

Status moves: open → clarified (the facts are established), open → closed, clarified →
closed, and clarified → open (a clarification turned out wrong; the case is worked again).
A closed case is final: new facts open a new case. Tips are linked to open cases only.
Roles: officers, commanders and admins write; they alone read cases too, since cases are
investigation leads (need to know): clerks record tips and ops run the system, neither works
cases.
"""
from __future__ import annotations

import uuid

from services.common import contracts
from services.common.commands import CaseStatusChange
from services.common.errors import ApiError

TRANSITIONS: dict[str, set[str]] = {
    "open": {"clarified", "closed"},
    "clarified": {"closed", "open"},
    "closed": set(),
}
CASE_ROLES = ("officer", "commander", "admin")
MOVE_ORDER = ("clarified", "closed", "open")  # how `moves` lists them


def new_case_id() -> str:
    return f"C-{uuid.uuid4().hex[:16].upper()}"


def tip_state(tip: dict) -> dict:
    return {"tip_id": tip["_id"], "status": tip["status"], "version": tip["version"],
            "case_id": tip.get("case_id")}


def check_tips(tip_ids: list[str], found: dict[str, dict], case_unit: str) -> None:
    """Every tip exists (422), lies within the case's unit (403) and is valuable and in no
    other case (409 with that tip's current state)."""
    missing = [{"field": f"tip_ids.{i}", "reason": "no such tip"} for i, t in enumerate(tip_ids) if t not in found]
    if missing:
        raise ApiError(422, "the request has invalid fields", fields=missing)
    for tip_id in tip_ids:
        tip = found[tip_id]
        if case_unit not in tip.get("unit_path", [tip["unit_code"]]):
            raise ApiError(403, f"tip {tip_id} (unit {tip['unit_code']}) is outside the case's unit {case_unit}")
        if tip["status"] != "valuable" or tip.get("case_id"):
            raise ApiError(409, f"tip {tip_id} in state {tip['status']!r} cannot be linked to a case; "
                                "it must be valuable and in no case", extra={"current": tip_state(tip)})


def check_status_change(case: dict, change: CaseStatusChange) -> None:
    current = {"status": case["status"], "version": case["version"]}
    if change.version is not None and change.version != case["version"]:
        raise ApiError(409, f"the case changed since version {change.version}", extra={"current": current})
    if change.status not in TRANSITIONS[case["status"]]:
        raise ApiError(409, f"a case in state {case['status']!r} cannot become {change.status!r}",
                       extra={"current": current})


def check_linkable(case: dict) -> None:
    if case["status"] != "open" or case.get("pending"):
        reason = "is being changed" if case.get("pending") else f"is {case['status']}"
        raise ApiError(409, f"tips are linked to open cases only; this case {reason}",
                       extra={"current": {"status": case["status"], "version": case["version"]}})


def opened_event(case: dict, tip_ids: list[str], actor: dict, at: str) -> dict:
    return contracts.make_event("case.opened/1", subject=case["_id"], source="verification", data={
        "case_id": case["_id"], "unit_code": case["unit_code"], "unit_path": case["unit_path"],
        "tip_ids": tip_ids, "opened_at": at, "version": 1, "actor": actor}).to_dict()


def linked_event(case_id: str, tip_ids: list[str], version: int, actor: dict, at: str) -> dict:
    return contracts.make_event("case.tips_linked/1", subject=case_id, source="verification", data={
        "case_id": case_id, "tip_ids": tip_ids, "linked_at": at, "version": version,
        "actor": actor}).to_dict()


def status_event(case: dict, change: CaseStatusChange, actor: dict, at: str) -> dict:
    return contracts.make_event("case.status_changed/1", subject=case["_id"], source="verification", data={
        "case_id": case["_id"], "status": change.status, "previous_status": case["status"],
        "changed_at": at, "version": case["version"] + 1, "note": change.note, "actor": actor}).to_dict()


def converted_event(tip: dict, case_id: str, actor: dict, at: str) -> dict:
    """A linked tip's `tip.status_changed/1`: valuable → converted ("chuyển hóa")."""
    return contracts.make_event("tip.status_changed/1", subject=tip["_id"], source="verification", data={
        "tip_id": tip["_id"], "status": "converted", "previous_status": tip["status"],
        "version": tip["version"] + 1, "changed_at": at, "actor": actor, "duplicate_of": None,
        "note": f"case {case_id}"}).to_dict()


def moves(status: str) -> list[str]:
    """The statuses a case in `status` may change to."""
    return [s for s in MOVE_ORDER if s in TRANSITIONS[status]]


def public_view(case: dict) -> dict:
    view = {k: v for k, v in case.items() if k not in ("_id", "outbox", "pending")}
    return {"case_id": case["_id"], **view}

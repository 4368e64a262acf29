"""Pure rules of the programme registry ("mô hình tự quản": the environment workers' patrols,
community cameras, household clusters...): the checks of a registration beyond its shape
(`ProgrammeIn`, with the kinds, in services/common/commands.py), who may register and read,
the stored document, the `programme.registered/1` data and the public view. No I/O.

Tips are never refused for their `programme_code` (every tip must be received, BLTTHS Art.
144): the registry only names programmes for pickers, statistics and reports.
"""
from __future__ import annotations

from datetime import datetime

from services.common import units
from services.common.auth import ROLES, Principal
from services.common.commands import ProgrammeIn
from services.common.errors import ApiError
from services.common.times import iso

REGISTERING_ROLES = ("commander", "admin")
READING_ROLES = ROLES  # every staff role: clerks pick programmes, officers and operators read them
EARLIEST_LAUNCH = datetime(1945, 9, 2)  # nothing launched before the state existed


def invalid(*fields: tuple[str, str]) -> ApiError:
    return ApiError(422, "the request has invalid fields",
                    fields=[{"field": f, "reason": r} for f, r in fields])


def check_programme(body: ProgrammeIn, user: Principal, now: datetime) -> list[str]:
    """The programme's unit path; 422 naming each bad field, 403 outside the caller's unit."""
    problems = []
    if units.get(body.unit_code) is None:
        problems.append(("unit_code", f"no administrative unit has code {body.unit_code}"))
    if body.launched_at > now:
        problems.append(("launched_at", "is in the future"))
    elif body.launched_at < EARLIEST_LAUNCH.replace(tzinfo=body.launched_at.tzinfo):
        problems.append(("launched_at", "is before 1945-09-02"))
    if problems:
        raise invalid(*problems)
    if not user.covers(body.unit_code):
        raise ApiError(403, f"unit {body.unit_code} is outside your unit {user.unit_code}",
                       fields=[{"field": "unit_code", "reason": "outside your unit"}])
    return units.path(body.unit_code)


def programme_doc(body: ProgrammeIn, unit_path: list[str], user: Principal, now: datetime) -> dict:
    return {"_id": body.code, "code": body.code, "name": body.name, "kind": body.kind,
            "unit_code": body.unit_code, "unit_path": unit_path, "launched_at": body.launched_at,
            "members": body.members, "registered_at": now, "registered_by": user.as_actor(),
            "outbox": []}


def registered_data(doc: dict) -> dict:
    """`programme.registered/1`: the registry fact (no person's name: `registered_by` stays here)."""
    return {"code": doc["code"], "name": doc["name"], "kind": doc["kind"], "unit_code": doc["unit_code"],
            "unit_path": doc["unit_path"], "launched_at": iso(doc["launched_at"]),
            "members": doc["members"], "registered_at": iso(doc["registered_at"])}


def programme_view(doc: dict) -> dict:
    return {"code": doc["_id"], "name": doc["name"], "kind": doc["kind"], "unit_code": doc["unit_code"],
            "unit_path": doc["unit_path"], "launched_at": iso(doc["launched_at"]),
            "members": doc["members"], "registered_at": iso(doc["registered_at"])}

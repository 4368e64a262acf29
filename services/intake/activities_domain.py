"""Pure rules of programme activities (the patrols of "Tuần tra Nhân dân", armed patrols,
dispute mediation, propaganda): what `POST /activities` may contain, who may log one, the
stored document, the `activity.logged/1` data and the view. No I/O.

A record may stand for several outings (`count`, default 1): a ward's logbook is often kept
as a roll-up (a month's patrols of one programme in one ward), and `participants` is then the
person-times over all of them ("lượt người tham gia"), as the steering committees report.
`activity_id` (optional, chosen by the client) is the idempotency key: the same id with the
same body gives the first answer again, with another body 409.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

from services.common import units
from services.common.auth import Principal
from services.common.commands import PROGRAMME_CODE_PATTERN
from services.common.errors import ApiError
from services.common.times import iso, zoned

from .programmes_domain import invalid

Kind = Literal["patrol", "armed_patrol", "dispute_mediation", "propaganda", "other"]
KINDS: tuple[str, ...] = get_args(Kind)
FINDINGS = ("traffic", "drugs", "theft", "disputes_settled", "other")
LOGGING_ROLES = ("clerk", "commander", "admin")
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{2,79}$"
MAX_COUNT = 100_000  # outings one record may stand for (a year of a city's patrols is ~10,000)
MAX_PARTICIPANTS = 10_000_000
Count = Annotated[int, Strict()]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
IMPORT_KIND, IMPORT_PREFIX = "activities", "IA-"  # import jobs of activity sheets


class Findings(BaseModel):
    """What the activity found or settled, as counts (each 0 when left out)."""
    model_config = ConfigDict(extra="forbid")
    traffic: Count = Field(0, ge=0, le=MAX_PARTICIPANTS, description="traffic violations found")
    drugs: Count = Field(0, ge=0, le=MAX_PARTICIPANTS, description="drug cases found")
    theft: Count = Field(0, ge=0, le=MAX_PARTICIPANTS, description="thefts found")
    disputes_settled: Count = Field(0, ge=0, le=MAX_PARTICIPANTS, description="disputes settled in the community")
    other: Count = Field(0, ge=0, le=MAX_PARTICIPANTS, description="anything else found")


class ActivityIn(BaseModel):
    """The body of `POST /activities` (and one row of an activity import)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    activity_id: str | None = Field(None, pattern=ID_PATTERN,
                                    description="your id for it (3-80 letters, digits, _ . : -): a retried "
                                                "request with the same id is logged once")
    programme_code: str = Field(pattern=PROGRAMME_CODE_PATTERN, description="a registered programme's code")
    kind: Kind
    unit_code: str = Field(pattern=r"^[0-9]{2,5}$", description="the unit patrolled (the programme's or one below)")
    started_at: datetime = Field(description="RFC 3339 or a date; without a zone, Vietnam's time")
    ended_at: datetime
    count: Count = Field(1, ge=1, le=MAX_COUNT, description="outings this record stands for (a roll-up)")
    participants: Count = Field(ge=1, le=MAX_PARTICIPANTS, description="person-times over all the outings")
    findings: Findings = Field(default_factory=Findings)
    note: str | None = Field(None, max_length=2000)

    _vietnam_time_by_default = field_validator("started_at", "ended_at")(zoned)


def check_fields(body: ActivityIn, now: datetime) -> list[str]:
    """The unit's path; 422 naming each bad field the model alone cannot see."""
    problems = []
    if units.get(body.unit_code) is None:
        problems.append(("unit_code", f"no administrative unit has code {body.unit_code}"))
    if body.ended_at < body.started_at:
        problems.append(("ended_at", "is before started_at"))
    if body.started_at > now:
        problems.append(("started_at", "is in the future"))
    if body.ended_at > now:
        problems.append(("ended_at", "is in the future"))
    if problems:
        raise invalid(*problems)
    return units.path(body.unit_code)


def check_access(body: ActivityIn, user: Principal) -> None:
    """403 outside the caller's unit (after the fields: an unknown unit is a 422)."""
    if not user.covers(body.unit_code):
        raise ApiError(403, f"unit {body.unit_code} is outside your unit {user.unit_code}",
                       fields=[{"field": "unit_code", "reason": "outside your unit"}])


def check_programme(body: ActivityIn, unit_path: list[str], programme: dict | None) -> None:
    """The programme must be registered, and the activity's unit be its unit or one below."""
    if programme is None:
        raise invalid(("programme_code", f"no programme {body.programme_code} is registered"))
    if programme["unit_code"] not in unit_path:
        raise invalid(("programme_code", f"belongs to unit {programme['unit_code']}, "
                                         f"which does not cover unit {body.unit_code}"))


def new_activity_id(now_ms: int | None = None) -> str:
    """`ACT-` and a time-ordered 26-character id."""
    n = ((now_ms if now_ms is not None else int(time.time() * 1000)) << 80) | secrets.randbits(80)
    return "ACT-" + "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(26)))


def fingerprint(body: ActivityIn) -> str:
    """What makes two requests with the same `activity_id` the same request."""
    fields = body.model_dump(mode="json", exclude={"activity_id"})
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _ms(dt: datetime) -> datetime:
    """A time as the database keeps it (milliseconds), so a replayed answer equals the first."""
    return dt.replace(microsecond=dt.microsecond // 1000 * 1000)


def activity_doc(body: ActivityIn, activity_id: str, unit_path: list[str], user: Principal,
                 now: datetime) -> dict:
    return {"_id": activity_id, "programme_code": body.programme_code, "kind": body.kind,
            "unit_code": body.unit_code, "unit_path": unit_path, "started_at": _ms(body.started_at),
            "ended_at": _ms(body.ended_at), "count": body.count, "participants": body.participants,
            "findings": body.findings.model_dump(), "note": body.note, "logged_at": _ms(now),
            "logged_by": user.as_actor(), "fingerprint": fingerprint(body), "outbox": []}


def logged_data(doc: dict) -> dict:
    """`activity.logged/1` (no person: `logged_by` stays in intake)."""
    return {"activity_id": doc["_id"], "programme_code": doc["programme_code"], "kind": doc["kind"],
            "unit_code": doc["unit_code"], "unit_path": doc["unit_path"], "started_at": iso(doc["started_at"]),
            "ended_at": iso(doc["ended_at"]), "count": doc["count"], "participants": doc["participants"],
            "findings": doc["findings"], "note": doc["note"], "logged_at": iso(doc["logged_at"])}


activity_view = logged_data  # what the API answers is the event's data

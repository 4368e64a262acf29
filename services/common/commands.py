"""The bodies of the HTTP commands, as `schemas/` is for events: one pydantic model per JSON body
that a client sends through the gateway, defined once here.

The owning service validates the body with its model (intake: tips, follow-up messages and
programmes; verification: decisions, cases and legal steps) and applies the rules that need
its state. The gateway forwards the body's bytes unchanged and reads these models only to
document them in its OpenAPI (`services/gateway/bodies.py`): the service's answer, a 422
naming every bad field included, goes back to the client as it is. Here live only the shapes
and the checks of one field alone; rules across fields, units, roles and states stay with the
owner (its `domain.py`, `cases.py`, `legal.py`, `programmes_domain.py`).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator

from .limits import TIP_CONTENT_MAX
from .times import zoned

# --- intake: POST /tips --------------------------------------------------------------------------

Channel = Literal["hotline", "walk_in", "tip_box", "leaflet", "web", "zalo", "sms", "programme"]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)


class TipSubmission(BaseModel):
    """The body of `POST /tips`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: Channel
    content: str = Field(min_length=1, max_length=TIP_CONTENT_MAX)
    unit_code: str | None = Field(None, pattern=r"^[0-9]{2,5}$")
    unit_era: Literal["legacy", "2025"] | None = Field(
        None, description="how to read unit_code: the units before the 2025 reform (the default "
                          "for any code that was one) or the merged units of 2025")
    location: Location | None = None
    occurred_at: datetime | None = None
    category: str | None = Field(None, max_length=64)
    programme_code: str | None = Field(None, max_length=64)
    anonymous: bool = True
    contact: Contact | None = None
    received_at: datetime | None = None
    idempotency_key: str | None = Field(None, min_length=8, max_length=128)
    attachments: list[Annotated[str, Field(pattern=r"^A-[0-9A-Z]{26}$")]] = Field(
        default_factory=list, max_length=10, description="ids from POST /attachments")

    _vietnam_time_by_default = field_validator("occurred_at", "received_at")(zoned)


# --- intake: POST /receipts/{receipt_code}/messages, POST /tips/{tip_id}/replies ------------------

class FollowUpMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=4000)


# --- intake: POST /programmes ----------------------------------------------------------------------

# The kinds seen in the seed articles (DOMAIN.md); `other` for anything else.
ProgrammeKind = Literal["environment_workers",  # "Công nhân môi trường - chiến sĩ tuần tra"
                        "camera",               # "Camera giám sát ANTT"
                        "worker_security",      # "Tổ an ninh công nhân" (FDI companies)
                        "neighbourhood",        # "Tổ liên gia tự quản", residential groups
                        "clan",                 # "Dòng họ tự quản"
                        "boarding_house",       # "CLB nhà trọ tự quản"
                        "school",               # "Cổng trường an toàn giao thông"
                        "business",             # businesses and markets
                        "other"]
PROGRAMME_KINDS: tuple[str, ...] = get_args(ProgrammeKind)
PROGRAMME_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{1,39}$"
PROGRAMME_CODE_RULE = "2 to 40 capital letters, digits, '-' or '_', e.g. CNMT-380"


class ProgrammeIn(BaseModel):
    """The body of `POST /programmes`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(min_length=2, max_length=40, description=PROGRAMME_CODE_RULE)
    name: str = Field(min_length=3, max_length=200)
    kind: ProgrammeKind
    unit_code: str = Field(pattern=r"^[0-9]{2,5}$")
    launched_at: datetime = Field(description="RFC 3339 or a date; without a zone, Vietnam's time")
    members: Annotated[int, Strict()] = Field(ge=0, le=10_000_000, description="how many members, a count")

    _vietnam_time_by_default = field_validator("launched_at")(zoned)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not re.fullmatch(PROGRAMME_CODE_PATTERN, value):
            raise ValueError(f"must be {PROGRAMME_CODE_RULE}")
        return value


# --- verification: POST /tips/{tip_id}/decision ----------------------------------------------------

Outcome = Literal["valuable", "not_valuable", "duplicate"]


class Decision(BaseModel):
    """The body of `POST /tips/{tip_id}/decision`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    outcome: Outcome
    duplicate_of: str | None = Field(None, min_length=1, max_length=64)
    note: str | None = Field(None, max_length=4000)
    version: int | None = Field(None, ge=0, description="the version you saw; 409 if it changed since")


# --- verification: POST /cases, /cases/{case_id}/tips, /cases/{case_id}/status ---------------------

CaseStatus = Literal["open", "clarified", "closed"]
MAX_CASE_TIPS = 50
_TipIds = Field(min_length=1, max_length=MAX_CASE_TIPS)


def _unique(ids: list[str]) -> list[str]:
    if len(set(ids)) != len(ids):
        raise ValueError("lists a tip twice")
    return ids


class NewCase(BaseModel):
    """The body of `POST /cases`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=3, max_length=300)
    unit_code: str = Field(pattern=r"^[0-9]{2,5}$")
    tip_ids: list[str] = _TipIds
    _unique_tips = field_validator("tip_ids")(_unique)


class LinkTips(BaseModel):
    """The body of `POST /cases/{case_id}/tips`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    tip_ids: list[str] = _TipIds
    _unique_tips = field_validator("tip_ids")(_unique)


class CaseStatusChange(BaseModel):
    """The body of `POST /cases/{case_id}/status`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: CaseStatus
    note: str | None = Field(None, max_length=4000)
    version: int | None = Field(None, ge=1, description="the version you saw; 409 if it changed since")


# --- verification: POST /tips/{tip_id}/legal --------------------------------------------------------

StepName = Literal["forward", "extend", "procuracy_extend", "suspend", "resume", "prosecute", "not_prosecute"]


class LegalStep(BaseModel):
    """The body of `POST /tips/{tip_id}/legal`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    step: StepName
    legal_basis: str = Field(min_length=3, max_length=500, description="e.g. 'Điều 147 BLTTHS'")
    note: str | None = Field(None, max_length=4000)
    months: int | None = Field(None, ge=1, le=2, description="procuracy_extend only: 1 or 2 months")
    version: int | None = Field(None, ge=0, description="the version you saw; 409 if it changed since")

"""Pure logic of intake: who may use which channel, the checks of a submission's fields beyond
its shape (`TipSubmission` in services/common/commands.py), tip ids and the `tip.received`
event's data. No I/O."""
from __future__ import annotations

import secrets
import time
from datetime import datetime

from services.common import units
from services.common.auth import Principal
from services.common.commands import TipSubmission
from services.common.errors import ApiError
from services.common.times import iso

PUBLIC_CHANNELS = {"web"}
# Roles that may record tips taken by a person (hotline, walk-in, tip box, leaflet, programme).
RECORDING_ROLES = {"clerk", "officer", "commander", "admin"}
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def check_access(tip: TipSubmission, user: Principal | None) -> None:
    """Without a token only the web form; person-taken channels need a recording role."""
    if tip.channel not in PUBLIC_CHANNELS:
        if user is None:
            raise ApiError(401, f"channel {tip.channel!r} needs a clerk's login; the public uses 'web'",
                           headers={"WWW-Authenticate": "Bearer"})
        if user.role not in RECORDING_ROLES:
            raise ApiError(403, f"role {user.role!r} may not record tips of channel {tip.channel!r}", fields=[
                {"field": "channel", "reason": "your role may not record tips of this channel", "code": "not_allowed"}])
    if tip.received_at is not None and (user is None or user.role not in RECORDING_ROLES):
        raise ApiError(422, "the request has invalid fields", fields=[
            {"field": "received_at", "reason": "only clerks recording an earlier tip may set it",
             "code": "received_at_not_allowed"}])


def resolve_unit(tip: TipSubmission, user: Principal | None) -> units.Placement:
    """The unit the tip belongs to: its `unit_code` (in `unit_era`), else the ward nearest its
    location; with the mapping to the 2025 units beside it."""
    if tip.unit_code is not None:
        placement = units.place(tip.unit_code, tip.unit_era)
        if placement is None:
            era = f"{tip.unit_era} " if tip.unit_era else ""
            raise _invalid("unit_code", f"no {era}administrative unit has code {tip.unit_code}", code="unknown_unit",
                           value=tip.unit_code)
    elif tip.location is not None:
        ward = units.nearest_ward(tip.location.lat, tip.location.lon)
        if ward is None:
            raise _invalid("location", "no administrative unit near this point", code="no_unit_near")
        placement = units.place(ward.code, "legacy")
    else:
        raise _invalid("unit_code", "is required unless location is given", code="unit_required")
    if user is not None and tip.channel not in PUBLIC_CHANNELS and not placement.covered_by(user.unit_code):
        field = "unit_code" if tip.unit_code is not None else "location"
        raise ApiError(403, f"unit {placement.code} is outside your unit {user.unit_code}", fields=[
            {"field": field, "reason": f"is outside your unit {user.unit_code}", "code": "outside_unit"}])
    return placement


def check_fields(tip: TipSubmission, now: datetime) -> None:
    """Rules across fields that the model alone cannot express."""
    fields = []
    if tip.anonymous and tip.contact is not None:
        fields.append({"field": "contact", "code": "contact_when_anonymous",
                       "reason": "must be omitted for an anonymous tip (set anonymous to false)"})
    for name in ("occurred_at", "received_at"):
        value = getattr(tip, name)
        if value is not None and value > now:
            fields.append({"field": name, "reason": "is in the future", "code": "in_future"})
    if fields:
        raise ApiError(422, "the request has invalid fields", fields=fields)


def _invalid(field: str, reason: str, code: str, **extra: str) -> ApiError:
    """A 422 naming one field, with the `code` pages translate (and its `value` if any)."""
    return ApiError(422, "the request has invalid fields", fields=[{"field": field, "reason": reason, "code": code, **extra}])


def _crockford(n_chars: int) -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(n_chars))


def new_tip_id(now_ms: int | None = None) -> str:
    """Time-ordered id: 10 characters of milliseconds, 16 random (80 bits)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    stamp = "".join(CROCKFORD[(ms >> shift) & 31] for shift in range(45, -1, -5))
    return f"T-{stamp}{_crockford(16)}"


def event_data(tip: TipSubmission, *, tip_id: str, placement: units.Placement, received_at: datetime,
               recorded_at: datetime, files: list[dict] = ()) -> dict:
    """The `tip.received/1` data: everything but the informant's identity."""
    return {
        "tip_id": tip_id, "channel": tip.channel, "content": tip.content,
        "unit_code": placement.code, "unit_era": placement.era, "unit_path": placement.path,
        "unit_path_2025": placement.path_2025,
        "location": tip.location.model_dump() if tip.location else None,
        "occurred_at": iso(tip.occurred_at) if tip.occurred_at else None,
        "received_at": iso(received_at), "recorded_at": iso(recorded_at),
        "category": tip.category, "programme_code": tip.programme_code,
        "anonymous": tip.anonymous,
        "has_contact": tip.contact is not None and any(tip.contact.model_dump().values()),
        "attachments": list(files),
    }

"""Where a case or a tip is: its ward, for the extraction form, which offers the cameras of
that ward first and warns when the chosen camera is in another one. Read from aggregation's
read models (case and tip facts), so a camera operator, who may not read cases or tips, learns
the ward and nothing else; only within the caller's unit."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common import readmodels, units
from services.common.auth import CurrentUser, require_role
from services.common.errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["cameras"])
PLACE_ROLES = ("camera_operator", "officer", "commander", "admin")
Id = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("/places", responses={403: {}, 404: {}, 422: {}})
async def place_of(request: Request, user: CurrentUser, case_id: Id = None, tip_id: Id = None) -> dict:
    """`{kind, id, unit_code, unit_name}` of the case (or, without `case_id`, the tip); 404 if the
    read models do not know it (yet), 403 if it is outside the caller's unit."""
    require_role(user, *PLACE_ROLES)
    if not case_id and not tip_id:
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "case_id", "reason": "give case_id or tip_id"}])
    kind, key, collection = ("case", case_id, readmodels.CASE_FACTS) if case_id else ("tip", tip_id, readmodels.TIP_FACTS)
    db = readmodels.database(request.app.state.settings, request.app.state.service.mongo)
    fact = await db[collection].find_one({"_id": key}, {"unit_code": 1, "unit_path": 1})
    if fact is None:
        raise ApiError(404, f"no {kind} {key}")
    if not user.covers_path(fact.get("unit_path") or [fact["unit_code"]]):
        raise ApiError(403, f"unit {fact['unit_code']} is outside your unit {user.unit_code}")
    unit = units.get(fact["unit_code"])
    return {"kind": kind, "id": key, "unit_code": fact["unit_code"], "unit_name": unit.name if unit else fact["unit_code"]}

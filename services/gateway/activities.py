"""Programme activities (patrols, armed patrols, mediation, propaganda): logging and imports
forwarded, unchanged, to intake, which keeps them (services/intake/activities.py has the
rules); their statistics from aggregation's activity facts (activity_stats.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from services.common import readmodels
from services.common.auth import CurrentUser
from services.common.times import zoned

from . import activity_stats, stats
from .forward import forward, forward_stream
from .imports import UPLOAD_BODY
from .reports import EraParam, UnitCode, _scope

router = APIRouter(prefix="/api/v1")
Kind = Literal["patrol", "armed_patrol", "dispute_mediation", "propaganda", "other"]
ACTIVITY_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["programme_code", "kind", "unit_code", "started_at", "ended_at", "participants"],
    "properties": {
        "activity_id": {"type": "string", "description": "your id: a retried request with it is logged once"},
        "programme_code": {"type": "string"}, "kind": {"enum": list(Kind.__args__)},
        "unit_code": {"type": "string"}, "started_at": {"type": "string", "format": "date-time"},
        "ended_at": {"type": "string", "format": "date-time"},
        "count": {"type": "integer", "minimum": 1, "description": "outings the record stands for (default 1)"},
        "participants": {"type": "integer", "minimum": 1},
        "findings": {"type": "object", "properties": {f: {"type": "integer", "minimum": 0}
                                                      for f in activity_stats.FINDINGS}},
        "note": {"type": "string"}}}}}}}


@router.post("/activities", status_code=201, tags=["activities"], openapi_extra=ACTIVITY_BODY,
             responses={200: {}, 401: {}, 403: {}, 409: {}, 422: {}, 503: {}})
async def log_activity(request: Request) -> Response:
    """Clerks, commanders and admins log a programme's activity in their unit → 201 (200 with
    the first answer when the same `activity_id` comes again; 409 if it came with other values)."""
    return await forward(request, "intake")


@router.post("/activities/import", status_code=202, tags=["activities", "imports"], openapi_extra=UPLOAD_BODY,
             responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 503: {}})
async def import_activities(request: Request) -> Response:
    """A CSV or XLSX file of activities (multipart field `file`) → 202 `{"job_id"}`; progress at
    `GET /imports/{job_id}`."""
    return await forward_stream(request, "intake")


@router.get("/stats/activities", tags=["statistics"])
async def activity_statistics(request: Request, user: CurrentUser, unit_code: UnitCode = None,
                              from_: Annotated[datetime | None, Query(alias="from")] = None,
                              to: Annotated[datetime | None, Query()] = None,
                              group_by: Annotated[activity_stats.GroupBy | None, Query()] = None,
                              kind: Annotated[Kind | None, Query()] = None, era: EraParam = None) -> dict:
    """Outings (`activities`: each record's `count`), `records`, `participants` (person-times)
    and findings of the activities that started in the period, in the caller's unit (or one
    below); grouped by programme, each group also has the programme's `name` and `kind`."""
    code, era = _scope(user, unit_code, era)
    db = readmodels.database(request.app.state.settings, request.app.state.service.mongo)
    found = await activity_stats.activity_stats(db, code, group_by, zoned(from_), zoned(to), era, kind)
    if group_by == "programme":
        names = await stats.programme_names(db, [g["key"] for g in found["groups"]])
        found["groups"] = [{**g, "name": names.get(g["key"], {}).get("name"),
                            "programme_kind": names.get(g["key"], {}).get("kind")} for g in found["groups"]]
    return found

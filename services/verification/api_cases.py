"""HTTP of verification's cases: open from valuable tips, link more, change status, read."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common import audit, commands, units
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError
from services.common.times import now_utc

from . import cases

router = APIRouter(prefix="/api/v1", tags=["cases"])
MAX_PAGE = 100


@router.post("/cases", status_code=201)
async def open_case(body: commands.NewCase, request: Request, user: CurrentUser) -> dict:
    """Open a case in `unit_code` from valuable tips of that unit; each becomes converted."""
    require_role(user, *cases.CASE_ROLES)
    if units.get(body.unit_code) is None:
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "unit_code", "reason": f"no administrative unit has code {body.unit_code}"}])
    require_scope(user, body.unit_code)
    case = await request.app.state.service.flow.open(body, user.as_actor())
    await audit.record(request, "verification", user, "case.opened", case["_id"], {"tip_ids": body.tip_ids})
    return {"case_id": case["_id"], **cases.public_view(case)}


@router.post("/cases/{case_id}/tips")
async def link_tips(case_id: str, body: commands.LinkTips, request: Request, user: CurrentUser) -> dict:
    """Link more valuable tips of the case's unit to an open case; each becomes converted."""
    require_role(user, *cases.CASE_ROLES)
    case = await _visible_case(request, user, case_id)
    linked = await request.app.state.service.flow.link(case, body, user.as_actor())
    await audit.record(request, "verification", user, "case.tips_linked", case_id, {"tip_ids": body.tip_ids})
    return cases.public_view(linked)


@router.post("/cases/{case_id}/status")
async def change_status(case_id: str, body: commands.CaseStatusChange, request: Request, user: CurrentUser) -> dict:
    """open → clarified | closed, clarified → closed | open; 409 with the current state otherwise."""
    require_role(user, *cases.CASE_ROLES)
    service = request.app.state.service
    case = await _visible_case(request, user, case_id)
    cases.check_status_change(case, body)
    at = now_utc()
    history = {"status": body.status, "at": at, "actor": user.as_actor(), "note": body.note}
    updated = await service.case_store.change_status(
        case, status=body.status, history=history, event=cases.status_event(case, body, user.as_actor(), at))
    if updated is None:
        latest = await service.case_store.get(case_id)
        raise ApiError(409, "the case changed meanwhile",
                       extra={"current": {"status": latest["status"], "version": latest["version"]}})
    await audit.record(request, "verification", user, "case.status_changed", case_id, {"status": body.status})
    if await service.case_outbox.flush(case_id, updated["outbox"]):
        updated["outbox"] = []
    return cases.public_view(updated)


@router.get("/cases")
async def list_cases(request: Request, user: CurrentUser,
                     unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")] = None,
                     status: Annotated[commands.CaseStatus | None, Query()] = None,
                     page: Annotated[int, Query(ge=1, le=100000)] = 1,
                     page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20) -> dict:
    require_role(user, *cases.CASE_ROLES)
    scope = unit_code or user.unit_code
    require_scope(user, scope)
    found, total = await request.app.state.service.case_store.find(
        scope=scope, status=status, skip=(page - 1) * page_size, limit=page_size)
    return {"items": [cases.public_view(c) for c in found], "page": page, "page_size": page_size,
            "total": total}


@router.get("/cases/{case_id}")
async def get_case(case_id: str, request: Request, user: CurrentUser) -> dict:
    """The case, with `moves`: the statuses it may change to now (the web page offers these)."""
    require_role(user, *cases.CASE_ROLES)
    case = await _visible_case(request, user, case_id)
    return {**cases.public_view(case), "moves": cases.moves(case["status"])}


async def _visible_case(request: Request, user, case_id: str) -> dict:
    case = await request.app.state.service.case_store.get(case_id)
    if case is None:
        raise ApiError(404, f"no case {case_id}")
    require_scope(user, case["unit_code"])
    return case

"""HTTP of verification: the officer's view of tips and their decisions (a decision releases
the tip's claim; another officer's claim makes it 409)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from services.common import audit, commands, contracts
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError
from services.common.metrics import TIP_DECISIONS
from services.common.times import now_utc, zoned

from . import domain, legal, queue

router = APIRouter(prefix="/api/v1", tags=["tips"])
MAX_PAGE = 100
DUPLICATE_SCAN = 1000  # tips of the ward around a tip's time read for its duplicate proposals


@router.get("/tips")
async def list_tips(request: Request, user: CurrentUser,
                    unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")] = None,
                    status: Annotated[Literal["received", "valuable", "not_valuable", "duplicate", "converted"] | None, Query()] = None,
                    channel: Annotated[str | None, Query(max_length=32)] = None,
                    programme_code: Annotated[str | None, Query(max_length=64)] = None,
                    from_: Annotated[datetime | None, Query(alias="from")] = None,
                    to: Annotated[datetime | None, Query()] = None,
                    page: Annotated[int, Query(ge=1, le=100000)] = 1,
                    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20) -> dict:
    require_role(user, *domain.VIEWING_ROLES)
    scope = unit_code or user.unit_code
    require_scope(user, scope)
    filters = {k: v for k, v in (("status", status), ("channel", channel),
                                 ("programme_code", programme_code)) if v is not None}
    tips, total = await request.app.state.service.store.find(
        scope=scope, filters=filters, received_from=zoned(from_), received_to=zoned(to),
        skip=(page - 1) * page_size, limit=page_size)
    return {"items": [domain.public_view(t) for t in tips], "page": page,
            "page_size": page_size, "total": total}


@router.get("/tips/{tip_id}")
async def get_tip(tip_id: str, request: Request, user: CurrentUser) -> dict:
    """The tip (an officer opening it reads its tipster's new messages: `unread` goes), with its legal `clock` (ok / near / overdue / stopped and the deadline that
    matters now) and the `duplicates` proposed among its ward's tips (as in the queue)."""
    require_role(user, *domain.VIEWING_ROLES)
    tip = await visible_tip(request, user, tip_id)
    service = request.app.state.service
    if tip.get("unread") and user.role in domain.DECIDING_ROLES:  # the officer opened it: read
        read_at = datetime.now(timezone.utc)
        await service.store.mark_read(tip_id, read_at)
        tip = {**tip, "unread": False, "read_at": read_at, "just_read": True}
    since, until = queue.candidates_window([tip])
    recent = await service.store.received_between([tip["unit_code"]], since, until, limit=DUPLICATE_SCAN)
    return {**domain.public_view(tip), "clock": legal.clock_view(tip, datetime.now(timezone.utc), service.settings.near),
            "duplicates": queue.proposals(tip, recent)}


@router.post("/tips/{tip_id}/decision")
async def decide(tip_id: str, decision: commands.Decision, request: Request, user: CurrentUser) -> dict:
    """Record an officer's verdict; 409 with the current state if the tip cannot take it."""
    require_role(user, *domain.DECIDING_ROLES)
    domain.check_decision(tip_id, decision)
    service = request.app.state.service
    tip = await visible_tip(request, user, tip_id)
    domain.check_transition(tip, decision.outcome, decision.version, user.username)
    if decision.duplicate_of and await service.store.get(decision.duplicate_of) is None:
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "duplicate_of", "reason": "no such tip"}])
    now = now_utc()
    event = contracts.make_event("tip.status_changed/1", subject=tip_id, source="verification", data={
        "tip_id": tip_id, "status": decision.outcome, "previous_status": tip["status"],
        "version": tip["version"] + 1, "changed_at": now, "actor": user.as_actor(),
        "duplicate_of": decision.duplicate_of, "note": decision.note})
    history = {"status": decision.outcome, "at": now, "actor": user.as_actor(), "note": decision.note,
               "duplicate_of": decision.duplicate_of}
    clock = legal.clock_fields(legal.deadlines_of(tip), decision.outcome, tip.get("legal_decision"),
                               tip.get("alerted") or {}, service.settings.near)
    updated = await service.store.change_status(tip, status=decision.outcome, history=history,
                                                event=event.to_dict(), username=user.username, clock=clock)
    if updated is None:
        latest = await service.store.get(tip_id)
        raise ApiError(409, "another officer changed this tip first",
                       extra={"current": {"status": latest["status"], "version": latest["version"],
                                          "claimed_by": (latest.get("claim") or {}).get("username")}})
    TIP_DECISIONS.labels(decision.outcome).inc()
    await audit.record(request, "verification", user, "tip.decided", tip_id,
                       {"outcome": decision.outcome, "version": updated["version"]})
    if await service.outbox.flush(tip_id, updated["outbox"]):
        updated["outbox"] = []
    return domain.public_view(updated)


async def visible_tip(request: Request, user, tip_id: str) -> dict:
    """The tip, if it is in the user's scope (also for api_work.py); 404 if there is none."""
    tip = await request.app.state.service.store.get(tip_id)
    if tip is None:
        raise ApiError(404, f"no tip {tip_id}")
    if not user.covers_path(tip.get("unit_path") or [tip["unit_code"]]):
        raise ApiError(403, f"unit {tip['unit_code']} is outside your unit {user.unit_code}")
    return tip

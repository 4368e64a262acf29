"""HTTP of an officer's daily work on tips: the unit's queue, claims, and legal steps."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common import audit, contracts
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError
from services.common.times import now_utc, parse

from . import domain, legal, queue
from .api import visible_tip

router = APIRouter(prefix="/api/v1", tags=["work"])
QUEUE_SCAN = 1000  # received tips of one unit read to order the queue
MAX_PAGE = 100


@router.get("/queue")
async def work_queue(request: Request, user: CurrentUser,
                     unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")] = None,
                     limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> dict:
    """The unit's tips awaiting a verdict, by priority then nearest legal deadline, each with
    its clock state (ok / near / overdue / stopped), its claim and proposed duplicates."""
    require_role(user, *domain.DECIDING_ROLES)
    scope = unit_code or user.unit_code
    require_scope(user, scope)
    service = request.app.state.service
    tips = queue.order(await service.store.open_in(scope, QUEUE_SCAN))
    page = tips[:limit]
    window = queue.candidates_window(page)
    recent = await service.store.received_between(
        sorted({t["unit_code"] for t in page}), *window, limit=QUEUE_SCAN) if window else []
    now = datetime.now(timezone.utc)
    return {"unit_code": scope, "total": len(tips),
            "items": [queue.item(t, recent, now, service.settings.near) for t in page]}


@router.post("/tips/{tip_id}/claim")
async def claim(tip_id: str, request: Request, user: CurrentUser) -> dict:
    """Lock a received tip to yourself; 409 with the current state if another officer holds it."""
    require_role(user, *domain.DECIDING_ROLES)
    tip = await visible_tip(request, user, tip_id)
    updated = await request.app.state.service.store.claim(tip_id, {"username": user.username, "at": now_utc()})
    if updated is None:
        latest = await request.app.state.service.store.get(tip_id)
        raise ApiError(409, "the tip is claimed by another officer or no longer awaits a verdict",
                       extra={"current": legal.current_state(latest or tip)})
    return domain.public_view(updated)


@router.delete("/tips/{tip_id}/claim")
async def release(tip_id: str, request: Request, user: CurrentUser) -> dict:
    """Release your claim (commanders and admins may release anyone's)."""
    require_role(user, *domain.DECIDING_ROLES)
    tip = await visible_tip(request, user, tip_id)
    holder = None if user.role in ("commander", "admin") else user.username
    if not await request.app.state.service.store.release(tip_id, holder):
        raise ApiError(409, "you hold no claim on this tip", extra={"current": legal.current_state(tip)})
    return domain.public_view(await request.app.state.service.store.get(tip_id))


@router.post("/tips/{tip_id}/legal")
async def legal_step(tip_id: str, body: legal.LegalStep, request: Request, user: CurrentUser) -> dict:
    """Record a legal step with its legal basis; the deadlines are recomputed (clocks.py).
    409 with the current state if the step is not allowed now."""
    require_role(user, *domain.DECIDING_ROLES)
    legal.check_body(body)
    service = request.app.state.service
    tip = await visible_tip(request, user, tip_id)
    legal.check_claim(tip, user.username)
    at = now_utc()
    deadlines, decision = legal.apply_step(tip, body, parse(at))
    alerted = tip.get("alerted") or {}
    fields = {"deadlines": legal.deadlines_doc(deadlines), "legal_decision": decision,
              **legal.clock_fields(deadlines, tip["status"], decision, alerted, service.settings.near)}
    step = {"step": body.step, "at": parse(at), "legal_basis": body.legal_basis, "note": body.note,
            "months": body.months, "actor": user.as_actor()}
    event = contracts.make_event("tip.legal_step/1", subject=tip_id, source="verification", data={
        "tip_id": tip_id, "step": body.step, "legal_basis": body.legal_basis, "note": body.note,
        "months": body.months, "at": at, "status": tip["status"], "version": tip["version"] + 1,
        "deadlines": legal.deadlines_event(deadlines), "legal_decision": decision, "actor": user.as_actor()})
    updated = await service.store.record_legal_step(tip, step=step, fields=fields, event=event.to_dict(),
                                                    username=user.username)
    if updated is None:
        latest = await service.store.get(tip_id)
        raise ApiError(409, "the tip changed meanwhile", extra={"current": legal.current_state(latest)})
    await audit.record(request, "verification", user, f"tip.legal.{body.step}", tip_id,
                       {"legal_basis": body.legal_basis, "months": body.months})
    if await service.outbox.flush(tip_id, updated["outbox"]):
        updated["outbox"] = []
    return domain.public_view(updated)

"""HTTP of an officer's daily work on tips: the unit's queue, claims, and legal steps."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from services.common import audit, commands, contracts, units
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError
from services.common.times import now_utc, parse, zoned

from . import domain, legal, queue
from .api import visible_tip
from .queuestore import QueueQuery

router = APIRouter(prefix="/api/v1", tags=["work"])
MAX_PAGE = 100


@router.get("/queue")
async def work_queue(request: Request, user: CurrentUser,
                     unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")] = None,
                     status: Annotated[Literal["received", "valuable"], Query()] = "received",
                     bucket: Annotated[queue.Bucket, Query()] = "action",
                     clock: Annotated[Literal["near", "overdue"] | None, Query()] = None,
                     priority: Annotated[Literal["high", "normal", "low"] | None, Query()] = None,
                     channel: Annotated[str | None, Query(pattern=r"^[a-z_]{2,32}$")] = None,
                     category: Annotated[str | None, Query(pattern=r"^[a-z_]{2,32}$")] = None,
                     claimed: Annotated[Literal["me", "none"] | None, Query()] = None,
                     unread: Annotated[bool | None, Query()] = None,
                     q: Annotated[str | None, Query(max_length=200)] = None,
                     from_: Annotated[datetime | None, Query(alias="from")] = None,
                     to: Annotated[datetime | None, Query()] = None,
                     after: Annotated[str | None, Query(max_length=300, description="the `next` of the previous page")] = None,
                     page: Annotated[int, Query(ge=1, le=1000)] = 1,
                     page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> dict:
    """The unit's open tips, what needs action first (queue.py): `bucket` action (deadline
    ahead or clock stopped) or overdue, each counted in `counts`; `total` counts the filtered
    set of the bucket. Paging: `after` = the `next` of the page before (stable while tips
    arrive), or `page` (counted from the first)."""
    require_role(user, *domain.DECIDING_ROLES)
    scope = unit_code or user.unit_code
    require_scope(user, scope)
    service = request.app.state.service
    if clock == "overdue":
        bucket = "overdue"
    if after is not None and not after.startswith(f"{scope}|{status}|"):
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "after", "reason": "is not a cursor of this queue"}])
    query = QueueQuery(unit=scope, level=max(len(units.path(scope)), 1) - 1, status=status, bucket=bucket,
                       ranks=[queue.PRIORITY_RANK[priority]] if priority else sorted(queue.PRIORITY_RANK.values()),
                       filters=_filters(user.username, channel, category, claimed, unread, q, zoned(from_), zoned(to)),
                       near=service.settings.near if clock == "near" else None)
    now = datetime.now(timezone.utc)
    reader = service.queue
    docs, more = await reader.page(query, now, after=after, skip=0 if after else (page - 1) * page_size,
                                   size=page_size)
    counts = await reader.counts(query, now)
    field = queue.key_field(query.level)
    return {"unit_code": scope, "bucket": bucket, "total": counts.total(bucket),
            "counts": counts.as_dict(), "page": page, "page_size": page_size, "as_of": now,
            "next": docs[-1][field] if docs and more else None,
            "items": [queue.item(t, now, service.settings.near) for t in docs]}


def _filters(username: str, channel: str | None, category: str | None, claimed: str | None,
             unread: bool | None, q: str | None, received_from: datetime | None,
             received_to: datetime | None) -> dict:
    out: dict = {k: v for k, v in (("channel", channel), ("category", category)) if v}
    if claimed == "me":
        out["claim.username"] = username
    elif claimed == "none":
        out["claim"] = None
    if unread is not None:
        out["unread"] = True if unread else {"$ne": True}
    if words := queue.search_words(q):
        out["content_words"] = {"$all": words}
    if received_from or received_to:
        out["received_at"] = {k: v for k, v in (("$gte", received_from), ("$lt", received_to)) if v}
    return out


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
async def legal_step(tip_id: str, body: commands.LegalStep, request: Request, user: CurrentUser) -> dict:
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

"""HTTP of the anonymous follow-up: a tipster reads and writes with the receipt code alone;
officers answer and read the conversation with their login."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.common import commands, contracts
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError
from services.common.times import iso

from . import codes, followup
from .ratelimit import client_of

router = APIRouter(prefix="/api/v1", tags=["receipts"])
NOT_FOUND = "no receipt matches this code"
ANSWERING_ROLES = ("officer", "commander", "admin")


async def _receipt(request: Request, typed: str) -> dict:
    """The receipt the code opens; wrong guesses count toward a lock-out (429): of the client
    always, and of the receipt for a legacy code (whose reference names one)."""
    service, settings = request.app.state.service, request.app.state.settings
    parsed = codes.parse(typed)
    client = client_of(request)
    now = datetime.now(timezone.utc)
    ref = parsed.ref if isinstance(parsed, codes.LegacyCode) else None
    for_code, for_client = await service.store.failures(
        ref=ref, client=client, since=now - timedelta(seconds=settings.receipt_lock_s))
    if followup.locked(for_code, for_client, settings.receipt_failures_per_code,
                       settings.receipt_failures_per_client):
        raise ApiError(429, "too many wrong receipt codes; try again later",
                       headers={"Retry-After": str(settings.receipt_lock_s)})
    receipt = None
    if isinstance(parsed, codes.Code):  # the key is found only with the right code
        receipt = await service.store.receipt(await asyncio.to_thread(service.receipt_hasher.key, parsed))
    elif isinstance(parsed, codes.LegacyCode):
        receipt = await service.store.receipt(parsed.ref)
        receipt = receipt if receipt is not None and parsed.matches(receipt.get("secret_sha256")) else None
    if receipt is None:
        await service.store.record_failure(ref=ref, client=client, at=now)
        raise ApiError(404, NOT_FOUND)
    return receipt


@router.get("/receipts/{receipt_code}")
async def read_receipt(receipt_code: str, request: Request) -> dict:
    """The tip's public state and the conversation with the police (no login)."""
    return followup.public_view(await _receipt(request, receipt_code))


@router.post("/receipts/{receipt_code}/messages", status_code=201)
async def write_message(receipt_code: str, message: commands.FollowUpMessage, request: Request) -> JSONResponse:
    """The tipster writes; the tip is marked unread in the officers' queue (a
    `tip.message_received` without the text, in the receipt's outbox with the message)."""
    receipt = await _receipt(request, receipt_code)
    service = request.app.state.service
    entry = {"from": "tipster", "text": message.text, "at": iso(datetime.now(timezone.utc))}
    event = contracts.make_event("tip.message_received/1", subject=receipt["tip_id"], source="intake", data={
        "tip_id": receipt["tip_id"], "message_id": f"M-{uuid.uuid4().hex}", "at": entry["at"]})
    await service.store.add_message(receipt["_id"], entry, event.to_dict())
    await service.receipt_outbox.flush(receipt["_id"], [event.to_dict()])
    return JSONResponse(entry, status_code=201)


async def _tip_receipt(request: Request, user, tip_id: str) -> dict:
    require_role(user, *ANSWERING_ROLES)
    receipt = await request.app.state.service.store.receipt_of_tip(tip_id)
    if receipt is None:
        raise ApiError(404, f"no tip {tip_id}")
    require_scope(user, receipt["unit_code"])
    return receipt


@router.get("/tips/{tip_id}/messages")
async def tip_messages(tip_id: str, request: Request, user: CurrentUser) -> dict:
    """The officer's view of the conversation (the tipster stays anonymous)."""
    receipt = await _tip_receipt(request, user, tip_id)
    return {"tip_id": tip_id, "messages": receipt.get("messages", [])}


@router.post("/tips/{tip_id}/replies", status_code=201)
async def reply(tip_id: str, message: commands.FollowUpMessage, request: Request,
                user: CurrentUser) -> JSONResponse:
    receipt = await _tip_receipt(request, user, tip_id)
    entry = {"from": "police", "text": message.text, "at": iso(datetime.now(timezone.utc)),
             "officer": user.username}
    await request.app.state.service.store.add_message(receipt["_id"], entry)
    return JSONResponse(entry, status_code=201)

"""HTTP of intake: `POST /api/v1/tips`."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError

from services.common import contracts
from services.common.auth import OptionalUser
from services.common.crypto import sha256_hex
from services.common.errors import ApiError, unavailable
from services.common.kafka import BrokerUnavailable
from services.common.metrics import TIPS_RECEIVED
from services.common.times import iso

from . import domain
from .store import IdempotencyConflict

router = APIRouter(prefix="/api/v1", tags=["tips"])
TIPS = contracts.topic("tips.received")


@router.post("/tips", status_code=202, responses={
    202: {"description": "accepted: the broker acknowledged the tip"},
    401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 503: {}})
async def submit_tip(tip: domain.TipSubmission, request: Request, user: OptionalUser) -> JSONResponse:
    """Receive one tip. Answers 202 with a receipt only once the tip is durably in Kafka."""
    service = request.app.state.service
    now = datetime.now(timezone.utc)
    domain.check_access(tip, user)
    domain.check_fields(tip, now)
    unit_code = domain.resolve_unit(tip, user)

    if tip.idempotency_key:
        earlier = await _guard_db(service.store.replay(tip.idempotency_key))
        if earlier is not None:
            return JSONResponse(json.loads(service.sealer.open(earlier["answer"])), status_code=202)

    tip_id = domain.new_tip_id()
    receipt = domain.new_receipt()
    received_at = tip.received_at or now
    answer = {"tip_id": tip_id, "receipt_code": receipt.code, "received_at": iso(received_at)}
    event = contracts.make_event(
        "tip.received/1", subject=tip_id, source="intake",
        data=domain.event_data(tip, tip_id=tip_id, unit_code=unit_code,
                               received_at=received_at, recorded_at=now))
    contact = tip.contact.model_dump_json() if tip.contact and not tip.anonymous else None
    try:
        await _guard_db(service.store.reserve(
            ref=receipt.ref, secret_sha256=sha256_hex(receipt.secret), tip_id=tip_id,
            unit_code=unit_code, created_at=now,
            sealed_contact=service.sealer.seal(contact) if contact else None,
            idempotency_key=tip.idempotency_key, sealed_answer=service.sealer.seal(json.dumps(answer))))
    except IdempotencyConflict:
        raise ApiError(409, "a request with this idempotency_key is being handled; retry shortly",
                       fields=[{"field": "idempotency_key", "reason": "in use by a concurrent request"}],
                       headers={"Retry-After": "1"}) from None
    try:
        await service.publisher.publish(TIPS, event)
    except BrokerUnavailable:
        try:
            await service.store.release(ref=receipt.ref, idempotency_key=tip.idempotency_key)
        except PyMongoError:
            pass  # an unreachable receipt nobody was given; it names no published tip
        raise unavailable("the message broker") from None
    TIPS_RECEIVED.labels(tip.channel).inc()
    return JSONResponse(answer, status_code=202)


async def _guard_db(awaitable):
    try:
        return await awaitable
    except IdempotencyConflict:
        raise
    except PyMongoError:
        raise unavailable("the database") from None

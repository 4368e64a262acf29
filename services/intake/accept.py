"""Accepting one tip, whatever its channel: receipt first, then the event; the answer only
once the broker committed it (else 503 and nothing kept). Idempotency keys replay the first
answer."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime

from pymongo.errors import PyMongoError

from services.common import commands, contracts
from services.common.errors import ApiError, unavailable
from services.common.kafka import BrokerUnavailable
from services.common.metrics import TIPS_RECEIVED, unit_labels
from services.common.times import iso
from services.common.units import Placement

from . import codes, domain
from .attachments import AttachmentError, event_files
from .store import IdempotencyConflict, ReceiptTaken

TIPS = contracts.topic("tips.received")
RECEIPT_DRAWS = 5  # two tips rarely draw the same code (10^16 of them); draw again when they do


async def accept_tip(service, tip: commands.TipSubmission, *, placement: Placement, now: datetime) -> dict:
    """`tip` has been checked (access, fields, unit); returns `{tip_id, receipt_code, received_at}`.
    The receipt keeps the deepest legacy unit covering the tip (`placement.scope`) for access checks."""
    if tip.idempotency_key:
        earlier = await _guard_db(service.store.replay(tip.idempotency_key))
        if earlier is not None:
            return json.loads(service.sealer.open(earlier["answer"]))

    tip_id = domain.new_tip_id()
    received_at = tip.received_at or now
    try:
        files = await _guard_db(service.attachments.claim(tip.attachments, tip_id=tip_id, unit_code=placement.scope))
    except AttachmentError as exc:
        raise ApiError(422, "the request has invalid fields", fields=exc.fields) from None
    try:
        receipt_key, answer = await _reserve_receipt(service, tip, tip_id, placement, received_at, now)
    except BaseException:
        await _quietly(service.attachments.release(tip.attachments, tip_id=tip_id))
        raise
    event = contracts.make_event(
        "tip.received/1", subject=tip_id, source="intake",
        data=domain.event_data(tip, tip_id=tip_id, placement=placement, received_at=received_at,
                               recorded_at=now, files=event_files(files)))
    try:
        await service.publisher.publish(TIPS, event)
    except BrokerUnavailable:
        # nobody was given this receipt, and it names no published tip
        await _quietly(service.store.release(ref=receipt_key, idempotency_key=tip.idempotency_key))
        await _quietly(service.attachments.release(tip.attachments, tip_id=tip_id))
        raise unavailable("the message broker") from None
    TIPS_RECEIVED.labels(channel=tip.channel, **unit_labels(placement.scope)).inc()
    return answer


async def _reserve_receipt(service, tip: commands.TipSubmission, tip_id: str, placement: Placement,
                           received_at: datetime, now: datetime) -> tuple[str, dict]:
    """A new receipt's key (and the replayable answer), written before the event is published."""
    contact = tip.contact.model_dump_json() if tip.contact and not tip.anonymous else None
    sealed_contact = service.sealer.seal(contact) if contact else None
    for _ in range(RECEIPT_DRAWS):
        code = codes.new_code()
        key = await asyncio.to_thread(service.receipt_hasher.key, code)  # ~25 ms of CPU, off the loop
        answer = {"tip_id": tip_id, "receipt_code": code.text, "received_at": iso(received_at)}
        try:
            await _guard_db(service.store.reserve(
                ref=key, tip_id=tip_id,
                unit_code=placement.scope, created_at=now, sealed_contact=sealed_contact,
                idempotency_key=tip.idempotency_key,
                sealed_answer=service.sealer.seal(json.dumps(answer)) if tip.idempotency_key else ""))
            return key, answer
        except ReceiptTaken:
            continue
        except IdempotencyConflict:
            raise ApiError(409, "a request with this idempotency_key is being handled; retry shortly",
                           fields=[{"field": "idempotency_key", "reason": "in use by a concurrent request"}],
                           headers={"Retry-After": "1"}) from None
    raise unavailable("receipt codes")


async def _quietly(awaitable) -> None:
    """An undo whose failure changes nothing for the caller (what it undoes is unreachable)."""
    try:
        await awaitable
    except PyMongoError:
        pass


async def _guard_db(awaitable):
    try:
        return await awaitable
    except (IdempotencyConflict, ReceiptTaken):
        raise
    except PyMongoError:
        raise unavailable("the database") from None

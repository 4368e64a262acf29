"""Accepting one tip, whatever its channel: receipt first, then the event; the answer only
once the broker committed it (else 503 and nothing kept). Idempotency keys replay the first
answer."""
from __future__ import annotations

import json
from datetime import datetime

from pymongo.errors import PyMongoError

from services.common import contracts
from services.common.crypto import sha256_hex
from services.common.errors import ApiError, unavailable
from services.common.kafka import BrokerUnavailable
from services.common.metrics import TIPS_RECEIVED, unit_labels
from services.common.times import iso

from . import domain
from .store import IdempotencyConflict, ReceiptTaken

TIPS = contracts.topic("tips.received")
RECEIPT_DRAWS = 5  # a 40-bit reference rarely collides; draw again when it does


async def accept_tip(service, tip: domain.TipSubmission, *, unit_code: str, now: datetime) -> dict:
    """`tip` has been checked (access, fields, unit); returns `{tip_id, receipt_code, received_at}`."""
    if tip.idempotency_key:
        earlier = await _guard_db(service.store.replay(tip.idempotency_key))
        if earlier is not None:
            return json.loads(service.sealer.open(earlier["answer"]))

    tip_id = domain.new_tip_id()
    received_at = tip.received_at or now
    event = contracts.make_event(
        "tip.received/1", subject=tip_id, source="intake",
        data=domain.event_data(tip, tip_id=tip_id, unit_code=unit_code,
                               received_at=received_at, recorded_at=now))
    contact = tip.contact.model_dump_json() if tip.contact and not tip.anonymous else None
    sealed_contact = service.sealer.seal(contact) if contact else None
    for _ in range(RECEIPT_DRAWS):
        receipt = domain.new_receipt()
        answer = {"tip_id": tip_id, "receipt_code": receipt.code, "received_at": iso(received_at)}
        try:
            await _guard_db(service.store.reserve(
                ref=receipt.ref, secret_sha256=sha256_hex(receipt.secret), tip_id=tip_id,
                unit_code=unit_code, created_at=now, sealed_contact=sealed_contact,
                idempotency_key=tip.idempotency_key,
                sealed_answer=service.sealer.seal(json.dumps(answer)) if tip.idempotency_key else ""))
            break
        except ReceiptTaken:
            continue
        except IdempotencyConflict:
            raise ApiError(409, "a request with this idempotency_key is being handled; retry shortly",
                           fields=[{"field": "idempotency_key", "reason": "in use by a concurrent request"}],
                           headers={"Retry-After": "1"}) from None
    else:
        raise unavailable("receipt codes")
    try:
        await service.publisher.publish(TIPS, event)
    except BrokerUnavailable:
        try:
            await service.store.release(ref=receipt.ref, idempotency_key=tip.idempotency_key)
        except PyMongoError:
            pass  # an unreachable receipt nobody was given; it names no published tip
        raise unavailable("the message broker") from None
    TIPS_RECEIVED.labels(channel=tip.channel, **unit_labels(unit_code)).inc()
    return answer


async def _guard_db(awaitable):
    try:
        return await awaitable
    except (IdempotencyConflict, ReceiptTaken):
        raise
    except PyMongoError:
        raise unavailable("the database") from None

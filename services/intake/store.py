"""Intake's own data: receipts (only a hash of each secret), sealed contact details, and
replayable answers for requests that carried an idempotency key."""
from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

IDEMPOTENCY_TTL = timedelta(hours=24)


class IdempotencyConflict(Exception):
    """Another request with the same idempotency key is being handled, or was."""


class IntakeStore:
    def __init__(self, db: AsyncDatabase):
        self._receipts = db["receipts"]
        self._replays = db["replays"]

    async def create_indexes(self) -> None:
        await self._receipts.create_index([("tip_id", ASCENDING)], unique=True)
        await self._replays.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)

    async def reserve(self, *, ref: str, secret_sha256: str, tip_id: str, unit_code: str,
                      created_at: datetime, sealed_contact: str | None,
                      idempotency_key: str | None, sealed_answer: str) -> None:
        """Write the receipt (and the replay record) before the event is published."""
        if idempotency_key:
            try:
                await self._replays.insert_one({"_id": idempotency_key, "tip_id": tip_id,
                                                "answer": sealed_answer,
                                                "expires_at": created_at + IDEMPOTENCY_TTL})
            except DuplicateKeyError:
                raise IdempotencyConflict(idempotency_key) from None
        await self._receipts.insert_one({"_id": ref, "secret_sha256": secret_sha256,
                                         "tip_id": tip_id, "unit_code": unit_code,
                                         "created_at": created_at, "contact": sealed_contact})

    async def release(self, *, ref: str, idempotency_key: str | None) -> None:
        """Undo `reserve` when the broker did not acknowledge: nothing stays half-way."""
        await self._receipts.delete_one({"_id": ref})
        if idempotency_key:
            await self._replays.delete_one({"_id": idempotency_key})

    async def replay(self, idempotency_key: str) -> dict | None:
        return await self._replays.find_one({"_id": idempotency_key})

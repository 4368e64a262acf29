"""Aggregation's writes to the read models, in batches."""
from __future__ import annotations

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000


class FactStore:
    def __init__(self, facts: AsyncCollection):
        self._facts = facts

    async def create_indexes(self) -> None:
        await self._facts.create_index([("unit_path", ASCENDING), ("received_at", ASCENDING)])

    async def apply(self, updates: list[UpdateOne]) -> None:
        """Write a batch; updates that lost to a newer version (duplicate key) are no-ops."""
        if not updates:
            return
        try:
            await self._facts.bulk_write(updates, ordered=False)
        except BulkWriteError as exc:
            others = [e for e in exc.details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
            if others or exc.details.get("writeConcernErrors"):
                raise

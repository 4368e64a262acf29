"""Aggregation's writes to the read models, in batches (one bulk write per collection)."""
from __future__ import annotations

from collections import defaultdict

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.common import mongo, readmodels

from .domain import Write
from .facts import NewFact

INDEXES = {
    readmodels.TIP_FACTS: [("unit_path", "received_at"), ("unit_path_2025", "received_at")],
    readmodels.CAMERA_FACTS: [("unit_path",), ("unit_path_2025",)],
    readmodels.EXTRACTION_FACTS: [("unit_path", "extracted_at"), ("unit_path_2025", "extracted_at")],
    readmodels.CASE_FACTS: [("unit_path", "clarified_at"), ("unit_path_2025", "clarified_at")],
    readmodels.PROGRAMME_FACTS: [("unit_path",), ("unit_path_2025",)],
    readmodels.ACTIVITY_FACTS: [("unit_path", "started_at"), ("unit_path_2025", "started_at")],
}


class FactStore:
    def __init__(self, db: AsyncDatabase):
        self.db = db

    async def create_indexes(self) -> None:
        for name, indexes in INDEXES.items():
            for fields in indexes:
                await self.db[name].create_index([(f, ASCENDING) for f in fields])

    async def apply(self, writes: list[Write]) -> None:
        """Write a batch: per collection, the new facts as one insert, then the updates and the
        new facts whose key existed as one bulk upsert; updates that lost to a newer version
        (duplicate key) are no-ops. Every write commutes with the others (domain.py), so their
        order within a batch does not matter."""
        by_collection = defaultdict(list)
        for name, update in writes:
            by_collection[name].append(update)
        for name, batch in by_collection.items():
            new = [w for w in batch if isinstance(w, NewFact)]
            updates = [w for w in batch if not isinstance(w, NewFact)]
            if new:
                try:
                    await self.db[name].insert_many([n.document() for n in new], ordered=False)
                except BulkWriteError as exc:
                    updates += [new[i].as_update() for i in mongo.duplicate_keys(exc)]
            if updates:
                try:
                    await self.db[name].bulk_write(updates, ordered=False)
                except BulkWriteError as exc:
                    mongo.duplicate_keys(exc)

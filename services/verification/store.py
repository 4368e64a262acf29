"""Verification's own data: one state document per tip, with an outbox of events that are
written in the same update as the state change and removed once the broker acknowledged them."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase


class TipStore:
    def __init__(self, db: AsyncDatabase):
        self.tips = db["tips"]  # public: the outbox relay publishes from it

    async def create_indexes(self) -> None:
        await self.tips.create_index([("unit_path", ASCENDING), ("received_at", DESCENDING)])
        await self.tips.create_index([("status", ASCENDING)])
        await self.tips.create_index([("outbox.id", ASCENDING)], sparse=True)

    async def add_received(self, docs: list[dict]) -> None:
        """Insert tips not seen before; a redelivered `tip.received` changes nothing."""
        if docs:
            await self.tips.bulk_write(
                [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in docs],
                ordered=False)

    async def get(self, tip_id: str) -> dict | None:
        return await self.tips.find_one({"_id": tip_id})

    async def change_status(self, tip: dict, *, status: str, history: dict, event: dict) -> dict | None:
        """Move the tip if nobody else did since we read it (optimistic concurrency on
        `version`); the event goes into the outbox in the same write. None if we lost."""
        return await self.tips.find_one_and_update(
            {"_id": tip["_id"], "version": tip["version"], "status": tip["status"]},
            {"$set": {"status": status, "version": tip["version"] + 1},
             "$push": {"history": history, "outbox": event}},
            return_document=ReturnDocument.AFTER)

    async def find(self, *, scope: str, filters: dict, received_from: datetime | None,
                   received_to: datetime | None, skip: int, limit: int) -> tuple[list[dict], int]:
        query: dict = {"unit_path": scope, **filters}
        if received_from or received_to:
            query["received_at"] = {k: v for k, v in (("$gte", received_from), ("$lt", received_to)) if v}
        total = await self.tips.count_documents(query)
        cursor = self.tips.find(query).sort([("received_at", DESCENDING), ("_id", ASCENDING)])
        return await cursor.skip(skip).limit(limit).to_list(), total

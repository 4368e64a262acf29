"""Verification's cases: one document per case, with its outbox (as tips have) and at most one
`pending` operation (opening it, or linking tips) that caseflow.py drives to its end. Every
change is one conditional update of the case document."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase


class CaseStore:
    def __init__(self, db: AsyncDatabase):
        self.cases = db["cases"]  # public: the outbox relay publishes from it

    async def create_indexes(self) -> None:
        await self.cases.create_index([("unit_path", ASCENDING), ("opened_at", DESCENDING)])
        await self.cases.create_index([("outbox.id", ASCENDING)], sparse=True)
        await self.cases.create_index([("pending.at", ASCENDING)], sparse=True)

    async def get(self, case_id: str) -> dict | None:
        """A case once opened (a draft whose opening never committed is nobody's business)."""
        return await self.cases.find_one({"_id": case_id, "version": {"$gte": 1}})

    async def insert_draft(self, doc: dict) -> None:
        await self.cases.insert_one(doc)

    async def begin(self, case: dict, pending: dict) -> bool:
        """Start linking tips to an open case nobody is changing."""
        result = await self.cases.update_one(
            {"_id": case["_id"], "version": case["version"], "status": "open", "pending": None},
            {"$set": {"pending": pending}})
        return result.modified_count == 1

    async def commit(self, case_id: str, op_id: str, version: int, *, tip_ids: list[str],
                     history: dict, event: dict) -> bool:
        """The commit point of an operation: the tips become the case's, its event goes into
        the outbox. False if the operation was aborted or the case changed meanwhile."""
        result = await self.cases.update_one(
            {"_id": case_id, "version": version, "status": "open", "pending.id": op_id,
             "pending.committed": False, "pending.aborted": False},
            {"$set": {"version": version + 1, "pending.committed": True},
             "$push": {"tip_ids": {"$each": tip_ids}, "history": history, "outbox": event}})
        return result.modified_count == 1

    async def abort(self, case_id: str, op_id: str) -> bool:
        """Decide that an operation will never commit (True if it is, or already was, so)."""
        result = await self.cases.update_one(
            {"_id": case_id, "pending.id": op_id, "pending.committed": False},
            {"$set": {"pending.aborted": True}})
        if result.matched_count == 1:
            return True
        return await self.cases.count_documents({"_id": case_id, "pending.id": op_id,
                                                 "pending.aborted": True}) == 1

    async def finish(self, case_id: str, op_id: str, *, drop_draft: bool) -> None:
        """Remove a finished operation; an aborted opening removes its draft case."""
        if drop_draft:
            await self.cases.delete_one({"_id": case_id, "pending.id": op_id, "version": 0})
        else:
            await self.cases.update_one({"_id": case_id, "pending.id": op_id}, {"$set": {"pending": None}})

    async def stale(self, before: datetime, limit: int = 100) -> list[dict]:
        """Cases whose operation was left unfinished (a crash, or one still running)."""
        return await self.cases.find({"pending.at": {"$lte": before}}).limit(limit).to_list()

    async def change_status(self, case: dict, *, status: str, history: dict, event: dict) -> dict | None:
        return await self.cases.find_one_and_update(
            {"_id": case["_id"], "version": case["version"], "status": case["status"]},
            {"$set": {"status": status, "version": case["version"] + 1},
             "$push": {"history": history, "outbox": event}},
            return_document=ReturnDocument.AFTER)

    async def find(self, *, scope: str, status: str | None, skip: int, limit: int) -> tuple[list[dict], int]:
        query: dict = {"unit_path": scope, "version": {"$gte": 1}}
        if status:
            query["status"] = status
        total = await self.cases.count_documents(query)
        cursor = self.cases.find(query).sort([("opened_at", DESCENDING), ("_id", ASCENDING)])
        return await cursor.skip(skip).limit(limit).to_list(), total

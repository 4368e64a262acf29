"""Verification's own data: one state document per tip, with an outbox of events that are
written in the same update as the state change and removed once the broker acknowledged them.
Every change is one conditional update of one document (optimistic concurrency on `version`,
or on the claim / reservation field it sets); None or False means another writer won."""
from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.common import mongo

from . import queue
from .queuestore import QueueCounters


class TipStore:
    def __init__(self, db: AsyncDatabase):
        self.tips = db["tips"]  # public: the outbox relay publishes from it
        self.counters = QueueCounters(db)  # the queue's totals, moved with every tip (queue.py)

    async def create_indexes(self) -> None:
        await self.tips.create_index([("unit_path", ASCENDING), ("received_at", DESCENDING)])
        await self.tips.create_index([("status", ASCENDING)])
        await self.tips.create_index([("outbox.id", ASCENDING)], sparse=True)
        await self.tips.create_index([("next_alert_at", ASCENDING)], sparse=True)
        await self.tips.create_index([("clock_due", ASCENDING)], sparse=True)
        for name in queue.KEY_FIELDS:
            await self.tips.create_index([(name, ASCENDING)])
        await self.counters.create_indexes()

    async def add_received(self, docs: list[dict]) -> None:
        """Insert tips not seen before; a redelivered `tip.received` changes nothing (its
        duplicate key is ignored: inserts cost the database far less than upserts)."""
        if not docs:
            return
        docs = [{**d, **queue.key_fields(d)} for d in docs]
        try:
            await self.tips.insert_many(docs, ordered=False)
            seen: set[int] = set()
        except BulkWriteError as exc:
            seen = set(mongo.duplicate_keys(exc))
        await self.counters.moved([(None, d) for i, d in enumerate(docs) if i not in seen])

    async def get(self, tip_id: str) -> dict | None:
        return await self.tips.find_one({"_id": tip_id})

    async def get_many(self, tip_ids: list[str]) -> dict[str, dict]:
        return {t["_id"]: t for t in await self.tips.find({"_id": {"$in": tip_ids}}).to_list()}

    async def change_status(self, tip: dict, *, status: str, history: dict, event: dict,
                            username: str, clock: dict) -> dict | None:
        """Move the tip if nobody else did since we read it (optimistic concurrency on
        `version`) and nobody else holds its claim; the decision releases the claim and sets
        the clock fields; the event goes into the outbox in the same write. None if we lost."""
        changes = _with_keys(tip, {"status": status, "version": tip["version"] + 1, "claim": None, **clock})
        updated = await self.tips.find_one_and_update(
            {"_id": tip["_id"], "version": tip["version"], "status": tip["status"],
             "$or": [{"claim": None}, {"claim.username": username}]},
            {"$set": changes, "$push": {"history": history, "outbox": event}},
            return_document=ReturnDocument.AFTER)
        await self.counters.moved([(tip, updated)] if updated else [])
        return updated

    async def record_legal_step(self, tip: dict, *, step: dict, fields: dict, event: dict,
                                username: str) -> dict | None:
        updated = await self.tips.find_one_and_update(
            {"_id": tip["_id"], "version": tip["version"],
             "$or": [{"claim": None}, {"claim.username": username}]},
            {"$set": _with_keys(tip, {**fields, "version": tip["version"] + 1}),
             "$push": {"legal_steps": step, "outbox": event}},
            return_document=ReturnDocument.AFTER)
        await self.counters.moved([(tip, updated)] if updated else [])
        return updated

    async def apply_recorded(self, tips: dict[str, dict], updates: dict) -> int:
        """Changes recorded on `tips.verification` by another writer (history.fold of `tips`,
        as read), each if its tip is still at the version it was read at, in one round trip,
        with the tip's queue keys and counters; how many applied."""
        if not updates:
            return 0
        fields = {tip_id: _with_keys(tips[tip_id], u.fields) for tip_id, u in updates.items()}
        result = await self.tips.bulk_write([
            UpdateOne({"_id": tip_id, "version": u.version},
                      {"$set": fields[tip_id], "$push": {k: {"$each": v} for k, v in u.push.items()}})
            for tip_id, u in updates.items()], ordered=False)
        applied = list(updates)
        if result.modified_count < len(updates):  # which ones: those now at the version they set
            versions = {t["_id"]: t["version"] for t in await self.tips.find(
                {"_id": {"$in": applied}}, {"version": 1}).to_list()}
            applied = [i for i in applied if versions.get(i) == fields[i].get("version")]
        await self.counters.moved([(tips[i], {**tips[i], **fields[i]}) for i in applied])
        return result.modified_count

    async def claim(self, tip_id: str, claim: dict) -> dict | None:
        """Lock a received tip to one officer (again by the same officer: no change)."""
        return await self.tips.find_one_and_update(
            {"_id": tip_id, "status": "received",
             "$or": [{"claim": None}, {"claim.username": claim["username"]}]},
            {"$set": {"claim": claim}}, return_document=ReturnDocument.AFTER)

    async def release(self, tip_id: str, username: str | None) -> bool:
        """Drop the claim held by `username` (None: by anyone)."""
        holder = {"claim.username": username} if username else {"claim": {"$ne": None}}
        result = await self.tips.update_one({"_id": tip_id, **holder}, {"$set": {"claim": None}})
        return result.modified_count == 1

    async def reserve(self, tip_id: str, case_id: str) -> bool:
        """Set aside a valuable tip for a case being opened or extended (caseflow.py)."""
        result = await self.tips.update_one({"_id": tip_id, "status": "valuable", "case_id": None},
                                            {"$set": {"case_id": case_id}})
        return result.modified_count == 1

    async def unreserve(self, tip_ids: list[str], case_id: str) -> None:
        await self.tips.update_many({"_id": {"$in": tip_ids}, "case_id": case_id, "status": "valuable"},
                                    {"$set": {"case_id": None}})

    async def convert(self, tip: dict, case_id: str, *, history: dict, event: dict) -> bool:
        """valuable → converted for a tip reserved by `case_id`; its clock stops."""
        changes = _with_keys(tip, {"status": "converted", "version": tip["version"] + 1, "claim": None,
                                   "clock_due": None, "clock_which": None, "next_alert_at": None})
        result = await self.tips.update_one(
            {"_id": tip["_id"], "version": tip["version"], "status": "valuable", "case_id": case_id},
            {"$set": changes, "$push": {"history": history, "outbox": event}})
        if result.modified_count == 1:
            await self.counters.moved([(tip, {**tip, **changes})])
        return result.modified_count == 1

    async def tipster_wrote(self, messages: list[tuple[str, datetime]]) -> None:
        """Mark tips with a message from their tipster unread, unless an officer read the tip
        after that message (a redelivered event changes nothing)."""
        for tip_id, at in messages:
            await self.tips.update_one(
                {"_id": tip_id, "$or": [{"read_at": None}, {"read_at": {"$lt": at}}]},
                {"$set": {"unread": True}, "$max": {"tipster_message_at": at}})

    async def mark_read(self, tip_id: str, at: datetime) -> None:
        await self.tips.update_one({"_id": tip_id, "unread": True}, {"$set": {"unread": False, "read_at": at}})

    async def received_between(self, unit_codes: list[str], since: datetime, until: datetime,
                               limit: int) -> list[dict]:
        return await self.tips.find(
            {"unit_code": {"$in": unit_codes}, "received_at": {"$gte": since, "$lte": until}},
            {"content": 1, "category": 1, "location": 1, "occurred_at": 1, "received_at": 1, "unit_code": 1},
        ).sort([("received_at", DESCENDING)]).limit(limit).to_list()

    async def alerts_due(self, now: datetime, limit: int) -> list[dict]:
        return await self.tips.find({"next_alert_at": {"$lte": now}}).limit(limit).to_list()

    async def record_alert(self, tip: dict, *, alerted: dict, next_alert_at: datetime | None,
                           event: dict) -> bool:
        """Mark the alert sent, if the tip's clock did not move meanwhile and no other sweep (a
        replica's) sent it first: `next_alert_at` as read is the compare-and-set. Event in the outbox."""
        result = await self.tips.update_one(
            {"_id": tip["_id"], "version": tip["version"], "clock_due": tip["clock_due"],
             "next_alert_at": tip["next_alert_at"]},
            {"$set": {"alerted": alerted, "next_alert_at": next_alert_at}, "$push": {"outbox": event}})
        return result.modified_count == 1

    async def clock_counts(self, now: datetime, near: timedelta) -> dict[str, dict[str, int]]:
        """Tips whose clock runs, near their deadline, and overdue, counted per unit: open and
        overdue from the queue's counters, only the near and today's overdue tips read."""
        async def per_unit(query: dict) -> dict[str, int]:
            rows = await self.tips.aggregate([{"$match": query}, {"$group": {"_id": "$unit_code", "n": {"$sum": 1}}}])
            return {r["_id"]: r["n"] async for r in rows}
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        counts = queue.gauge_counts(await self.counters.own_rows(),
                                    await per_unit({"clock_due": {"$gte": today, "$lte": now}}), now)
        counts["near"] = await per_unit({"clock_due": {"$gt": now, "$lte": now + near}})
        return counts

    async def find(self, *, scope: str, filters: dict, received_from: datetime | None,
                   received_to: datetime | None, skip: int, limit: int) -> tuple[list[dict], int]:
        query: dict = {"unit_path": scope, **filters}
        if received_from or received_to:
            query["received_at"] = {k: v for k, v in (("$gte", received_from), ("$lt", received_to)) if v}
        total = await self.tips.count_documents(query)
        cursor = self.tips.find(query).sort([("received_at", DESCENDING), ("_id", ASCENDING)])
        return await cursor.skip(skip).limit(limit).to_list(), total


def _with_keys(tip: dict, changes: dict) -> dict:
    """`changes` plus the queue keys of the tip they make (queue.py)."""
    return {**changes, **queue.key_fields({**tip, **changes})}

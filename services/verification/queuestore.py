"""The officer's queue as queries (queue.py has the rules): the counters of open tips per
unit, status, priority and day of deadline, and the page read in key order, window by window,
so a page of a unit with 20,000 open tips touches about a page of documents."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from . import queue

# legal_steps stay: the item's clock is computed from them (legal.clock_view); without them a
# forwarded tip showed its forwarding deadline as long overdue
ITEM_FIELDS = {"history": 0, "outbox": 0, "content_words": 0}


class QueueCounters:
    def __init__(self, db: AsyncDatabase):
        self.counts = db["queue_counts"]

    async def create_indexes(self) -> None:
        await self.counts.create_index([("scope", ASCENDING), ("rank", ASCENDING), ("day", ASCENDING)])

    async def moved(self, changes: list[tuple[dict | None, dict | None]]) -> None:
        """Count the tips that moved (before, after): one `$inc` per counter touched."""
        total: Counter = Counter()
        for before, after in changes:
            total.update(queue.counter_delta(before, after))
        ops = [UpdateOne({"_id": cid}, {"$inc": {"n": n}, "$setOnInsert": queue.counter_doc(cid)}, upsert=True)
               for cid, n in sorted(total.items()) if n]
        if ops:
            await self.counts.bulk_write(ops, ordered=False)

    async def rebuild(self, tips: AsyncCollection) -> int:
        """Recount every counter from the tips (at start-up, before the consumer runs), and give
        the tips whose queue keys are missing or stale (written before the queue had keys) their
        keys. Returns the tips read (received or valuable)."""
        cursor = tips.find({"status": {"$in": list(queue.QUEUE_STATUSES)}},
                           {"unit_path": 1, "unit_code": 1, "status": 1, "priority": 1, "clock_due": 1,
                            "legal_decision": 1, "received_at": 1, "content": 1, **{k: 1 for k in queue.KEY_FIELDS}})
        open_tips = await cursor.to_list()
        stale = [UpdateOne({"_id": t["_id"]}, {"$set": keys}) for t in open_tips
                 if (keys := queue.stale_keys(t)) is not None]
        for start in range(0, len(stale), 500):
            await tips.bulk_write(stale[start:start + 500], ordered=False)
        # written in place, not dropped and inserted: a replica starting beside a running one
        # (ANTT_REPLICAS) neither fails on the other's counters nor leaves the queue without any
        counted = queue.recount(open_tips)
        await self.counts.delete_many({"_id": {"$nin": list(counted)}})
        ops = [UpdateOne({"_id": cid}, {"$set": {"n": n, **queue.counter_doc(cid)}}, upsert=True)
               for cid, n in sorted(counted.items())]
        for start in range(0, len(ops), 500):
            await self.counts.bulk_write(ops[start:start + 500], ordered=False)
        return len(open_tips)

    async def own_rows(self) -> list[dict]:
        """Every own-unit counter (a few per unit, status, priority and day): the clock gauges."""
        return await self.counts.find({"scope": {"$gte": queue.OWN, "$lt": queue.OWN + queue.END}, "n": {"$gt": 0}},
                                      {"scope": 1, "day": 1, "n": 1}).to_list()

    async def rows(self, unit: str, status: str) -> list[dict]:
        return await self.counts.find({"scope": f"{unit}|{status}", "n": {"$gt": 0}},
                                      {"rank": 1, "day": 1, "n": 1}).to_list()


@dataclass(frozen=True)
class QueueQuery:
    unit: str
    level: int
    status: str
    bucket: queue.Bucket
    ranks: list[int]
    filters: dict           # extra conditions on the tip documents (channel, claim, words…)
    near: timedelta | None  # clock=near: only deadlines within this


class QueueReader:
    def __init__(self, tips: AsyncCollection, counters: QueueCounters):
        self._tips, self._counters = tips, counters

    async def page(self, q: QueueQuery, now: datetime, *, after: str | None, skip: int,
                   size: int) -> tuple[list[dict], bool]:
        """`size` tips after the cursor (or after `skip` tips) in queue order; and whether more follow."""
        field = queue.key_field(q.level)
        rows = await self._counters.rows(q.unit, q.status)
        need, found = skip + size + 1, []
        for span in queue.spans(q.unit, q.status, q.bucket, now, q.ranks, q.near):
            days = sorted((r["day"], r["n"]) for r in rows if r["rank"] == int(span.prefix.split("|")[2]))
            for lo, hi in queue.windows(span, days, after, need - len(found)):
                bound = {"$gt": lo} if after and lo == after else {"$gte": lo}
                cursor = self._tips.find({field: {**bound, "$lt": hi}, **q.filters}, ITEM_FIELDS)
                found += await cursor.sort(field, ASCENDING).limit(need - len(found)).to_list()
                if len(found) >= need:
                    break
            if len(found) >= need:
                break
        return found[skip:skip + size], len(found) > skip + size

    async def counts(self, q: QueueQuery, now: datetime) -> queue.Counts:
        """The bucket totals of the query: from the counters when only the unit, status and
        priority narrow it; else by reading the keys of the matching tips."""
        field = queue.key_field(q.level)
        if not q.filters and q.near is None:
            rows = await self._counters.rows(q.unit, q.status)
            today = now.replace(hour=0, minute=0, second=0, microsecond=0)
            overdue_today = 0
            for span in queue.spans(q.unit, q.status, "overdue", now, q.ranks):
                overdue_today += await self._count({field: {"$gte": span.prefix + queue.stamp(today),
                                                            "$lt": span.stop}})
            return queue.counts_from_counters(rows, q.ranks, overdue_today, now)
        counts = queue.Counts()
        for span in queue.spans(q.unit, q.status, "all", now, q.ranks, q.near):
            async for doc in self._tips.find({field: {"$gte": span.start, "$lt": span.stop}, **q.filters},
                                             {field: 1}):
                setattr(counts, queue.bucket_of(doc[field], now),
                        getattr(counts, queue.bucket_of(doc[field], now)) + 1)
        return counts

    async def _count(self, query: dict) -> int:
        return len(await self._tips.find(query, {"_id": 1}).to_list())

"""What must hold after the faults, read from the database directly (pymongo), from the topics
and through the gateway."""
from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
from pymongo import MongoClient

from services.common import contracts, replay

from .load import Attempt, Poison, number_of


@dataclass
class Verdict:
    acknowledged: int = 0
    not_acknowledged: int = 0          # 503, 502, timeouts, refused connections
    statuses: dict[str, int] = field(default_factory=dict)
    lost_verification: list[str] = field(default_factory=list)  # 202 but not in verification's state
    lost_statistics: list[str] = field(default_factory=list)    # 202 but not in tip_facts
    doubled: list[str] = field(default_factory=list)            # one request, more than one tip
    unacknowledged_present: int = 0   # no 202, yet the tip exists (allowed, reported)
    unacknowledged_present_by: dict[str, int] = field(default_factory=dict)  # by the answer it got
    unknown_present: list[str] = field(default_factory=list)     # a tip of the load nobody sent
    stats_total: int | None = None
    facts_total: int = 0
    dlq_records: int = 0
    dlq_without_reason: list[str] = field(default_factory=list)
    poison_acknowledged: int = 0      # invalid records the broker took (see load.Poison)
    poison_not_dead_lettered: list[str] = field(default_factory=list)  # "service: n"
    receipts_failed: list[str] = field(default_factory=list)
    rebuild_differences: list[str] = field(default_factory=list)  # rebuilt from the topics vs live

    @property
    def lost(self) -> set[str]:
        return set(self.lost_verification) | set(self.lost_statistics)

    @property
    def doubled_count(self) -> int:
        extra = max(0, (self.stats_total or 0) - self.facts_total)
        return len(self.doubled) + extra

    @property
    def ok(self) -> bool:
        return not (self.lost or self.doubled_count or self.unknown_present or self.dlq_without_reason
                    or self.receipts_failed or self.poison_not_dead_lettered or self.stats_total != self.facts_total
                    or self.rebuild_differences)

    def failures(self) -> list[str]:
        out = []
        if self.lost:
            out.append(f"{len(self.lost)} acknowledged tip(s) lost: {sorted(self.lost)[:10]}")
        if self.doubled_count:
            out.append(f"{self.doubled_count} tip(s) doubled: {self.doubled[:10]}; "
                       f"stats {self.stats_total} vs facts {self.facts_total}")
        if self.stats_total != self.facts_total:
            out.append(f"GET /stats/tips says {self.stats_total}, tip_facts hold {self.facts_total}")
        if self.unknown_present:
            out.append(f"tips of the load that no request made: {self.unknown_present[:10]}")
        if self.dlq_without_reason:
            out.append(f"DLQ records without a reason: {self.dlq_without_reason[:10]}")
        if self.poison_not_dead_lettered:
            out.append(f"invalid records not dead-lettered: {self.poison_not_dead_lettered[:10]}")
        if self.receipts_failed:
            out.append(f"{len(self.receipts_failed)} receipt code(s) do not work: {self.receipts_failed[:5]}")
        if self.rebuild_differences:
            out.append(f"a rebuild from the topics differs from the live read models: {self.rebuild_differences[:5]}")
        return out


def collections(mongo: MongoClient, prefix: str):
    return mongo[f"{prefix}_verification"]["tips"], mongo[f"{prefix}_aggregation"]["tip_facts"]


def counted(mongo: MongoClient, prefix: str, tip_id: str) -> bool:
    """In verification's state and in aggregation's facts."""
    states, facts = collections(mongo, prefix)
    return (states.find_one({"_id": tip_id}, {"_id": 1}) is not None
            and facts.find_one({"_id": tip_id}, {"_id": 1}) is not None)


def settle(mongo: MongoClient, prefix: str, unit_code: str, acknowledged: set[str], timeout_s: float) -> float:
    """Wait until every acknowledged tip is in both read models and nothing changes any more."""
    states, facts = collections(mongo, prefix)
    started = time.monotonic()
    last, stable_since = None, time.monotonic()
    while time.monotonic() - started < timeout_s:
        have = ({d["_id"] for d in states.find({"unit_path": unit_code}, {"_id": 1})},
                {d["_id"] for d in facts.find({"unit_path": unit_code}, {"_id": 1})})
        sizes = (len(have[0]), len(have[1]))
        if sizes != last:
            last, stable_since = sizes, time.monotonic()
        if acknowledged <= have[0] and acknowledged <= have[1] and time.monotonic() - stable_since > 3:
            break
        time.sleep(1)
    return time.monotonic() - started


def check(*, attempts: list[Attempt], run: str, unit_code: str, mongo: MongoClient, prefix: str,
          gateway: str, admin_headers: dict, bootstrap: str, poison: "Poison | None" = None,
          poison_consumers: tuple[str, ...] = ("verification", "aggregation"),
          receipts: ReceiptChecker | None = None) -> Verdict:
    v = Verdict()
    by_number = {a.i: a for a in attempts}
    acked = {a.tip_id: a for a in attempts if a.acknowledged}
    v.acknowledged = len(acked)
    v.not_acknowledged = len(attempts) - len(acked)
    for a in attempts:
        key = a.answer
        v.statuses[key] = v.statuses.get(key, 0) + 1

    states, facts = collections(mongo, prefix)
    state_docs = {d["_id"]: d.get("content", "") for d in states.find({"unit_path": unit_code}, {"content": 1})}
    fact_ids = {d["_id"] for d in facts.find({"unit_path": unit_code}, {"_id": 1})}
    v.facts_total = len(fact_ids)
    v.lost_verification = sorted(set(acked) - set(state_docs))
    v.lost_statistics = sorted(set(acked) - fact_ids)

    tips_of_request: dict[int, set[str]] = defaultdict(set)
    for tip_id, content in state_docs.items():
        n = number_of(content, run)
        if n is None or n not in by_number:
            v.unknown_present.append(tip_id)
            continue
        tips_of_request[n].add(tip_id)
    for tip_id in fact_ids - set(state_docs):  # counted, yet verification does not know it
        if tip_id not in acked:
            v.unknown_present.append(tip_id)
    for n, tip_ids in tips_of_request.items():
        attempt = by_number[n]
        if len(tip_ids) > 1:
            v.doubled += sorted(tip_ids)
        if attempt.acknowledged and attempt.tip_id not in tip_ids:
            v.doubled += sorted(tip_ids)  # its request got another tip id: a second tip
        if not attempt.acknowledged:
            v.unacknowledged_present += len(tip_ids)
            key = attempt.answer
            v.unacknowledged_present_by[key] = v.unacknowledged_present_by.get(key, 0) + len(tip_ids)

    with httpx.Client(base_url=gateway, timeout=30) as client:
        r = client.get("/api/v1/stats/tips", params={"unit_code": unit_code}, headers=admin_headers)
        r.raise_for_status()
        v.stats_total = r.json()["total"]["received"]
        codes = [a.receipt_code for a in acked.values()]
        v.receipts_failed = (receipts or ReceiptChecker(gateway)).finish(codes)

    v.dlq_records, v.dlq_without_reason, dead = _dead_letters(bootstrap)
    if poison is not None:
        v.poison_acknowledged = len(poison.acknowledged)
        v.poison_not_dead_lettered = [f"{service}: {n}" for n in poison.acknowledged for service in poison_consumers
                                      if (service, poison.value(n)) not in dead]
    return v


class ReceiptChecker:
    """Opens the receipt code of every acknowledged tip (GET /api/v1/receipts/{code} through the
    gateway), in the background while the run goes on, so that little is left for the end. A
    502/503/504 or a broken connection (a fault under way) is retried for up to `patience_s`; any
    other answer than 200 is a failure."""

    def __init__(self, gateway: str, patience_s: float = 120):
        self.gateway, self.patience_s = gateway, patience_s
        self.checked: set[str] = set()
        self.failed: list[str] = []
        self._source = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, source) -> None:
        """`source()`: the receipt codes acknowledged so far."""
        self._source = source
        self._thread = threading.Thread(target=lambda: asyncio.run(self._background()),
                                        name="chaos-receipts", daemon=True)
        self._thread.start()

    def finish(self, codes: list[str]) -> list[str]:
        self._stop.set()
        if self._thread:
            self._thread.join(self.patience_s + 60)
        asyncio.run(self._check([c for c in codes if c not in self.checked], concurrency=16))
        return self.failed

    async def _background(self) -> None:
        while not self._stop.is_set():
            todo = [c for c in self._source() if c not in self.checked]
            if todo:
                await self._check(todo, concurrency=4)
            await asyncio.sleep(1)

    async def _check(self, codes: list[str], concurrency: int) -> None:
        queue = list(codes)
        async with httpx.AsyncClient(base_url=self.gateway, timeout=30) as client:
            async def worker():
                while queue and not (self._stop.is_set() and concurrency == 4):
                    code = queue.pop()
                    deadline = time.monotonic() + self.patience_s
                    while True:
                        try:
                            r = await client.get(f"/api/v1/receipts/{code}")
                            status = r.status_code
                        except httpx.HTTPError:
                            status = None
                        if status == 200:
                            break
                        if status not in (None, 502, 503, 504) or time.monotonic() > deadline:
                            self.failed.append(f"{code}: {status or 'unreachable'}")
                            break
                        await asyncio.sleep(1)
                    self.checked.add(code)
            await asyncio.gather(*(worker() for _ in range(concurrency)))


def _dead_letters(bootstrap: str) -> tuple[int, list[str], set[tuple[str, bytes]]]:
    """Every record of every dead-letter topic, read committed from the beginning."""
    topics = [t.dlq for t in contracts.topics().values()]
    records = replay.read_all(bootstrap, topics, read_committed=True)
    missing, dead = [], set()
    for r in records:
        headers = dict(r.headers or ())
        dead.add((headers.get("dlq.service", b"").decode(), r.value))
        if not headers.get("dlq.reason", b"").strip():
            missing.append(f"{r.topic}[{r.partition}]@{r.offset}")
    return len(records), missing, dead

"""`make bench`: measures the system on the real broker and database, all on this machine.

- the database alone, before any load: batched inserts and upserts per second (the ceiling of
  everything that writes a document per tip);
- intake at rising concurrency: tips posted to intake itself (and once through the gateway);
  tips per second acknowledged (each 202 means the broker committed the tip, acks=all) and
  latency percentiles of the 202; and, during the largest burst, the CPU time each process
  (services, broker, database, and this load generator) spent per tip: on 2 cores, the whole
  system has 1 ms of CPU per tip at 2,000 tips/s;
- end to end, one tip at a time: from the 202 until `GET /stats/tips` counts the tip
  (intake → Kafka → aggregation → read model → gateway), p50 / p95 / p99;
- pipeline: `tip.received` events written straight to Kafka, events per second until the
  read models hold them all (aggregation's facts, verification's tip states);
- the receipt check: the Argon2id key of a code alone, and `GET /receipts/{code}` (p50 / p95);
- bulk import: a CSV through `POST /tips/import` until the job is done, rows per second;
- the officer's queue with 20,000 open tips in one district (tests/bench/queue.py): first page,
  next page, overdue bucket and filtered pages, p50 / p95.
Prints a table. Sizes: BENCH_TIPS (intake tips at the highest concurrency, default 2000),
BENCH_EVENTS (pipeline, default 20000), BENCH_IMPORT_ROWS (default 5000), BENCH_QUEUE_TIPS
(default 20000). BENCH_PARTS (comma-separated, default all): ceiling, intake, pipeline, queue.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from pymongo import MongoClient, UpdateOne

from services.common import contracts
from services.devstack.demo_year import produce
from services.devstack.stack import Ports, Stack

from . import load, queue, receipts

PASSWORD = "bench-admin-password"
PREFIX = "antt_bench"
BURST_WARD, SINGLE_WARD, PIPELINE_WARD, IMPORT_WARD = "14806", "14803", "14800", "14797"
LEVELS = (1, 8, 32, 64)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def count(client: httpx.AsyncClient, headers: dict, ward: str) -> int:
    r = await client.get("/api/v1/stats/tips", params={"unit_code": ward}, headers=headers)
    return r.json()["total"]["received"]


async def post(client: httpx.AsyncClient, ward: str, i: int) -> float:
    started = time.perf_counter()
    r = await client.post("/api/v1/tips", json={"channel": "web", "unit_code": ward,
                                                "content": f"Tin báo thử nghiệm số {i}: nghi có trộm cắp"})
    r.raise_for_status()
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its waited-for children (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / CLOCK_TICKS


def processes(stack: Stack) -> dict[str, int]:
    found = {name: child.proc.pid for name, child in stack.services.items()}
    found["kafka broker"] = stack.broker.child.proc.pid
    found["database"] = stack.database.child.proc.pid
    found["load generator (this)"] = os.getpid()
    return found


def cpu_per_tip(before: dict[str, float], after: dict[str, float], tips: int) -> list[tuple[str, str]]:
    spent = {name: after[name] - before[name] for name in before}
    rows = [(f"  CPU per tip: {name}", f"{spent[name] / tips * 1000:.2f} ms")
            for name in sorted(spent, key=spent.get, reverse=True)]
    return rows + [("  CPU per tip: all processes", f"{sum(spent.values()) / tips * 1000:.2f} ms "
                                                    f"(budget at 2,000 tips/s on {os.cpu_count()} cores: "
                                                    f"{os.cpu_count() / 2000 * 1000:.2f} ms)")]


def tip_bodies(ward: str, n: int) -> list[dict]:
    return [{"channel": "web", "unit_code": ward, "content": f"Tin báo thử nghiệm số {i}: nghi có trộm cắp"}
            for i in range(n)]


async def wait_for_count(client, headers, ward: str, target: int) -> None:
    while await count(client, headers, ward) < target:
        await asyncio.sleep(0.02)


def pipeline_events(n: int) -> dict[str, list[contracts.Event]]:
    now = contracts.now_utc()
    return {"tips.received": [contracts.make_event("tip.received/1", subject=f"T-BENCH-{i}", source="bench", data={
        "tip_id": f"T-BENCH-{i}", "channel": "zalo", "content": f"Tin báo {i}: nghi mua bán ma túy",
        "unit_code": PIPELINE_WARD, "unit_path": ["38", "380", PIPELINE_WARD], "received_at": now,
        "recorded_at": now, "anonymous": True, "has_contact": False}) for i in range(n)]}


def database_ceiling(stack: Stack, n: int = 3000, batch: int = 100) -> list[tuple[str, str]]:
    """The database alone, before any load: documents per second written in batches, as
    intake's receipts (inserts) and the consumers' read models (upserts on the read models'
    indexes) write them. Every tip costs at least one of each."""
    mongo = MongoClient(stack.uri, journal=True)
    scratch = mongo[f"{PREFIX}_ceiling"]
    now = contracts.now_utc()
    inserts = scratch["inserts"]
    started = time.perf_counter()
    for b in range(n // batch):
        inserts.insert_many([{"_id": f"R-{b}-{i}", "tip_id": f"T-{b}-{i}", "created_at": now} for i in range(batch)])
    inserted = n / (time.perf_counter() - started)
    facts = scratch["facts"]
    facts.create_index([("unit_path", 1), ("received_at", 1)])
    facts.create_index([("unit_path_2025", 1), ("received_at", 1)])
    started = time.perf_counter()
    for b in range(n // batch):
        facts.bulk_write([UpdateOne({"_id": f"T-{b}-{i}"}, {"$set": {
            "unit_path": ["38", "380", PIPELINE_WARD], "unit_path_2025": ["38", "16522"], "channel": "web",
            "received_at": now}, "$setOnInsert": {"status": "received"}}, upsert=True) for i in range(batch)])
    upserted = n / (time.perf_counter() - started)
    mongo.drop_database(scratch.name)
    mongo.close()
    return [(f"database alone: inserts in batches of {batch}", f"{inserted:.0f} docs/s"),
            (f"database alone: upserts on two indexes, batches of {batch}", f"{upserted:.0f} docs/s")]


def pipeline(stack: Stack, n: int) -> list[tuple[str, str]]:
    mongo = MongoClient(stack.uri)
    facts = mongo[f"{PREFIX}_aggregation"]["tip_facts"]
    states = mongo[f"{PREFIX}_verification"]["tips"]
    events = pipeline_events(n)
    started = time.perf_counter()
    asyncio.run(produce(stack.bootstrap, events))
    written = time.perf_counter() - started
    done: dict[str, float] = {}
    while len(done) < 2:
        for name, collection in (("aggregation", facts), ("verification", states)):
            # on an indexed field, and not too often: the polling must not load the database
            if name not in done and collection.count_documents({"unit_path": PIPELINE_WARD}) >= n:
                done[name] = time.perf_counter() - started
        time.sleep(0.2)
    mongo.close()
    return [("pipeline: events written to Kafka", f"{n} in {written:.1f} s ({n / written:.0f}/s)"),
            ("pipeline: aggregation (read model) events/s", f"{n / done['aggregation']:.0f}/s"),
            ("pipeline: verification (tip states) events/s", f"{n / done['verification']:.0f}/s")]


async def bulk_import(client: httpx.AsyncClient, headers: dict, rows: int) -> list[tuple[str, str]]:
    body = "channel,content,unit_code\n" + "".join(
        f"tip_box,Phiếu tố giác số {i}: có người lạ ra vào ban đêm,{IMPORT_WARD}\n" for i in range(rows))
    started = time.perf_counter()
    r = await client.post("/api/v1/tips/import", headers=headers,
                          files={"file": ("bench.csv", body.encode(), "text/csv")})
    r.raise_for_status()
    job = r.json()["job_id"]
    while (status := (await client.get(f"/api/v1/imports/{job}", headers=headers)).json())["status"] not in ("done", "failed"):
        await asyncio.sleep(0.2)
    elapsed = time.perf_counter() - started
    return [("bulk import: rows (CSV, one job)", f"{status['done']} done, {status['failed']} failed, {status['status']}"),
            ("bulk import: rows/s", f"{rows / elapsed:.0f}/s ({elapsed:.1f} s)")]


async def bursts(stack: Stack, n: int) -> tuple[list[tuple[str, str]], int]:
    """The rows, and how many tips were posted."""
    rows: list[tuple[str, str]] = []
    posted = 0
    pids = processes(stack)
    for target in ("intake", "gateway"):
        await load.burst(stack.url(target), tip_bodies(BURST_WARD, 20), 4)  # warm-up: connections, producers
        posted += 20
        for level in LEVELS if target == "intake" else (32,):
            size = max(100, n * level // LEVELS[-1])
            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            seconds, latencies = await load.burst(stack.url(target), tip_bodies(BURST_WARD, size), level)
            posted += size
            after = {name: cpu_seconds(pid) for name, pid in pids.items()}
            label = f"{target}, {level} concurrent client(s)"
            rows.append((f"{label}: tips/s", f"{size / seconds:.0f}/s ({size} tips)"))
            rows.append((f"{label}: p50 / p95 / p99",
                         f"{ms(pct(latencies, .5))} / {ms(pct(latencies, .95))} / {ms(pct(latencies, .99))}"))
            if target == "intake" and level == LEVELS[-1]:
                rows += cpu_per_tip(before, after, size)
    return rows, posted


async def measure(gateway: str, import_rows: int, burst_tips: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    async with httpx.AsyncClient(base_url=gateway, timeout=120) as client:
        token = (await client.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        started = time.perf_counter()
        await wait_for_count(client, headers, BURST_WARD, burst_tips)  # the bursts' backlog first
        rows.append(("bursts: all their tips counted in /stats/tips after", f"{time.perf_counter() - started:.1f} s more"))
        for i in range(20):  # warm-up: connections, producer, consumers
            await post(client, SINGLE_WARD, i)
        await wait_for_count(client, headers, SINGLE_WARD, 20)
        single: list[float] = []
        for i in range(100):
            started = time.perf_counter()
            await post(client, SINGLE_WARD, i)
            await wait_for_count(client, headers, SINGLE_WARD, 21 + i)
            single.append(time.perf_counter() - started)
        rows.append(("end to end, 202 to counted in /stats/tips: p50 / p95 / p99 (100 tips)",
                     f"{ms(statistics.median(single))} / {ms(pct(single, .95))} / {ms(pct(single, .99))}"))
        rows += receipts.hash_cost() + await receipts.lookups(client, SINGLE_WARD)
        rows += await bulk_import(client, headers, import_rows)
    return rows


def main() -> None:
    n = int(os.environ.get("BENCH_TIPS", "2000"))
    events = int(os.environ.get("BENCH_EVENTS", "20000"))
    import_rows = int(os.environ.get("BENCH_IMPORT_ROWS", "5000"))
    queue_tips = int(os.environ.get("BENCH_QUEUE_TIPS", "20000"))
    parts = set(os.environ.get("BENCH_PARTS", "ceiling,intake,pipeline,queue").split(","))
    with tempfile.TemporaryDirectory(prefix="antt-bench-") as workdir:
        stack = Stack(Path(workdir), Ports.free(), env={
            "ANTT_ADMIN_PASSWORD": PASSWORD, "LOG_LEVEL": "WARNING", "MONGO_DB_PREFIX": PREFIX,
            "INTAKE_WEB_RATE_PER_MIN": "10000000"})  # one client sends every tip: lift the public limit
        try:
            stack.start()
            rows = database_ceiling(stack) if "ceiling" in parts else []
            if "intake" in parts:
                burst_rows, posted = asyncio.run(bursts(stack, n))
                rows += burst_rows
                rows += asyncio.run(measure(stack.url(), import_rows, posted))
            if "pipeline" in parts:
                rows += pipeline(stack, events)
            if "queue" in parts:
                rows += queue.run(stack, PASSWORD, PREFIX, queue_tips)
        finally:
            stack.stop()
    width = max(len(k) for k, _ in rows)
    print(f"\n{'measure'.ljust(width)} | value\n{'-' * width}-+-{'-' * 36}")
    for key, value in rows:
        print(f"{key.ljust(width)} | {value}")
    print(f"\n(machine: {os.cpu_count()} cores; real Kafka broker and SecantusDB on this machine; "
          "one process per service)")


if __name__ == "__main__":
    main()

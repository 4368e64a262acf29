"""The officer's queue at a district's volume: 20,000 open tips in district 389 (its wards in
turn), then `GET /api/v1/queue` through the gateway, first page and filtered pages, p50 / p95.

The tips are loaded with verification's own code, straight into its store (`TipStore.add_received`,
which writes the queue keys and counters as the consumer of `tip.received` does), in batches
of 1,000: tens of seconds instead of the minutes that many events take through the broker. Their
texts are the labelled tips of tests/data (so triage gives real priorities and categories),
received over the last 20 days; two in three were forwarded (their 20-day decision clock runs),
the others wait to be forwarded within 24 h, so many are overdue; alerts already sent are marked
so the clock sweep does not spend the bench sending them.
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from pymongo import AsyncMongoClient

from services.common import units
from services.common.times import iso
from services.devstack.demo_decisions import BASIS, OFFICER
from services.verification import clocks, domain, legal
from services.verification.store import TipStore

DISTRICT = "389"  # Ngọc Lặc: no other part of the bench writes there
DATA = Path(__file__).resolve().parents[1] / "data" / "tips_labelled.jsonl"
NEAR = timedelta(hours=48)
REPEATS = 40


def tip_docs(n: int, now: datetime, seed: int = 380, district: str = DISTRICT, tag: str = "QB") -> list[dict]:
    """`n` open tips of `district`'s wards in turn (ids `T-<tag>-000000`…), as described above."""
    rng = random.Random(seed)
    texts = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    wards = sorted(u.code for u in units.all_units().values() if u.level == "ward" and u.parent == district)
    docs = []
    for i in range(n):
        source = texts[i % len(texts)]
        received = now - timedelta(minutes=rng.uniform(5, 20 * 24 * 60))
        ward = wards[i % len(wards)]
        doc = domain.tip_from_event({
            "tip_id": f"T-{tag}-{i:06d}", "channel": source.get("channel") or "web", "unit_code": ward,
            "unit_path": ["38", district, ward], "content": f"{source['text']} (#{i})",
            "received_at": iso(received), "anonymous": True}, near=NEAR)
        if rng.random() < 2 / 3:  # the step recorded as the API records it, so the page shows the decision's clock
            step = clocks.Step("forward", received + timedelta(hours=2))
            forwarded = clocks.deadlines(received, steps=(step,))
            doc["deadlines"] = legal.deadlines_doc(forwarded)
            doc["legal_steps"] = [{"step": "forward", "at": step.at, "legal_basis": BASIS["forward"], "note": None,
                                   "months": None, "actor": OFFICER}]
            doc.update(legal.clock_fields(forwarded, "received", None, {}, NEAR))
        due, alerted = doc["clock_due"], {}
        if due - now <= NEAR:
            alerted["deadline_near"] = legal.mark(due)
        if due <= now:
            alerted["deadline_passed"] = legal.mark(due)
        doc["alerted"], doc["next_alert_at"] = alerted, legal.next_alert_at(due, alerted, NEAR)
        docs.append(doc)
    return docs


async def load_tips(uri: str, db_name: str, n: int, **where) -> float:
    """Seconds to write `n` open tips into verification's store, with their keys and counters
    (`where`: tip_docs' district and tag)."""
    client = AsyncMongoClient(uri, tz_aware=True)
    store = TipStore(client[db_name])
    docs = tip_docs(n, datetime.now(timezone.utc), **where)
    started = time.perf_counter()
    for i in range(0, n, 1000):
        await store.add_received(docs[i:i + 1000])
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def timed(client: httpx.AsyncClient, headers: dict, params: dict) -> tuple[list[float], dict]:
    await client.get("/api/v1/queue", params=params, headers=headers)  # warm-up
    times, answer = [], {}
    for _ in range(REPEATS):
        started = time.perf_counter()
        r = await client.get("/api/v1/queue", params=params, headers=headers)
        times.append(time.perf_counter() - started)
        r.raise_for_status()
        answer = r.json()
    return times, answer


async def measure(gateway: str, headers: dict) -> list[tuple[str, str]]:
    rows = []
    async with httpx.AsyncClient(base_url=gateway, timeout=120) as client:
        first = (await client.get("/api/v1/queue", params={"unit_code": DISTRICT}, headers=headers)).json()
        ward = first["items"][0]["unit_code"]
        cases = [("first page", {"unit_code": DISTRICT}),
                 ("second page (cursor)", {"unit_code": DISTRICT, "after": first["next"]}),
                 ("overdue bucket, first page", {"unit_code": DISTRICT, "bucket": "overdue"}),
                 ("filtered: one ward, high priority", {"unit_code": ward, "priority": "high"}),
                 ("filtered: channel hotline, category theft", {"unit_code": DISTRICT, "channel": "hotline",
                                                                "category": "theft"}),
                 ("search 'trom xe' (no diacritics)", {"unit_code": DISTRICT, "q": "trom xe"})]
        for label, params in cases:
            times, answer = await timed(client, headers, params)
            rows.append((f"queue, 20,000 open tips in {DISTRICT}: {label}: p50 / p95",
                         f"{pct(times, .5) * 1000:.0f} / {pct(times, .95) * 1000:.0f} ms "
                         f"(total {answer['total']}, overdue {answer['counts']['overdue']})"))
    return rows


def run(stack, password: str, prefix: str, n: int) -> list[tuple[str, str]]:
    seconds = asyncio.run(load_tips(stack.uri, f"{prefix}_verification", n))
    rows = [(f"queue: {n} open tips loaded into verification's store", f"{seconds:.1f} s ({n / seconds:.0f}/s)")]

    async def go() -> list[tuple[str, str]]:
        async with httpx.AsyncClient(base_url=stack.url(), timeout=60) as client:
            token = (await client.post("/api/v1/auth/token", data={"username": "admin", "password": password})).json()
            admin = {"Authorization": f"Bearer {token['access_token']}"}
            await client.post("/api/v1/users", headers=admin, json={
                "username": "canbo.bench.380", "password": password, "role": "officer", "unit_code": DISTRICT})
            token = (await client.post("/api/v1/auth/token", data={"username": "canbo.bench.380",
                                                                   "password": password})).json()
        return await measure(stack.url(), {"Authorization": f"Bearer {token['access_token']}"})
    return rows + asyncio.run(go())

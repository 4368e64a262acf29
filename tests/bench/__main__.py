"""`make bench`: measures the walking skeleton on the real broker and database.

- intake: tips posted through the gateway by concurrent clients; accepted per second and
  latency percentiles of the 202 (each 202 means the broker committed the tip);
- end to end: from the 202 until the tip is counted in `GET /stats/tips` (intake → Kafka →
  aggregation → read model → gateway), per tip, and for a whole burst.
Prints a table. Sizes are set by BENCH_TIPS (default 2000) and BENCH_CONCURRENCY (default 32).
"""
from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from services.devstack.stack import Ports, Stack

PASSWORD = "bench-admin-password"
BURST_WARD, SINGLE_WARD = "14806", "14803"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def count(client: httpx.AsyncClient, headers: dict, ward: str) -> int:
    r = await client.get("/api/v1/stats/tips", params={"unit_code": ward}, headers=headers)
    return r.json()["total"]["received"]


async def post(client: httpx.AsyncClient, ward: str, i: int) -> float:
    started = time.perf_counter()
    r = await client.post("/api/v1/tips", json={"channel": "web", "unit_code": ward,
                                                "content": f"Tin báo thử nghiệm số {i}: nghi có trộm cắp"})
    r.raise_for_status()
    return time.perf_counter() - started


async def intake_burst(client: httpx.AsyncClient, n: int, concurrency: int) -> tuple[float, list[float]]:
    queue = list(range(n))
    latencies: list[float] = []

    async def worker():
        while queue:
            latencies.append(await post(client, BURST_WARD, queue.pop()))
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


async def wait_for_count(client, headers, ward: str, target: int) -> None:
    while await count(client, headers, ward) < target:
        await asyncio.sleep(0.02)


async def measure(gateway: str, n: int, concurrency: int) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=gateway, timeout=60) as client:
        token = (await client.post("/api/v1/auth/token", data={"username": "admin", "password": PASSWORD})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for i in range(20):  # warm-up: connections, producer, consumers
            await post(client, SINGLE_WARD, i)
        await wait_for_count(client, headers, SINGLE_WARD, 20)

        single: list[float] = []
        for i in range(50):
            started = time.perf_counter()
            await post(client, SINGLE_WARD, i)
            await wait_for_count(client, headers, SINGLE_WARD, 21 + i)
            single.append(time.perf_counter() - started)

        burst_s, latencies = await intake_burst(client, n, concurrency)
        started = time.perf_counter()
        await wait_for_count(client, headers, BURST_WARD, n)
        drain_s = time.perf_counter() - started
    ms = lambda s: f"{s * 1000:.1f} ms"
    return [
        ("intake: tips accepted (202)", f"{n} with {concurrency} concurrent clients"),
        ("intake: throughput", f"{n / burst_s:.0f} tips/s"),
        ("intake: latency p50 / p95 / p99", f"{ms(pct(latencies, .5))} / {ms(pct(latencies, .95))} / {ms(pct(latencies, .99))}"),
        ("end to end, one tip at a time: p50 / p95 (50 tips)", f"{ms(statistics.median(single))} / {ms(pct(single, .95))}"),
        ("end to end, burst: last tip counted after the last 202", ms(drain_s)),
        ("end to end, burst: tips counted per second", f"{n / (burst_s + drain_s):.0f} tips/s"),
    ]


def main() -> None:
    n = int(os.environ.get("BENCH_TIPS", "2000"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "32"))
    with tempfile.TemporaryDirectory(prefix="antt-bench-") as workdir:
        stack = Stack(Path(workdir), Ports.free(), env={"ANTT_ADMIN_PASSWORD": PASSWORD, "LOG_LEVEL": "WARNING",
                                                        # one client sends every tip: lift the public limit
                                                        "INTAKE_WEB_RATE_PER_MIN": "10000000"})
        try:
            stack.start()
            rows = asyncio.run(measure(stack.url(), n, concurrency))
        finally:
            stack.stop()
    width = max(len(k) for k, _ in rows)
    print(f"\n{'measure'.ljust(width)} | value\n{'-' * width}-+-{'-' * 30}")
    for key, value in rows:
        print(f"{key.ljust(width)} | {value}")
    print(f"\n(machine: {os.cpu_count()} cores; real Kafka broker and SecantusDB on this machine; "
          "one process per service)")


if __name__ == "__main__":
    main()

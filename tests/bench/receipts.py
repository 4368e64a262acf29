"""The receipt check's cost: one Argon2id key (codes.py, the CPU each check and each new
receipt costs intake), and `GET /receipts/{code}` through the gateway, one at a time."""
from __future__ import annotations

import statistics
import time

import httpx

from services.intake import codes
from services.intake.settings import DEV_RECEIPT_PEPPER

CHECKS = 50


def _p(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f} ms"


def hash_cost(n: int = CHECKS) -> list[tuple[str, str]]:
    hasher = codes.ReceiptHasher(DEV_RECEIPT_PEPPER)
    spent = []
    for _ in range(n):
        code = codes.new_code()
        started = time.perf_counter()
        hasher.key(code)
        spent.append(time.perf_counter() - started)
    params = codes.ARGON2
    return [(f"receipt check: Argon2id key (m={params['memory_cost'] // 1024} MiB, t={params['time_cost']}, "
             f"p={params['parallelism']}), one core: p50 / p95", f"{_p(spent, .5)} / {_p(spent, .95)}")]


async def lookups(client: httpx.AsyncClient, ward: str, n: int = CHECKS) -> list[tuple[str, str]]:
    r = await client.post("/api/v1/tips", json={"channel": "web", "unit_code": ward,
                                                "content": "Tin báo thử nghiệm: kiểm tra mã theo dõi"})
    r.raise_for_status()
    code = r.json()["receipt_code"]
    spent = []
    for _ in range(n):
        started = time.perf_counter()
        (await client.get(f"/api/v1/receipts/{code}")).raise_for_status()
        spent.append(time.perf_counter() - started)
    return [(f"receipt check: GET /receipts/{{code}} through the gateway, p50 / p95 ({n})",
             f"{statistics.median(spent) * 1000:.1f} ms / {_p(spent, .95)}")]

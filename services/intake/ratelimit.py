"""A per-client token bucket for the public web channel (in memory, per process)."""
from __future__ import annotations

import math
import time

from fastapi import Request


def client_of(request: Request) -> str:
    """The caller's address as the gateway saw it (it overwrites any X-Forwarded-For sent to
    it); only used for limits, never stored with a tip, logged or sent in an event."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


class RateLimiter:
    def __init__(self, per_minute: int, max_clients: int = 100_000):
        self._rate = per_minute / 60.0
        self._burst = float(per_minute)
        self._max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)

    def take(self, client: str, now: float | None = None) -> float:
        """0 if the client may go on, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self._rate
        if len(self._buckets) >= self._max_clients and client not in self._buckets:
            self._buckets.clear()  # bounded memory; forgetting everyone only loosens the limit
        self._buckets[client] = (tokens - 1, now)
        return 0.0

    @staticmethod
    def retry_after(wait_s: float) -> str:
        return str(max(1, math.ceil(wait_s)))

"""A steady, bounded load of web tips through the gateway, run on its own event loop in a
thread. Every request is recorded: its number (also in the tip's content), when it was sent and
answered, the status (or the transport error), and for a 202 the tip id and receipt code."""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import httpx

MARKER = "chaos"


def content_of(run: str, i: int) -> str:
    return f"Tin báo {MARKER} {run}-{i}: nghi có người lạ ra vào kho hàng ban đêm"


def number_of(content: str, run: str) -> int | None:
    prefix = f"Tin báo {MARKER} {run}-"
    if not content.startswith(prefix):
        return None
    return int(content[len(prefix):].split(":", 1)[0])


@dataclass
class Attempt:
    i: int
    sent: float  # time.monotonic()
    answered: float | None = None
    status: int | None = None  # None: a transport error or timeout
    error: str | None = None
    tip_id: str | None = None
    receipt_code: str | None = None

    @property
    def answer(self) -> str:
        """How it was answered: `202`, `503 (the message broker)`, `ReadTimeout`, ..."""
        if self.status is None:
            return self.error or "no answer"
        return f"{self.status} ({self.error})" if self.error else str(self.status)

    @property
    def acknowledged(self) -> bool:
        return self.status == 202 and self.tip_id is not None


class Load:
    def __init__(self, gateway: str, unit_code: str, run: str, rate_per_s: float = 25,
                 max_tips: int = 100_000, max_s: float = 3600, max_in_flight: int = 200,
                 timeout_s: float = 45):
        self.gateway, self.unit_code, self.run = gateway, unit_code, run
        self.rate, self.max_tips, self.max_s = rate_per_s, max_tips, max_s
        self.max_in_flight, self.timeout_s = max_in_flight, timeout_s
        self.attempts: list[Attempt] = []
        self.skipped = 0  # ticks with too many requests in flight
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="chaos-load", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sending; wait for the requests in flight to be answered (or time out)."""
        self._stop.set()
        if self._thread:
            self._thread.join(self.timeout_s + 30)

    def acknowledged_since(self, since: float) -> list[Attempt]:
        with self._lock:
            return [a for a in self.attempts if a.sent >= since and a.acknowledged]

    def snapshot(self) -> list[Attempt]:
        with self._lock:
            return list(self.attempts)

    async def _run(self) -> None:
        limits = httpx.Limits(max_connections=self.max_in_flight, max_keepalive_connections=32)
        async with httpx.AsyncClient(base_url=self.gateway, timeout=self.timeout_s, limits=limits) as client:
            in_flight: set[asyncio.Task] = set()
            started = time.monotonic()
            i = 0
            while not self._stop.is_set() and i < self.max_tips and time.monotonic() - started < self.max_s:
                next_at = started + i / self.rate
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                if len(in_flight) >= self.max_in_flight:
                    self.skipped += 1
                else:
                    task = asyncio.create_task(self._post(client, i))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                i += 1
            if in_flight:
                await asyncio.wait(in_flight)

    async def _post(self, client: httpx.AsyncClient, i: int) -> None:
        attempt = Attempt(i, time.monotonic())
        with self._lock:
            self.attempts.append(attempt)
        try:
            r = await client.post("/api/v1/tips", json={"channel": "web", "unit_code": self.unit_code,
                                                        "content": content_of(self.run, i)})
            attempt.status = r.status_code
            if r.status_code == 202:
                body = r.json()
                attempt.tip_id, attempt.receipt_code = body["tip_id"], body["receipt_code"]
            elif r.status_code == 503:  # who gave up: intake (the broker, the database) or the gateway
                attempt.error = r.json().get("error", {}).get("message", "").split(" is unavailable")[0]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            attempt.error = type(exc).__name__
        attempt.answered = time.monotonic()


class Poison:
    """A misbehaving writer: every `interval_s` an invalid record (not an event) straight into a
    topic, so the consumers' dead-letter path runs during the faults too. Records the numbers
    the broker acknowledged; each must end in the topic's DLQ, once per consuming service."""

    def __init__(self, bootstrap: str, topic: str, run: str, interval_s: float = 2.0):
        self.bootstrap, self.topic, self.run, self.interval_s = bootstrap, topic, run, interval_s
        self.acknowledged: list[int] = []
        self.failed = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def value(self, n: int) -> bytes:
        return f'{{"chaos_poison": "{self.run}", "n": {n}}}'.encode()

    def start(self) -> None:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="chaos-poison", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(30)

    async def _run(self) -> None:
        from aiokafka import AIOKafkaProducer
        from aiokafka.errors import KafkaError
        producer = None
        n = 0
        while not self._stop.is_set():
            try:
                if producer is None:
                    producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all",
                                                enable_idempotence=True, request_timeout_ms=5000)
                    await asyncio.wait_for(producer.start(), 10)
                await asyncio.wait_for(producer.send_and_wait(
                    self.topic, self.value(n), key=f"chaos-poison-{n}".encode()), 10)
                self.acknowledged.append(n)
            except (KafkaError, OSError, asyncio.TimeoutError):
                self.failed += 1
                if producer is not None:
                    try:
                        await asyncio.wait_for(producer.stop(), 5)
                    except (KafkaError, OSError, asyncio.TimeoutError):
                        pass
                producer = None
            n += 1
            await asyncio.sleep(self.interval_s)
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), 5)
            except (KafkaError, OSError, asyncio.TimeoutError):
                pass

"""Kafka clients built one way for every service: idempotent producer with acks=all,
consumers that commit only after the write (topics are created by `common/topics.py`)."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from .contracts import Event, Topic
from .metrics import EVENTS_PRODUCED
from .settings import ServiceSettings
from .tasks import BackgroundTask

log = logging.getLogger(__name__)
# A transaction left open by a failed batch or a dead process is aborted by the broker after
# this long; until then read_committed consumers wait at that point of the partition.
TRANSACTION_TIMEOUT_MS = 10_000


class BrokerUnavailable(RuntimeError):
    """The broker did not acknowledge in time: nothing may be reported as accepted."""


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass
class _Request:
    records: list[Record]
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    taken: bool = False  # in a transaction already: its outcome is no longer the caller's to decide

    def __post_init__(self) -> None:
        # The caller may have given up waiting; mark the outcome as seen either way.
        self.done.add_done_callback(lambda f: f.cancelled() or f.exception())


class Publisher:
    """Sends records in Kafka transactions (acks=all, idempotence on) and returns only once the
    transaction committed. Concurrent callers share one transaction per batch.

    Why transactions: a plain producer keeps a batch whose broker is unreachable and may
    deliver it after the caller was told "503, nothing accepted". Here a failed or timed-out
    batch's transaction is never committed: the replacement producer (same transactional id)
    fences it, or the broker aborts it after `transaction_timeout_ms`, and consumers read
    committed records only. So a caller's success means durable, and failure means invisible.

    Batch policy: each of `lanes` transactional producers takes everything waiting (up to
    `max_batch` records) when it is free. A transaction costs tens of milliseconds whatever its
    size (the broker writes its markers before the same producer may begin the next one), so
    several lanes keep transactions in flight side by side under load; one is enough for a
    service that publishes now and then.
    """

    def __init__(self, settings: ServiceSettings, client_id: str, max_batch: int = 500, lanes: int = 1):
        self._settings = settings
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Request] = asyncio.Queue()
        base_id = f"{client_id}-{socket.gethostname()}-{os.getpid()}"
        self._lanes = [_Lane(settings, client_id, base_id if n == 0 else f"{base_id}-{n}") for n in range(lanes)]
        self._workers = [BackgroundTask(f"{client_id}-publisher-{n}") for n in range(lanes)]

    async def start(self) -> None:
        for worker, lane in zip(self._workers, self._lanes):
            worker.start(self._run(lane))

    async def stop(self) -> None:
        for worker in self._workers:
            await worker.stop()
        for lane in self._lanes:
            await lane.discard()

    async def publish(self, topic: Topic, event: Event) -> None:
        """Send one event keyed by its subject; raise BrokerUnavailable if not committed."""
        await self.publish_many(topic, [event])

    async def publish_many(self, topic: Topic, events: list[Event]) -> None:
        try:
            await self._send([Record(topic.name, e.subject.encode(), e.encode()) for e in events])
        except BrokerUnavailable:
            EVENTS_PRODUCED.labels(topic.name, "failed").inc(len(events))
            raise
        EVENTS_PRODUCED.labels(topic.name, "acked").inc(len(events))

    async def send_raw(self, topic_name: str, value: bytes | None, key: bytes | None,
                       headers: list[tuple[str, bytes]]) -> None:
        """Used for dead letters: the original bytes, unchanged, with the reason in headers."""
        await self._send([Record(topic_name, key, value, tuple(headers))])

    async def _send(self, records: list[Record]) -> None:
        request = _Request(records)
        await self._queue.put(request)
        try:
            await asyncio.wait_for(asyncio.shield(request.done), 2 * self._settings.kafka_timeout_s + 5)
        except asyncio.TimeoutError:
            if not request.taken:
                # Still queued: withdraw it, or a lane would commit it later, after the
                # caller was told that nothing was accepted.
                request.done.cancel()
                raise BrokerUnavailable("the broker did not commit in time") from None
            # In a transaction now: wait for its outcome (bounded by the lane's own timeout
            # and the producer's discard), so a 503 never hides a committed record.
            try:
                await asyncio.wait_for(asyncio.shield(request.done), self._settings.kafka_timeout_s + 10)
            except asyncio.TimeoutError:
                raise BrokerUnavailable("the broker did not commit in time") from None

    async def _run(self, lane: "_Lane") -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and sum(len(r.records) for r in batch) < self._max_batch:
                batch.append(self._queue.get_nowait())
            batch = [r for r in batch if not r.done.done()]  # withdrawn by callers that gave up
            if not batch:
                continue
            for req in batch:
                req.taken = True
            try:
                await asyncio.wait_for(lane.commit([r for req in batch for r in req.records]),
                                       self._settings.kafka_timeout_s)
            except (KafkaError, asyncio.TimeoutError, OSError) as exc:
                log.warning("transaction of %d record(s) not committed: %r", len(batch), exc)
                for req in batch:
                    if not req.done.done():
                        req.done.set_exception(BrokerUnavailable(repr(exc)))
                await lane.discard()
                continue
            for req in batch:
                if not req.done.done():
                    req.done.set_result(None)


class _Lane:
    """One transactional producer, created when first needed and dropped after a failure."""

    def __init__(self, settings: ServiceSettings, client_id: str, transactional_id: str):
        self._settings, self._client_id, self._transactional_id = settings, client_id, transactional_id
        self._producer: AIOKafkaProducer | None = None

    async def commit(self, records: list[Record]) -> None:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._settings.kafka_bootstrap, client_id=self._client_id,
                acks="all", enable_idempotence=True, transactional_id=self._transactional_id,
                transaction_timeout_ms=TRANSACTION_TIMEOUT_MS, linger_ms=0,
                request_timeout_ms=int(self._settings.kafka_timeout_s * 1000), retry_backoff_ms=20)
            self._producer = producer
            await producer.start()
        await self._producer.begin_transaction()
        for r in records:
            await self._producer.send(r.topic, r.value, key=r.key, headers=list(r.headers))
        await self._producer.commit_transaction()

    async def discard(self) -> None:
        """Drop the producer; its unfinished transaction stays uncommitted (see Publisher)."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            await asyncio.wait_for(producer.stop(), 3)
        except (asyncio.TimeoutError, KafkaError, OSError):
            # stop() waits to flush batches a dead broker will never take; close the sender
            # and connections without flushing (aiokafka has no public abort for this).
            sender = getattr(producer, "_sender", None)
            closing = [sender.close()] if sender is not None else []
            try:
                await asyncio.wait_for(asyncio.gather(*closing, producer.client.close()), 3)
            except (asyncio.TimeoutError, KafkaError, OSError) as exc:
                log.warning("producer did not close cleanly: %r", exc)


def consumer(settings: ServiceSettings, group_id: str, topics: list[Topic]) -> AIOKafkaConsumer:
    """A consumer that starts from the beginning and never commits on its own."""
    return AIOKafkaConsumer(
        *[t.name for t in topics], bootstrap_servers=settings.kafka_bootstrap,
        group_id=group_id, client_id=group_id, enable_auto_commit=False,
        auto_offset_reset="earliest", isolation_level="read_committed",
        max_poll_records=500,
    )


async def broker_reachable(settings: ServiceSettings) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=2000)
    try:
        await asyncio.wait_for(admin.start(), 3)
        await asyncio.wait_for(admin.list_topics(), 3)
        return True
    except (KafkaError, asyncio.TimeoutError, OSError):
        return False
    finally:
        try:
            await admin.close()
        except Exception:  # noqa: BLE001 - closing a client that never connected
            pass

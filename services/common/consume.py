"""The one consumer loop: poll a batch, decode against the contracts, hand the valid events to
the service's handler, dead-letter the rest, then commit. Offsets are committed only after the
handler's writes, so a crash re-delivers and the (idempotent) handler changes nothing twice.

Commit policy: after every polled batch (at most `max_records` events, or what arrived within
`poll_ms`). A handler that raises a transient error (database or broker down) gets the same
batch again after a back-off; nothing is committed meanwhile. Any other error is isolated to
the events that cause it, which are dead-lettered with it.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from pymongo.errors import PyMongoError

from .contracts import ContractError, Event, Topic, decode
from . import kafka
from .kafka import Publisher
from .metrics import CONSUMER_LAG, DLQ_EVENTS, EVENT_PROCESSING, EVENTS_CONSUMED
from .settings import ServiceSettings
from .tasks import BackgroundTask

log = logging.getLogger(__name__)

# BrokerUnavailable: a dead letter (or a handler's publish) the broker did not commit; without it
# here, one such failure escaped the loop and ended consumption for good.
TRANSIENT = (PyMongoError, KafkaError, OSError, asyncio.TimeoutError, kafka.BrokerUnavailable)


@dataclass(frozen=True)
class Rejection:
    """An event the handler could not apply for a reason that retrying will not fix."""
    event: Event
    reason: str


Handler = Callable[[list[Event]], Awaitable[list[Rejection]]]


class DeadLetters:
    """Writes refused messages, unchanged, to `<topic>.dlq` with the reason in headers."""

    def __init__(self, publisher: Publisher, service: str):
        self._publisher = publisher
        self._service = service

    async def send(self, topic: Topic, record: ConsumerRecord, kind: str, reason: str) -> None:
        headers = [("dlq.reason", reason[:2000].encode()), ("dlq.kind", kind.encode()),
                   ("dlq.service", self._service.encode()), ("dlq.topic", record.topic.encode()),
                   ("dlq.partition", str(record.partition).encode()),
                   ("dlq.offset", str(record.offset).encode())]
        await self._publisher.send_raw(topic.dlq, record.value, record.key, headers)
        DLQ_EVENTS.labels(topic.name, kind).inc()
        log.warning("dead-lettered %s[%s]@%s: %s: %s", record.topic, record.partition,
                    record.offset, kind, reason)


def event_loop(settings: ServiceSettings, service: str, topics: list[Topic], handler: Handler,
               publisher: Publisher) -> "EventLoop":
    """The service's consumer group (named after it), dead-lettering through its publisher."""
    return EventLoop(kafka.consumer(settings, service, topics), topics, handler,
                     DeadLetters(publisher, service))


class EventLoop:
    """Runs one consumer group over some topics with one handler, until stopped."""

    def __init__(self, consumer: AIOKafkaConsumer, topics: list[Topic], handler: Handler,
                 dead_letters: DeadLetters, *, max_records: int = 500, poll_ms: int = 200,
                 retry_backoff_s: float = 1.0):
        self._consumer = consumer
        self._topics = {t.name: t for t in topics}
        self._handler = handler
        self._dlq = dead_letters
        self._max_records = max_records
        self._poll_ms = poll_ms
        self._backoff = retry_backoff_s
        self._task = BackgroundTask("event-loop")
        self.last_progress = time.monotonic()
        self._lag_labels: set[tuple[str, str]] = set()

    async def start(self) -> None:
        self._task.start(self._run())

    async def stop(self) -> None:
        await self._task.stop()
        try:
            await self._consumer.stop()
        except KafkaError:
            pass

    async def healthy(self) -> bool:
        """The loop runs and polled within the last minute."""
        return self._task.running and time.monotonic() - self.last_progress < 60

    async def _run(self) -> None:
        while True:
            try:
                await self._consumer.start()
                break
            except KafkaError as exc:
                log.warning("consumer cannot reach the broker yet: %s", exc)
                await asyncio.sleep(self._backoff)
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=self._poll_ms,
                                                       max_records=self._max_records)
            except KafkaError as exc:
                log.warning("poll failed, retrying: %r", exc)
                await asyncio.sleep(self._backoff)
                continue
            self.last_progress = time.monotonic()
            if batches:
                await self._process([r for recs in batches.values() for r in recs])
                await self._commit()
            await self._record_lag()

    async def _process(self, records: list[ConsumerRecord]) -> None:
        events: list[Event] = []
        origin: dict[str, ConsumerRecord] = {}
        for record in records:
            topic = self._topics[record.topic]
            try:
                event = decode(record.value)
                if event.schema not in topic.events:
                    raise ContractError([{"field": "schema",
                                          "reason": f"{event.schema} is not carried by {topic.name}"}])
            except ContractError as exc:
                EVENTS_CONSUMED.labels(record.topic, "invalid").inc()
                await self._retrying(self._dlq.send, topic, record, "invalid", str(exc))
                continue
            events.append(event)
            origin[event.id] = record
        if not events:
            return
        with EVENT_PROCESSING.labels(records[0].topic).time():
            try:
                rejections = await self._retrying(self._handler, events)
            except Exception:  # noqa: BLE001 - a bug or an event the handler cannot apply
                log.exception("handler failed on a batch of %d; applying its events one by one", len(events))
                rejections = await self._one_by_one(events)
        rejected = {r.event.id for r in rejections}
        for rejection in rejections:
            record = origin[rejection.event.id]
            EVENTS_CONSUMED.labels(record.topic, "rejected").inc()
            await self._retrying(self._dlq.send, self._topics[record.topic], record, "rejected",
                                 rejection.reason)
        for event in events:
            if event.id not in rejected:
                EVENTS_CONSUMED.labels(origin[event.id].topic, "ok").inc()

    async def _one_by_one(self, events: list[Event]) -> list[Rejection]:
        """Isolate what broke a batch: each event alone; one that still fails is dead-lettered
        with the error, and the stream goes on (handlers are idempotent, so re-applying the
        events the batch had already written changes nothing)."""
        rejections = []
        for event in events:
            try:
                rejections += await self._retrying(self._handler, [event])
            except Exception as exc:  # noqa: BLE001
                rejections.append(Rejection(event, f"{type(exc).__name__}: {exc}"))
        return rejections

    async def _retrying(self, func, *args):
        while True:
            try:
                return await func(*args)
            except TRANSIENT as exc:
                log.warning("transient failure, retrying the same batch: %r", exc)
                await asyncio.sleep(self._backoff)

    async def _commit(self) -> None:
        while True:
            try:
                await self._consumer.commit()
                return
            except CommitFailedError as exc:
                # The group rebalanced: another member owns these partitions now and gets the
                # batch again; the handler is idempotent, so that changes nothing.
                log.warning("commit refused after a rebalance: %r", exc)
                return
            except KafkaError as exc:
                log.warning("commit failed, retrying: %r", exc)
                await asyncio.sleep(self._backoff)

    async def _record_lag(self) -> None:
        """Per assigned partition: its end (the last stable offset, as the consumer reads
        committed records only) minus the consumer's position. Updated after every poll, so an
        idle partition falls back to 0; partitions handed to another member are dropped."""
        assigned = set()
        for tp in self._consumer.assignment():
            end = self._consumer.last_stable_offset(tp)
            if end is None or end < 0:
                end = self._consumer.highwater(tp)
            if end is None:
                continue  # not fetched yet: nothing known
            try:
                position = await self._consumer.position(tp)
            except IllegalStateError:
                continue  # revoked meanwhile
            labels = (tp.topic, str(tp.partition))
            CONSUMER_LAG.labels(*labels).set(max(0, end - position))
            assigned.add(labels)
        for labels in self._lag_labels - assigned:
            CONSUMER_LAG.remove(*labels)
        self._lag_labels = assigned

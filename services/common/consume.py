"""Consuming events, the same way in every service: decode a batch of records against the
contracts, hand the valid events to the service's handler, dead-letter the rest, and only then
let the offsets be committed. A crash re-delivers, and the (idempotent) handler changes nothing
twice.

`BatchProcessor` is that processing of one batch; it is shared by the explicit aiokafka loop
here (`EventLoop`, used by intake and verification), by aggregation's faust agent
(`common/streams.py`) and by aggregation's rebuild. A handler that raises a transient error
(database or broker down) gets the same batch again after a back-off, so `process()` returns
only once every record of the batch is applied or dead-lettered. Any other error is isolated to
the events that cause it, which are dead-lettered with it.

`EventLoop`'s commit policy: after every polled batch (at most `max_records` events, or what
arrived within `poll_ms`), once `process()` returned.

The dead-letter brake (`DeadLetterBrake`, in every `DeadLetters` sink of both runtimes): a
consumer that would write more than DLQ_MAX_PER_WINDOW dead letters within DLQ_WINDOW_S
seconds (a bad deploy that refuses everything, a producer writing garbage) raises
`TooManyDeadLetters` instead of the next one, as Sentry arroyo's CountInvalidMessagePolicy does.
The runtime then stops consuming without committing the batch in hand, leaves its group,
reports not ready and sets `antt_consumer_stopped`, until its process is restarted (after the
fix: the batch comes again; its applied events change nothing twice).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from pymongo.errors import PyMongoError

from .contracts import ContractError, Event, Topic, decode
from . import kafka
from .kafka import Publisher
from .metrics import CONSUMER_LAG, CONSUMER_STOPPED, DLQ_EVENTS, EVENT_PROCESSING, EVENTS_CONSUMED
from .settings import ServiceSettings
from .tasks import BackgroundTask

log = logging.getLogger(__name__)



class NotYet(Exception):
    """The batch needs what another stream has not delivered yet (a tip's decision read before
    the tip itself, the two being on different topics): retried after the backoff, like a
    transient failure, until the handler stops waiting and rejects the events instead."""


# BrokerUnavailable: a dead letter (or a handler's publish) the broker did not commit; without it
# here, one such failure escaped the loop and ended consumption for good.
TRANSIENT = (PyMongoError, KafkaError, OSError, asyncio.TimeoutError, kafka.BrokerUnavailable, NotYet)


@dataclass(frozen=True)
class Rejection:
    """An event the handler could not apply for a reason that retrying will not fix."""
    event: Event
    reason: str


Handler = Callable[[list[Event]], Awaitable[list[Rejection]]]


class Record(Protocol):
    """A consumed record: aiokafka's `ConsumerRecord` and faust's `Message` both are one."""
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


class DeadLetterSink(Protocol):
    async def send(self, topic: Topic, record: Record, kind: str, reason: str) -> None: ...


class TooManyDeadLetters(Exception):
    """The dead-letter brake: the consumer must stop (see the module)."""


class DeadLetterBrake:
    """At most `limit` dead letters within any `window_s` seconds (a sliding window); the next
    one trips the brake, for good: `check()` raises `TooManyDeadLetters` from then on, and
    `antt_consumer_stopped{group}` is 1."""

    def __init__(self, group: str, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic):
        self.group, self.limit, self.window_s = group, limit, window_s
        self._clock = clock
        self._sent: deque[float] = deque()  # when the letters of the window were sent
        self.tripped = False
        CONSUMER_STOPPED.labels(group).set(0)

    @classmethod
    def of(cls, settings: ServiceSettings, group: str) -> "DeadLetterBrake":
        return cls(group, settings.dlq_max_per_window, settings.dlq_window_s)

    def check(self) -> None:
        """Before a dead letter is sent: raises if it would be one too many."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.window_s:
            self._sent.popleft()
        if not self.tripped and len(self._sent) >= self.limit:
            self.tripped = True
            CONSUMER_STOPPED.labels(self.group).set(1)
            log.error("%s stops consuming: more than %d dead letters within %gs (DLQ_MAX_PER_WINDOW, "
                      "DLQ_WINDOW_S); nothing more is committed until its process restarts",
                      self.group, self.limit, self.window_s)
        if self.tripped:
            raise TooManyDeadLetters(f"{self.group}: more than {self.limit} dead letters within {self.window_s:g}s")

    def record(self) -> None:
        """After a dead letter was sent (a retried send counts once)."""
        self._sent.append(self._clock())


class DeadLetters:
    """Writes refused messages, unchanged, to `<topic>.dlq` with the reason in headers, as long
    as the brake allows (`brake.check()` raises `TooManyDeadLetters` instead)."""

    def __init__(self, publisher: Publisher, service: str, brake: DeadLetterBrake):
        self._publisher = publisher
        self._service = service
        self.brake = brake

    async def send(self, topic: Topic, record: Record, kind: str, reason: str) -> None:
        self.brake.check()
        headers = [("dlq.reason", reason[:2000].encode()), ("dlq.kind", kind.encode()),
                   ("dlq.service", self._service.encode()), ("dlq.topic", record.topic.encode()),
                   ("dlq.partition", str(record.partition).encode()),
                   ("dlq.offset", str(record.offset).encode())]
        await self._publisher.send_raw(topic.dlq, record.value, record.key, headers)
        self.brake.record()
        DLQ_EVENTS.labels(topic.name, kind).inc()
        log.warning("dead-lettered %s[%s]@%s: %s: %s", record.topic, record.partition,
                    record.offset, kind, reason)


@dataclass(frozen=True)
class Outcome:
    """What became of a batch's records."""
    applied: int = 0
    invalid: int = 0
    rejected: int = 0


class BatchProcessor:
    """One batch of records: decode and validate each against its topic's contract (invalid ones
    are dead-lettered as `invalid`), apply the valid events with the handler (the events it
    rejects, or that fail it even alone, are dead-lettered as `rejected`), and count each record
    by outcome. Returns when the batch is done: the caller may then commit its offsets."""

    def __init__(self, topics: Sequence[Topic], handler: Handler, dead_letters: DeadLetterSink,
                 *, retry_backoff_s: float = 1.0):
        self._topics = {t.name: t for t in topics}
        self._handler = handler
        self._dlq = dead_letters
        self._backoff = retry_backoff_s

    async def process(self, records: Sequence[Record]) -> Outcome:
        events: list[Event] = []
        origin: dict[str, Record] = {}
        invalid = 0
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
                invalid += 1
                continue
            events.append(event)
            origin[event.id] = record
        if not events:
            return Outcome(invalid=invalid)
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
        return Outcome(applied=len(events) - len(rejected), invalid=invalid, rejected=len(rejected))

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


class LagGauge:
    """`antt_consumer_lag` of the partitions a consumer holds now: set from a whole snapshot,
    so the partitions handed to another member are dropped."""

    def __init__(self) -> None:
        self._labels: set[tuple[str, str]] = set()

    def update(self, lags: dict[tuple[str, int], int]) -> None:
        held = set()
        for (topic, partition), lag in lags.items():
            labels = (topic, str(partition))
            CONSUMER_LAG.labels(*labels).set(max(0, lag))
            held.add(labels)
        for labels in self._labels - held:
            CONSUMER_LAG.remove(*labels)
        self._labels = held


def dead_letters(settings: ServiceSettings, publisher: Publisher, group: str) -> DeadLetters:
    """A consumer group's dead letters through its publisher, with the brake of the settings."""
    return DeadLetters(publisher, group, DeadLetterBrake.of(settings, group))


def event_loop(settings: ServiceSettings, service: str, topics: list[Topic], handler: Handler,
               publisher: Publisher) -> "EventLoop":
    """The service's consumer group (named after it), dead-lettering through its publisher."""
    return EventLoop(kafka.consumer(settings, service, topics), topics, handler,
                     dead_letters(settings, publisher, service))


class EventLoop:
    """Runs one consumer group over some topics with one handler, until stopped."""

    def __init__(self, consumer: AIOKafkaConsumer, topics: list[Topic], handler: Handler,
                 dead_letters: DeadLetters, *, max_records: int = 500, poll_ms: int = 200,
                 retry_backoff_s: float = 1.0):
        self._consumer = consumer
        self._processor = BatchProcessor(topics, handler, dead_letters, retry_backoff_s=retry_backoff_s)
        self._max_records = max_records
        self._poll_ms = poll_ms
        self._backoff = retry_backoff_s
        self._task = BackgroundTask("event-loop")
        self.last_progress = time.monotonic()
        self._lag = LagGauge()
        self.stopped: TooManyDeadLetters | None = None  # the brake stopped it

    async def start(self) -> None:
        self._task.start(self._run())

    async def stop(self) -> None:
        await self._task.stop()
        try:
            await self._consumer.stop()
        except KafkaError:
            pass

    async def healthy(self) -> bool:
        """The loop runs (the brake did not stop it) and polled within the last minute."""
        return self._task.running and self.stopped is None and time.monotonic() - self.last_progress < 60

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
                try:
                    await self._processor.process([r for recs in batches.values() for r in recs])
                except TooManyDeadLetters as exc:
                    self.stopped = exc  # the batch is not committed; its partitions go to the group
                    try:
                        await self._consumer.stop()
                    except KafkaError as stop_failed:
                        log.warning("leaving the group failed: %r", stop_failed)
                    return
                await self._commit()
            await self._record_lag()

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
        idle partition falls back to 0."""
        lags = {}
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
            lags[(tp.topic, tp.partition)] = end - position
        self._lag.update(lags)

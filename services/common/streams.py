"""A service's consumer as a faust-streaming agent (aggregation's): the faust app runs inside
the service's own event loop, started and stopped with the service (no faust Worker: no signal
handlers, no `sys.exit`, no web server of its own; the service's FastAPI serves /health and
/metrics). The agent takes batches with `stream.take()`'s no-ack variant and hands each to the
same `BatchProcessor` as `EventLoop` (common/consume.py): decode against the contracts, the
service's handler, dead letters, metrics.

The guarantees are those of `EventLoop`, and this module is where faust is made to keep them:

- *Read committed only.* Our producers write in Kafka transactions (common/kafka.py); a
  consumer must never see an aborted record. faust creates its aiokafka consumer with
  `isolation_level="read_uncommitted"` unless `processing_guarantee="exactly_once"`
  (faust/transport/drivers/aiokafka.py, `AIOKafkaConsumerThread._create_worker_consumer`), and
  that guarantee would also make faust commit offsets through transactional producers of its
  own, one per partition. So the app keeps `at_least_once` and its consumer thread is given
  the isolation level before the consumer starts (`_ReadCommittedThread`), and reports the last
  stable offset as the partition's end, as faust does itself when it reads committed.
- *Offsets committed only after the writes.* faust commits, every `broker_commit_interval`, the
  offsets of the events its streams acked (up to the first gap). `stream.take()` acks a batch's
  events in a `finally` after its `yield`: when the agent asks for the next batch, but also when
  the generator is closed because the agent's body raised or was cancelled (a stop in the middle
  of a database write), and the consumer then commits them on its way out. So the agent uses
  `stream.noack_take()` (same buffering, no acks) and acks each event itself, only after
  `BatchProcessor.process()` returned, that is after the handler's writes and the dead letters
  (retried while the database or broker is down). A killed or stopped process re-reads from the
  last commit; the idempotent handler changes nothing twice.
- *No topic created or changed*: `topic_allow_declare=False`, no leader topic, no tables (so no
  changelog topics); the topics exist (`python -m services.common.topics`).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import faust
from aiokafka.errors import IllegalStateError, KafkaError
from faust.app.base import BootStrategy
from faust.exceptions import ConsumerNotStarted
from faust.transport.drivers import aiokafka as faust_aiokafka
from pydantic import Field

from . import kafka
from .consume import BatchProcessor, Handler, LagGauge, TooManyDeadLetters, dead_letters
from .contracts import Topic
from .kafka import Publisher
from .settings import ServiceSettings
from .tasks import BackgroundTask

log = logging.getLogger(__name__)

# How long after a lost broker connection a member is dropped from the group, and how often it
# says it is alive: aiokafka's defaults, as for EventLoop (faust's 60 s would keep a restarted
# process's partitions with its dead predecessor for a minute).
SESSION_TIMEOUT_S = 10.0
HEARTBEAT_INTERVAL_S = 3.0
MAX_POLL_INTERVAL_S = 300.0


class StreamSettings(ServiceSettings):
    stream_batch_max: int = Field(500, alias="STREAM_BATCH_MAX", gt=0,
                                  description="most events one batch of a faust agent (stream.take) holds")
    stream_batch_within_s: float = Field(0.2, alias="STREAM_BATCH_WITHIN_S", gt=0,
                                         description="how long a batch waits to fill before it is processed")
    stream_commit_interval_s: float = Field(1.0, alias="STREAM_COMMIT_INTERVAL_S", gt=0,
                                            description="how often the offsets of processed batches are committed")


class _ReadCommittedThread(faust_aiokafka.AIOKafkaConsumerThread):
    """faust's aiokafka consumer thread, reading committed records only (see the module)."""

    def _create_worker_consumer(self, transport: Any):
        consumer = super()._create_worker_consumer(transport)
        # aiokafka keeps the constructor's isolation level here and hands it to its fetcher in
        # start(), which runs after this (AIOKafkaConsumerThread.on_start). No public setter
        # exists; tests/integration/test_aggregation_stream.py checks that the started fetcher
        # reads committed records only, and that an aborted transaction's records are not seen.
        if not hasattr(consumer, "_isolation_level"):
            raise RuntimeError("aiokafka's consumer has no _isolation_level: cannot read committed only")
        consumer._isolation_level = "read_committed"
        return consumer

    def highwater(self, tp):
        """The partition's end for a read-committed consumer: its last stable offset."""
        return self._ensure_consumer().last_stable_offset(tp)


class _Consumer(faust_aiokafka.Consumer):
    last_poll: float = 0.0  # time.monotonic() of the last fetch round that returned

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last_fetched: dict[Any, int] = {}  # per partition: the last offset handed to streams

    def ack(self, message: Any) -> bool:
        """faust's streams ack the records they skip without processing them: those fetched
        before a rebalance (an older generation) and those that meet a flow stopped for one
        (faust/streams.py, `value is skipped_value`). Such an ack could carry the commit past
        records nobody applied, lost if the process then dies. Refused here: faust reads them
        again from the last commit once the rebalance is over. Refusing the ack of a processed
        record only means it is delivered again, which the idempotent handler absorbs."""
        if message.generation_id != self.app.consumer_generation_id or not self.app.flow_control.is_active():
            return False
        return super().ack(message)

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ReadCommittedThread(self, loop=self.loop, beacon=self.beacon)

    async def getmany(self, timeout: float):
        async for tp, message in super().getmany(timeout):
            if self._read_offset[tp] == 0 and message.offset > 1:
                # The offsets between two records read (transaction markers, aborted records)
                # are a "gap" that commits may pass over. faust's fetch loop records one only
                # `if gap > 1 and r_offset`, which skips it after the record at offset 0 (a
                # partition's first): then the commit of that partition stops at 1 for good
                # once an aborted transaction follows its first record. Record that gap here.
                await self._add_gap(tp, 1, message.offset)
            self.last_fetched[tp] = message.offset
            yield tp, message
        self.last_poll = time.monotonic()


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class _Boot(BootStrategy):
    enable_web = False             # the service's FastAPI serves /health and /metrics
    enable_kafka_producer = False  # nothing is sent through faust (dead letters: Publisher)


class _App(faust.App):
    BootStrategy = _Boot

    async def on_first_start(self) -> None:
        """faust creates its data directories here; the memory store writes nothing, and the
        containers' root file system is read-only."""


def faust_app(settings: StreamSettings, service: str) -> faust.App:
    """A faust app whose consumer group is `service` (the app id), in the running event loop."""
    app = _App(
        service,
        loop=asyncio.get_running_loop(),
        broker=[f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",")],
        broker_client_id=service,
        store="memory://",
        web_enabled=False,
        autodiscover=False,
        topic_allow_declare=False,
        topic_disable_leader=True,
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=settings.stream_commit_interval_s,
        broker_max_poll_records=settings.stream_batch_max,
        broker_session_timeout=SESSION_TIMEOUT_S,
        broker_heartbeat_interval=HEARTBEAT_INTERVAL_S,
        broker_max_poll_interval=MAX_POLL_INTERVAL_S,
        # A stop or a rebalance does not wait for the batch in hand (its handler may be waiting
        # for a database that is down): its events are not acked, so not committed, and whoever
        # holds the partition next gets them again.
        stream_wait_empty=False,
        key_serializer="raw",
        value_serializer="raw",
    )
    app.transport = _Transport(app.conf.broker_consumer, app)
    return app


class EventStream:
    """One faust agent over some topics with one handler; `start()`/`stop()` with the service,
    `healthy()` for its readiness (the same interface as EventLoop).

    A faust app whose consumer cannot reach the broker when it starts crashes for good (aiokafka's
    bootstrap error ends its consumer thread); later outages it rides out. So the app runs under
    a small supervisor: started once the broker answers, and replaced by a new one (same group,
    so it resumes from the last commit) if it crashes or its agent fails."""

    def __init__(self, settings: StreamSettings, service: str, topics: Sequence[Topic],
                 handler: Handler, publisher: Publisher, *, retry_backoff_s: float = 1.0,
                 lag_interval_s: float = 1.0):
        self._settings, self._service = settings, service
        self._topic_names = [t.name for t in topics]
        self._processor = BatchProcessor(topics, handler, dead_letters(settings, publisher, service),
                                         retry_backoff_s=retry_backoff_s)
        self._backoff = retry_backoff_s
        self.app: faust.App | None = None
        self._app_started = time.monotonic()
        self._next: dict[Any, int] = {}  # per partition: the offset after the last one processed
        self._failure: BaseException | None = None
        self.stopped: TooManyDeadLetters | None = None  # the brake stopped it: no new app
        self._lag = LagGauge()
        self._lag_interval_s = lag_interval_s
        self._task = BackgroundTask(f"{service}-stream")
        self._lag_task = BackgroundTask(f"{service}-lag")

    def _new_app(self) -> faust.App:
        app = faust_app(self._settings, self._service)
        channel = app.topic(*self._topic_names, key_serializer="raw", value_serializer="raw")
        app.agent(channel, name=f"{self._service}.events")(self._consume)
        return app

    async def start(self) -> None:
        self._task.start(self._run())
        self._lag_task.start(self._record_lag_every())

    async def stop(self) -> None:
        await self._lag_task.stop()
        await self._task.stop()

    async def healthy(self) -> bool:
        """The app runs, its agent has not failed (nor been stopped by the brake), and its
        consumer fetched within the last minute (a fetch round returns every second even with
        nothing to read)."""
        app = self.app
        if app is None or self.stopped or not self._task.running or not app.started or app.should_stop:
            return False
        last = max(app.consumer.last_poll, self._app_started)
        return self._failure is None and time.monotonic() - last < 60

    async def _run(self) -> None:
        while self.stopped is None:
            if not await kafka.broker_reachable(self._settings):
                log.warning("consumer cannot reach the broker yet")
                await asyncio.sleep(self._backoff)
                continue
            app = self.app = self._new_app()
            self._app_started = time.monotonic()
            self._next.clear()
            self._failure = None
            try:
                await app.start()
                while not app.should_stop and self._failure is None:
                    await asyncio.sleep(1)
                if self.stopped is None:
                    log.warning("the faust app %s; starting a new one",
                                "lost its agent" if self._failure else f"stopped ({app.state})")
            except (KafkaError, OSError) as exc:
                log.warning("the faust app did not start: %r", exc)
            except Exception:  # noqa: BLE001 - whatever it was, a new app starts from the last commit
                log.exception("the faust app failed")
            finally:
                await app.stop()
            await asyncio.sleep(self._backoff)

    async def _consume(self, stream) -> None:
        try:
            async for events in stream.noack_take(self._settings.stream_batch_max,
                                                  within=self._settings.stream_batch_within_s):
                if self.stopped:  # an agent faust restarted meanwhile applies nothing more
                    raise self.stopped
                records = [event.message for event in events]
                await self._processor.process(records)
                # Only now: every record of the batch is written or dead-lettered.
                for event in events:
                    await stream.ack(event)
                for record in records:
                    self._next[record.tp] = max(self._next.get(record.tp, 0), record.offset + 1)
        except asyncio.CancelledError:
            raise
        except TooManyDeadLetters as exc:  # nothing more is acked; the app stops, none replaces it
            self.stopped = self._failure = exc
            raise
        except Exception as exc:  # a bug: nothing more is acked, and the app is replaced
            self._failure = exc
            log.exception("the agent failed")
            raise

    async def _record_lag_every(self) -> None:
        while True:
            try:
                await self._record_lag()
            except (KafkaError, IllegalStateError, ConsumerNotStarted) as exc:
                log.debug("lag not known now: %r", exc)
            except Exception:  # noqa: BLE001 - the gauge waits; the stream goes on
                log.exception("recording the consumer lag failed")
            await asyncio.sleep(self._lag_interval_s)

    async def _record_lag(self) -> None:
        """Per assigned partition: its end (the last stable offset) minus where processing is,
        like EventLoop's. While records of the partition are in the agent's hands, that is the
        offset after the last one processed; once all it was handed are processed, the
        consumer's position (past the transaction markers that follow the last record)."""
        app = self.app
        if app is None or not app.started or app.should_stop:
            return
        consumer = app.consumer
        assignment = consumer.assignment()
        for tp in set(self._next) - assignment:
            del self._next[tp]
        lags = {}
        for tp in assignment:
            end = consumer.highwater(tp)
            if end is None or end < 0:
                continue  # not fetched yet: nothing known
            done, fetched = self._next.get(tp), consumer.last_fetched.get(tp)
            if done is None or fetched is None or fetched < done:
                done = await consumer.position(tp)
                if done is None:
                    continue
            lags[(tp.topic, tp.partition)] = end - done
        self._lag.update(lags)

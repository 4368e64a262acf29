"""Kafka clients built one way for every service: idempotent producer with acks=all,
consumers that commit only after the write, topics created from `schemas/`."""
from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from . import contracts
from .contracts import Event, Topic
from .metrics import EVENTS_PRODUCED
from .settings import ServiceSettings

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    """The broker did not acknowledge in time: nothing may be reported as accepted."""


class Publisher:
    """Sends validated events and returns only once the broker acknowledged them (acks=all)."""

    def __init__(self, settings: ServiceSettings, client_id: str):
        self._settings = settings
        timeout_ms = int(settings.kafka_timeout_s * 1000)
        self._producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap, client_id=client_id,
            acks="all", enable_idempotence=True, linger_ms=5,
            request_timeout_ms=timeout_ms, retry_backoff_ms=200,
        )
        self._started = False

    async def start(self) -> None:
        """Start the producer; a broker that is down now is retried on first send."""
        try:
            await self._producer.start()
            self._started = True
        except KafkaError as exc:
            log.warning("broker not reachable at start-up: %s", exc)

    async def stop(self) -> None:
        if self._started:
            await self._producer.stop()

    async def _ensure_started(self) -> None:
        if not self._started:
            try:
                await self._producer.start()
            except KafkaError as exc:
                raise BrokerUnavailable(str(exc)) from exc
            self._started = True

    async def publish(self, topic: Topic, event: Event) -> None:
        """Send one event keyed by its subject; raise BrokerUnavailable if not acknowledged."""
        await self.publish_many(topic, [event])

    async def publish_many(self, topic: Topic, events: list[Event]) -> None:
        try:
            await asyncio.wait_for(self._ensure_started(), self._settings.kafka_timeout_s)
            futures = [await self._producer.send(topic.name, event.encode(), key=event.subject.encode())
                       for event in events]
            await asyncio.wait_for(asyncio.gather(*futures), self._settings.kafka_timeout_s)
        except (KafkaError, asyncio.TimeoutError, BrokerUnavailable) as exc:
            EVENTS_PRODUCED.labels(topic.name, "failed").inc(len(events))
            raise BrokerUnavailable(f"broker did not acknowledge {topic.name}: {exc!r}") from exc
        EVENTS_PRODUCED.labels(topic.name, "acked").inc(len(events))

    async def send_raw(self, topic_name: str, value: bytes | None, key: bytes | None,
                       headers: list[tuple[str, bytes]]) -> None:
        """Used for dead letters: the original bytes, unchanged, with the reason in headers."""
        await self._ensure_started()
        await self._producer.send_and_wait(topic_name, value, key=key, headers=headers)


def consumer(settings: ServiceSettings, group_id: str, topics: list[Topic]) -> AIOKafkaConsumer:
    """A consumer that starts from the beginning and never commits on its own."""
    return AIOKafkaConsumer(
        *[t.name for t in topics], bootstrap_servers=settings.kafka_bootstrap,
        group_id=group_id, client_id=group_id, enable_auto_commit=False,
        auto_offset_reset="earliest", isolation_level="read_committed",
        max_poll_records=500,
    )


async def ensure_topics(settings: ServiceSettings) -> list[str]:
    """Create every topic of `schemas/` and its dead-letter topic; return those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap,
                                request_timeout_ms=int(settings.kafka_timeout_s * 1000))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = []
        for t in contracts.topics().values():
            wanted.append(NewTopic(t.name, t.partitions, settings.kafka_replication_factor,
                                   topic_configs={"retention.ms": str(t.retention_ms)}))
            wanted.append(NewTopic(t.dlq, 1, settings.kafka_replication_factor,
                                   topic_configs={"retention.ms": str(contracts.DLQ_RETENTION_MS)}))
        missing = [n for n in wanted if n.name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
        return [n.name for n in missing]
    finally:
        await admin.close()


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

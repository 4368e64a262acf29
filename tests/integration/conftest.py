"""Helpers that speak to the real broker and database of the session's stack directly."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from services.common import replay
from services.common.contracts import Event
from services.common.replay import ConsumerRecord


def produce(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes | None]]) -> None:
    """Send raw (key, value) records with acks=all, as a misbehaving or replaying writer would."""
    async def send():
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for key, value in records:
                await producer.send_and_wait(topic, value, key=key)
        finally:
            await producer.stop()
    asyncio.run(send())


def produce_events(bootstrap: str, topic: str, events: list[Event]) -> None:
    produce(bootstrap, topic, [(e.subject.encode(), e.encode()) for e in events])


def read_all(bootstrap: str, topic: str, idle_ms: int = 3000) -> list[ConsumerRecord]:
    """Every record of a topic written so far (aborted ones too), without a consumer group."""
    return replay.read_all(bootstrap, topic, idle_s=idle_ms / 1000)


def database(stack, service: str):
    client = MongoClient(stack.uri, tz_aware=True)
    return client, client[f"{stack.service_env()['MONGO_DB_PREFIX']}_{service}"]

"""Helpers that speak to the real broker and database of the session's stack directly."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import MongoClient

from services.common.contracts import Event


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


def read_all(bootstrap: str, topic: str, timeout_ms: int = 3000) -> list:
    """Every record of a topic from the beginning, without a consumer group."""
    async def read():
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                    enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            out = []
            while True:
                batch = await consumer.getmany(timeout_ms=timeout_ms)
                if not batch:
                    return out
                out.extend(r for recs in batch.values() for r in recs)
        finally:
            await consumer.stop()
    return asyncio.run(read())


def database(stack, service: str):
    client = MongoClient(stack.uri, tz_aware=True)
    return client, client[f"{stack.service_env()['MONGO_DB_PREFIX']}_{service}"]

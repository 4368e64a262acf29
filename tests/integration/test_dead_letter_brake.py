"""The dead-letter brake on the real broker, in both runtimes (the aiokafka loop of intake and
verification, the faust agent of aggregation), each on a topic of its own with
DLQ_MAX_PER_WINDOW=3: valid events are applied and committed; then a stream of garbage gets
exactly 3 dead letters, the consumer stops, commits nothing more, its `/health/ready` answers
503 and `antt_consumer_stopped` is 1."""
from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from aiokafka import TopicPartition
from prometheus_client import REGISTRY

from services.common import contracts, http, kafka
from services.common.consume import Rejection, event_loop
from services.common.streams import EventStream, StreamSettings
from tests.integration.conftest import read_all
from tests.integration.test_aggregation_stream import committed, own_topic, tip, transactions

LIMIT = 3


class Consuming:
    """A service of one consumer: what `/health/ready` reads."""

    def __init__(self, consumer):
        self.consumer = consumer

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def readiness(self) -> dict[str, bool]:
        return {"consumer": await self.consumer.healthy()}


async def ready(app) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        return await client.get("/health/ready")


async def until(check, what: str, tries: int = 120):
    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"not within {tries / 2:g}s: {what}")


@pytest.mark.parametrize("runtime", ["loop", "stream"])
def test_a_consumer_stops_after_too_many_dead_letters_and_commits_nothing_more(stack, runtime):
    settings = StreamSettings(KAFKA_BOOTSTRAP=stack.bootstrap, KAFKA_TIMEOUT_S=5, DLQ_MAX_PER_WINDOW=LIMIT,
                              DLQ_WINDOW_S=3600, STREAM_COMMIT_INTERVAL_S=0.2)
    group = f"brake-{runtime}-{uuid.uuid4().hex[:6]}"
    applied: list[str] = []

    async def handler(events: list[contracts.Event]) -> list[Rejection]:
        applied.extend(e.subject for e in events)
        return []

    async def scenario():
        topic = await own_topic(stack.bootstrap)
        tp = TopicPartition(topic.name, 0)
        valid = await transactions(stack.bootstrap, topic.name, [("commit", [tip(f"B{n}").encode() for n in range(5)])])
        publisher = kafka.Publisher(settings, client_id=group)
        await publisher.start()
        consumer = (event_loop(settings, group, [topic], handler, publisher) if runtime == "loop"
                    else EventStream(settings, group, [topic], handler, publisher))
        app = http.create_app(group, settings, lambda _: Consuming(consumer))
        app.state.service = Consuming(consumer)
        await consumer.start()
        try:
            # after the last valid record: the aiokafka loop commits its position, past the
            # transaction's marker; faust the offset after the last record it acked
            after_valid = (valid[-1].offset + 1, valid[-1].offset + 2)
            await until(lambda: _true(len(applied) == 5), "the valid events applied")
            await until(lambda: _within(committed(stack.bootstrap, group, tp), after_valid), "their commit")
            before = await committed(stack.bootstrap, group, tp)
            await until(consumer.healthy, "the consumer healthy")
            assert (await ready(app)).status_code == 200
            assert REGISTRY.get_sample_value("antt_consumer_stopped", {"group": group}) == 0

            garbage = await transactions(stack.bootstrap, topic.name, [("commit", [b"garbage %d" % n for n in range(10)])])
            assert garbage[0].offset >= before
            await until(lambda: _true(consumer.stopped is not None), "the brake")
            assert not await consumer.healthy()
            answer = await ready(app)
            assert answer.status_code == 503 and answer.json()["checks"] == {"consumer": "down"}
            assert REGISTRY.get_sample_value("antt_consumer_stopped", {"group": group}) == 1
            assert await committed(stack.bootstrap, group, tp) == before
        finally:
            await consumer.stop()
            await publisher.stop()
        assert await committed(stack.bootstrap, group, tp) == before, "committed past the stop"
        return topic

    topic = asyncio.run(scenario())
    dead = read_all(stack.bootstrap, topic.dlq)
    assert [r.value for r in dead] == [b"garbage 0", b"garbage 1", b"garbage 2"]
    assert sorted(set(applied)) == [f"T-STREAM-B{n}" for n in range(5)]


async def _true(value: bool) -> bool:
    return value


async def _within(pending, expected) -> bool:
    return await pending in expected

"""The shared consumer loop on the real broker, with a topic of its own: a handler that fails
on one event does not stop the stream; that event goes to the dead-letter topic with the error."""
from __future__ import annotations

import asyncio
import uuid

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.common import contracts, kafka
from services.common.consume import EventLoop, Rejection, event_loop
from services.common.settings import ServiceSettings
from tests.integration.conftest import produce_events, read_all


def event(n: int) -> contracts.Event:
    now = "2026-06-01T00:00:00Z"
    return contracts.make_event("tip.received/1", subject=f"T-LOOP-{n}", source="test", data={
        "tip_id": f"T-LOOP-{n}", "channel": "web", "content": f"tin {n}", "unit_code": "14767",
        "received_at": now, "recorded_at": now, "anonymous": True, "has_contact": False})


def test_a_failing_event_is_dead_lettered_and_the_others_are_applied(stack):
    name = f"test.loop.{uuid.uuid4().hex[:8]}"
    topic = contracts.Topic(name=name, description="test", writer="test", key="tip_id", partitions=1,
                            retention_ms=-1, events=("tip.received/1",))
    settings = ServiceSettings(KAFKA_BOOTSTRAP=stack.bootstrap, KAFKA_TIMEOUT_S=5)
    applied: list[str] = []

    async def handler(events: list[contracts.Event]) -> list[Rejection]:
        if any(e.subject == "T-LOOP-2" for e in events):
            raise ValueError("cannot apply tip 2")
        applied.extend(e.subject for e in events)
        return []

    async def scenario() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap)
        await admin.start()
        await admin.create_topics([NewTopic(name, 1, 1), NewTopic(topic.dlq, 1, 1)])
        await admin.close()
        await asyncio.to_thread(produce_events, stack.bootstrap, name, [event(n) for n in range(1, 5)])
        publisher = kafka.Publisher(settings, client_id="loop-test")
        await publisher.start()
        loop: EventLoop = event_loop(settings, f"loop-test-{uuid.uuid4().hex[:6]}", [topic], handler, publisher)
        await loop.start()
        for _ in range(60):  # until the three are applied and the fourth is dead-lettered
            if len(set(applied)) == 3 and await asyncio.to_thread(read_all, stack.bootstrap, topic.dlq, 500):
                break
            await asyncio.sleep(0.5)
        assert await loop.healthy(), "the loop still runs after the failure"
        await loop.stop()
        await publisher.stop()

    asyncio.run(scenario())
    assert sorted(set(applied)) == ["T-LOOP-1", "T-LOOP-3", "T-LOOP-4"]
    dead = read_all(stack.bootstrap, topic.dlq)
    assert [r.key for r in dead] == [b"T-LOOP-2"]
    headers = dict(dead[0].headers)
    assert headers["dlq.kind"] == b"rejected" and b"ValueError: cannot apply tip 2" in headers["dlq.reason"]

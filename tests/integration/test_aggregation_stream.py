"""Aggregation's faust agent on the real broker. The running aggregation service (group
"aggregation") applies committed records only and commits past an aborted transaction; an agent
in this process, on a topic of its own, dead-letters what it cannot apply, reports its lag, and,
stopped in the middle of a batch, commits nothing of it: the next agent of the group gets it
again."""
from __future__ import annotations

import asyncio
import uuid

import httpx
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.consumer.fetcher import READ_COMMITTED
from prometheus_client import REGISTRY

from services.common import contracts, kafka
from services.common.consume import Rejection
from services.common.streams import EventStream, StreamSettings
from tests.conftest import eventually
from tests.integration.conftest import database, read_all

WARD = "14845"  # thị trấn Mường Lát (district 384): used by this module only


def tip(n: int | str, ward: str = WARD) -> contracts.Event:
    now = "2026-06-01T00:00:00Z"
    return contracts.make_event("tip.received/1", subject=f"T-STREAM-{n}", source="test", data={
        "tip_id": f"T-STREAM-{n}", "channel": "web", "content": f"tin {n}", "unit_code": ward,
        "received_at": now, "recorded_at": now, "anonymous": True, "has_contact": False})


async def transactions(bootstrap: str, topic: str, steps: list[tuple[str, list[bytes]]]) -> list:
    """Each step one transaction on partition 0, committed or aborted; the records' metadata."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True,
                                transactional_id=f"test-stream-{uuid.uuid4().hex[:8]}")
    await producer.start()
    sent = []
    try:
        for outcome, values in steps:
            await producer.begin_transaction()
            for value in values:
                sent.append(await producer.send_and_wait(topic, value, key=b"k", partition=0))
            await (producer.commit_transaction() if outcome == "commit" else producer.abort_transaction())
    finally:
        await producer.stop()
    return sent


async def committed(bootstrap: str, group: str, tp: TopicPartition) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group, partitions=[tp])
    finally:
        await admin.close()
    meta = offsets.get(tp)
    return -1 if meta is None else meta.offset


async def topic_names(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await admin.list_topics()
    finally:
        await admin.close()


async def own_topic(bootstrap: str) -> contracts.Topic:
    name = f"test.stream.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1), NewTopic(f"{name}.dlq", 1, 1)])
    finally:
        await admin.close()
    return contracts.Topic(name=name, description="test", writer="test", key="tip_id", partitions=1,
                           retention_ms=-1, events=("tip.received/1",))


def test_the_aggregation_service_applies_committed_records_only_and_commits_past_aborted_ones(stack):
    topic = contracts.topic("tips.received").name
    sent = asyncio.run(transactions(stack.bootstrap, topic, [
        ("commit", [tip("A").encode()]), ("abort", [tip("B").encode()]), ("commit", [tip("C").encode()])]))
    client, db = database(stack, "aggregation")
    try:
        eventually(lambda: db.tip_facts.find_one({"_id": "T-STREAM-C"}), 60)
        assert db.tip_facts.find_one({"_id": "T-STREAM-A"})["unit_path"][-1] == WARD
        assert db.tip_facts.find_one({"_id": "T-STREAM-B"}) is None, "a record of an aborted transaction was applied"
    finally:
        client.close()
    tp = TopicPartition(topic, 0)
    eventually(lambda: asyncio.run(committed(stack.bootstrap, "aggregation", tp)) > sent[-1].offset, 30)
    created = [t for t in asyncio.run(topic_names(stack.bootstrap)) if t.startswith("aggregation") or "__assignor" in t]
    assert created == [], "faust created topics of its own"
    ready = httpx.get(f"{stack.url('aggregation')}/health/ready", timeout=15)
    assert ready.status_code == 200 and ready.json()["checks"]["consumer"] == "ok", ready.text


def test_an_agent_reads_committed_records_only_dead_letters_the_rest_and_commits_to_the_end(stack):
    settings = StreamSettings(KAFKA_BOOTSTRAP=stack.bootstrap, KAFKA_TIMEOUT_S=5)
    applied: list[str] = []
    group = f"stream-test-{uuid.uuid4().hex[:6]}"

    async def handler(events: list[contracts.Event]) -> list[Rejection]:
        if any(e.subject == "T-STREAM-5" for e in events):
            raise ValueError("cannot apply tip 5")
        applied.extend(e.subject for e in events)
        return []

    async def scenario():
        topic = await own_topic(stack.bootstrap)
        # The partition's first record, then an aborted transaction: faust itself would stop
        # committing this partition at offset 1 (see streams._Consumer.getmany).
        sent = await transactions(stack.bootstrap, topic.name, [
            ("commit", [tip(1).encode()]), ("abort", [tip(2).encode(), tip(3).encode()]),
            ("commit", [tip(4).encode(), b"not JSON", tip(5).encode(), tip(6).encode()])])
        publisher = kafka.Publisher(settings, client_id="stream-test")
        await publisher.start()
        stream = EventStream(settings, group, [topic], handler, publisher, lag_interval_s=0.2)
        await stream.start()
        try:
            for _ in range(120):
                if len(set(applied)) == 3 and len(await asyncio.to_thread(read_all, stack.bootstrap, topic.dlq, 500)) == 2:
                    break
                await asyncio.sleep(0.5)
            assert await stream.healthy()
            fetcher = stream.app.consumer._thread._consumer._fetcher
            assert fetcher._isolation_level == READ_COMMITTED
            tp = TopicPartition(topic.name, 0)
            for _ in range(60):
                if await committed(stack.bootstrap, group, tp) == sent[-1].offset + 1:
                    break
                await asyncio.sleep(0.5)
            assert await committed(stack.bootstrap, group, tp) == sent[-1].offset + 1
            for _ in range(20):
                if REGISTRY.get_sample_value("antt_consumer_lag", {"topic": topic.name, "partition": "0"}) == 0:
                    break
                await asyncio.sleep(0.5)
            assert REGISTRY.get_sample_value("antt_consumer_lag", {"topic": topic.name, "partition": "0"}) == 0
            ok = REGISTRY.get_sample_value("antt_events_consumed_total", {"topic": topic.name, "outcome": "ok"})
            assert ok == 3
        finally:
            await stream.stop()
            await publisher.stop()
        assert not await stream.healthy()
        return topic

    topic = asyncio.run(scenario())
    assert sorted(set(applied)) == ["T-STREAM-1", "T-STREAM-4", "T-STREAM-6"]
    dead = read_all(stack.bootstrap, topic.dlq)
    assert [dict(r.headers)["dlq.kind"] for r in dead] == [b"invalid", b"rejected"]
    assert dead[0].value == b"not JSON" and b"ValueError: cannot apply tip 5" in dict(dead[1].headers)["dlq.reason"]


def test_an_agent_stopped_in_the_middle_of_a_batch_commits_none_of_it(stack):
    settings = StreamSettings(KAFKA_BOOTSTRAP=stack.bootstrap, KAFKA_TIMEOUT_S=5, STREAM_COMMIT_INTERVAL_S=0.2)
    group = f"stream-test-{uuid.uuid4().hex[:6]}"
    first: list[str] = []
    second: list[str] = []
    handed = asyncio.Event()

    async def stuck(events: list[contracts.Event]) -> list[Rejection]:
        first.extend(e.subject for e in events)
        handed.set()
        await asyncio.sleep(3600)  # a database write that never returns
        return []

    async def working(events: list[contracts.Event]) -> list[Rejection]:
        second.extend(e.subject for e in events)
        return []

    async def scenario():
        topic = await own_topic(stack.bootstrap)
        sent = await transactions(stack.bootstrap, topic.name, [("commit", [tip(n).encode() for n in range(10, 15)])])
        tp = TopicPartition(topic.name, 0)
        publisher = kafka.Publisher(settings, client_id="stream-test")
        await publisher.start()
        try:
            stream = EventStream(settings, group, [topic], stuck, publisher)
            await stream.start()
            await asyncio.wait_for(handed.wait(), 60)
            await asyncio.sleep(1.0)  # several commit intervals with the batch in hand
            await asyncio.wait_for(stream.stop(), 30)  # does not wait for the stuck write
            assert await committed(stack.bootstrap, group, tp) == -1, "a batch was committed before its writes"
            stream = EventStream(settings, group, [topic], working, publisher)
            await stream.start()
            try:
                for _ in range(120):
                    if len(second) == 5 and await committed(stack.bootstrap, group, tp) == sent[-1].offset + 1:
                        break
                    await asyncio.sleep(0.5)
            finally:
                await stream.stop()
            assert await committed(stack.bootstrap, group, tp) == sent[-1].offset + 1
        finally:
            await publisher.stop()

    asyncio.run(scenario())
    expected = [f"T-STREAM-{n}" for n in range(10, 15)]
    assert first == expected and second == expected

"""The shared batch processing (decode, handler, dead letters, outcomes) without a broker, and
how aggregation's faust app is configured."""
from __future__ import annotations

from dataclasses import dataclass

from pymongo.errors import AutoReconnect

from services.common import contracts
from services.common.consume import BatchProcessor, Rejection
from services.common.streams import EventStream, StreamSettings, _Consumer, faust_app

TOPIC = contracts.Topic(name="test.unit", description="test", writer="test", key="tip_id", partitions=1,
                        retention_ms=-1, events=("tip.received/1",))
OTHER = contracts.Topic(name="test.other", description="test", writer="test", key="tip_id", partitions=1,
                        retention_ms=-1, events=("tip.status_changed/1",))


def event(n: int) -> contracts.Event:
    now = "2026-06-01T00:00:00Z"
    return contracts.make_event("tip.received/1", subject=f"T-U-{n}", source="test", data={
        "tip_id": f"T-U-{n}", "channel": "web", "content": f"tin {n}", "unit_code": "14767",
        "received_at": now, "recorded_at": now, "anonymous": True, "has_contact": False})


@dataclass
class FakeRecord:
    topic: str
    offset: int
    value: bytes | None
    key: bytes | None = None
    partition: int = 0


class Sink:
    def __init__(self):
        self.sent: list[tuple[str, str, int, str]] = []

    async def send(self, topic, record, kind, reason):
        self.sent.append((topic.name, kind, record.offset, reason))


async def test_a_batch_is_applied_and_what_cannot_be_is_dead_lettered_with_its_reason():
    calls: list[list[str]] = []
    failures = iter([AutoReconnect("database down")])  # one transient failure, then it answers

    async def handler(events):
        calls.append([e.subject for e in events])
        if (exc := next(failures, None)) is not None:
            raise exc
        if any(e.subject == "T-U-3" for e in events):
            raise ValueError("cannot apply tip 3")
        return [Rejection(e, "refused by the handler") for e in events if e.subject == "T-U-4"]

    sink = Sink()
    processor = BatchProcessor([TOPIC, OTHER], handler, sink, retry_backoff_s=0)
    records = [FakeRecord(TOPIC.name, 0, event(1).encode()), FakeRecord(TOPIC.name, 1, b"not JSON"),
               FakeRecord(OTHER.name, 2, event(2).encode()), FakeRecord(TOPIC.name, 3, event(3).encode()),
               FakeRecord(TOPIC.name, 4, event(4).encode()), FakeRecord(TOPIC.name, 5, event(5).encode())]
    outcome = await processor.process(records)
    assert (outcome.applied, outcome.invalid, outcome.rejected) == (2, 2, 2)
    everything = ["T-U-1", "T-U-3", "T-U-4", "T-U-5"]
    assert calls[:2] == [everything, everything]  # the same batch again after the transient error
    assert calls[2:] == [["T-U-1"], ["T-U-3"], ["T-U-4"], ["T-U-5"]]  # then isolated, one by one
    assert [(t, kind, offset) for t, kind, offset, _ in sink.sent] == [
        ("test.unit", "invalid", 1), ("test.other", "invalid", 2),
        ("test.unit", "rejected", 3), ("test.unit", "rejected", 4)]
    reasons = {offset: reason for _, _, offset, reason in sink.sent}
    assert "tip.received/1 is not carried by test.other" in reasons[2]
    assert reasons[3] == "ValueError: cannot apply tip 3" and reasons[4] == "refused by the handler"


async def test_only_invalid_records_never_reach_the_handler():
    async def handler(events):
        raise AssertionError("not called")

    sink = Sink()
    outcome = await BatchProcessor([TOPIC], handler, sink).process([FakeRecord(TOPIC.name, 7, None)])
    assert (outcome.applied, outcome.invalid) == (0, 1) and sink.sent[0][:3] == ("test.unit", "invalid", 7)


async def test_the_faust_app_is_the_services_consumer_group_and_nothing_more():
    settings = StreamSettings(KAFKA_BOOTSTRAP="127.0.0.1:1,127.0.0.1:2", STREAM_COMMIT_INTERVAL_S=0.5)
    app = faust_app(settings, "aggregation")
    conf = app.conf
    assert conf.id == "aggregation" and conf.broker_client_id == "aggregation"
    assert [str(u) for u in conf.broker] == ["kafka://127.0.0.1:1", "kafka://127.0.0.1:2"]
    assert conf.processing_guarantee.value == "at_least_once" and not app.in_transaction
    assert not conf.web_enabled and not conf.topic_allow_declare and conf.topic_disable_leader
    assert conf.store.scheme == "memory" and conf.broker_commit_interval == 0.5
    assert conf.broker_session_timeout == 10 and conf.consumer_auto_offset_reset == "earliest"
    assert not app.boot_strategy._should_enable_web() and not app.boot_strategy._should_enable_kafka_producer()
    services = list(app.boot_strategy.server())
    assert app.consumer in services and app.producer not in services
    assert isinstance(app.consumer, _Consumer)

    # faust would read uncommitted records under at_least_once; this consumer does not.
    consumer = app.consumer._thread._create_worker_consumer(app.transport)
    try:
        assert consumer._isolation_level == "read_committed"
        assert consumer._group_id == "aggregation" and consumer._enable_auto_commit is False
    finally:
        await consumer.stop()


async def test_a_record_skipped_by_a_rebalance_is_never_acked():
    """faust acks what its streams skip (an older generation's records, or any while the flow is
    stopped for a rebalance); such acks must not count toward a commit."""
    from faust.transport.drivers.aiokafka import ConsumerMessage
    from faust.types import TP
    app = faust_app(StreamSettings(KAFKA_BOOTSTRAP="127.0.0.1:1"), "aggregation")
    consumer, tp = app.consumer, TP("tips.received", 0)
    app.topics.acks_enabled_for = lambda topic: True  # no agent subscribed here
    consumer._committed_offset[tp] = 0

    def record(offset: int, generation: int) -> ConsumerMessage:
        message = ConsumerMessage(tp.topic, tp.partition, offset, 0.0, None, None, None, b"v", None, 1, 1, tp,
                                  generation_id=generation)
        message.refcount = 1
        return message

    app.consumer_generation_id = 2
    app.flow_control.resume()
    assert not record(0, 1).ack(consumer)  # fetched before the rebalance
    app.flow_control.suspend()
    assert not record(1, 2).ack(consumer)  # the flow is stopped for a rebalance
    app.flow_control.resume()
    assert record(2, 2).ack(consumer)      # processed in this generation: counts
    assert consumer._acked[tp] == [2]


async def test_a_stream_that_never_started_is_not_healthy():
    async def handler(events):
        return []
    stream = EventStream(StreamSettings(KAFKA_BOOTSTRAP="127.0.0.1:1"), "unit-test", [TOPIC], handler,
                         publisher=None)
    assert not await stream.healthy()
    await stream.stop()

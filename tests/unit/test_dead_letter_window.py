"""The dead-letter brake without a broker: at most DLQ_MAX_PER_WINDOW dead letters within any
DLQ_WINDOW_S (a sliding window on a test clock), then `TooManyDeadLetters` for good, with the
gauge set; a batch processor stops in the middle of its batch; a retried send counts once."""
from __future__ import annotations

import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY

from services.common import contracts
from services.common.consume import BatchProcessor, DeadLetterBrake, DeadLetters, TooManyDeadLetters, dead_letters
from services.common.settings import ServiceSettings
from tests.unit.test_consume_streams import TOPIC, FakeRecord


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Publisher:
    """Records what would be sent; fails the first `failures` sends as a lost broker would."""

    def __init__(self, failures: int = 0):
        self.sent: list[bytes | None] = []
        self.failures = failures

    async def send_raw(self, topic, value, key, headers):
        if self.failures:
            self.failures -= 1
            raise KafkaConnectionError("broker gone")
        self.sent.append(value)


def stopped(group: str) -> float | None:
    return REGISTRY.get_sample_value("antt_consumer_stopped", {"group": group})


def letters(brake: DeadLetterBrake, n: int) -> None:
    for _ in range(n):
        brake.check()
        brake.record()


def test_the_limit_holds_within_a_sliding_window():
    clock = Clock()
    brake = DeadLetterBrake("brake-window", limit=3, window_s=60, clock=clock)
    assert stopped("brake-window") == 0
    letters(brake, 2)
    clock.now += 30
    letters(brake, 1)            # 3 within the last 60 s: the limit, not beyond
    clock.now += 31              # the first two left the window
    letters(brake, 2)
    assert not brake.tripped and stopped("brake-window") == 0
    with pytest.raises(TooManyDeadLetters):
        brake.check()            # the 4th within 60 s
    assert brake.tripped and stopped("brake-window") == 1


def test_once_tripped_it_stays_tripped():
    clock = Clock()
    brake = DeadLetterBrake("brake-sticky", limit=1, window_s=1, clock=clock)
    letters(brake, 1)
    with pytest.raises(TooManyDeadLetters):
        brake.check()
    clock.now += 3600
    with pytest.raises(TooManyDeadLetters):
        brake.check()


def test_the_settings_give_the_documented_defaults(monkeypatch):
    monkeypatch.delenv("DLQ_MAX_PER_WINDOW", raising=False)
    monkeypatch.delenv("DLQ_WINDOW_S", raising=False)
    brake = dead_letters(ServiceSettings(), Publisher(), "brake-defaults").brake
    assert (brake.limit, brake.window_s) == (100, 60.0)
    monkeypatch.setenv("DLQ_MAX_PER_WINDOW", "7")
    monkeypatch.setenv("DLQ_WINDOW_S", "5")
    brake = dead_letters(ServiceSettings(), Publisher(), "brake-env").brake
    assert (brake.limit, brake.window_s) == (7, 5.0)


def test_a_batch_of_garbage_stops_at_the_limit():
    publisher = Publisher(failures=2)  # the first letter is retried twice: it counts once
    sink = DeadLetters(publisher, "brake-batch", DeadLetterBrake("brake-batch", limit=4, window_s=60))
    applied: list[str] = []

    async def handler(events: list[contracts.Event]):
        applied.extend(e.subject for e in events)
        return []

    processor = BatchProcessor([TOPIC], handler, sink, retry_backoff_s=0)
    garbage = [FakeRecord(TOPIC.name, offset, b"not json %d" % offset) for offset in range(10)]
    with pytest.raises(TooManyDeadLetters):
        asyncio.run(processor.process(garbage))
    assert publisher.sent == [b"not json %d" % n for n in range(4)]
    assert applied == [] and stopped("brake-batch") == 1

"""A plain replay reader (kafka-python, synchronous): every record of some partitions from the
beginning up to their end as of the start, without a consumer group (nothing is committed,
no live consumer is disturbed). The rebuild and the tests read topics this way."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from .contracts import Topic

__all__ = ["ConsumerRecord", "Replay", "partitions_named", "partitions_of", "read_all"]


def partitions_of(topics: list[Topic]) -> list[TopicPartition]:
    """Every partition of `topics` (created with the partitions of their definitions)."""
    return [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]


class Replay:
    """`read_committed`: skip what aborted transactions wrote (what every consumer here sees)."""

    def __init__(self, bootstrap: str, partitions: list[TopicPartition], *, read_committed: bool = True,
                 max_records: int = 1000):
        logging.getLogger("kafka").setLevel(logging.WARNING)
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap.split(","), group_id=None, enable_auto_commit=False,
            isolation_level="read_committed" if read_committed else "read_uncommitted",
            max_poll_records=max_records, consumer_timeout_ms=1000)
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self.ends: dict[TopicPartition, int] = self._consumer.end_offsets(partitions)

    @property
    def total(self) -> int:
        """Offsets to go through (records, and the markers of transactions)."""
        return sum(self.ends.values())

    def behind(self) -> bool:
        return any(self._consumer.position(tp) < end for tp, end in self.ends.items())

    def next_batch(self, timeout_ms: int = 500) -> list[ConsumerRecord] | None:
        """The next records before the ends (maybe none yet); None once every partition is read."""
        if not self.behind():
            return None
        polled = self._consumer.poll(timeout_ms=timeout_ms)
        return [r for tp, recs in polled.items() for r in recs if r.offset < self.ends[tp]]

    def batches(self, idle_s: float = 10.0) -> Iterator[list[ConsumerRecord]]:
        """Batches until the ends, or until nothing came for `idle_s` seconds."""
        idle = 0.0
        while (batch := self.next_batch()) is not None and idle < idle_s:
            idle = 0.0 if batch else idle + 0.5
            if batch:
                yield batch

    def close(self) -> None:
        self._consumer.close()

    def __enter__(self) -> "Replay":
        return self

    def __exit__(self, *_) -> None:
        self.close()


def read_all(bootstrap: str, topics: str | list[str] | None, *, read_committed: bool = False,
             idle_s: float = 5.0) -> list[ConsumerRecord]:
    """Every record of `topics` (a name, several, or None: every topic; every partition)
    written so far."""
    names = [topics] if isinstance(topics, str) else topics
    with Replay(bootstrap, partitions_named(bootstrap, names), read_committed=read_committed) as replay:
        return [r for batch in replay.batches(idle_s=idle_s) for r in batch]


def partitions_named(bootstrap: str, topics: list[str] | None = None) -> list[TopicPartition]:
    """Every partition of `topics` (default: of every topic) as the cluster's metadata lists them."""
    probe = KafkaConsumer(bootstrap_servers=bootstrap.split(","), group_id=None)
    try:
        names = sorted(probe.topics()) if topics is None else topics
        return [TopicPartition(t, p) for t in names for p in sorted(probe.partitions_for_topic(t) or ())]
    finally:
        probe.close()

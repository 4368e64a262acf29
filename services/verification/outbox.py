"""Publishes the events waiting in tips' outboxes: right after a decision, and again from a
background sweep for any that a crash or a broker outage left behind (at-least-once; consumers
ignore what they already applied)."""
from __future__ import annotations

import asyncio
import logging

from pymongo.errors import PyMongoError

from services.common import contracts
from services.common.kafka import BrokerUnavailable, Publisher
from services.common.tasks import BackgroundTask

from .store import TipStore

log = logging.getLogger(__name__)
TOPIC = contracts.topic("tips.verification")


class OutboxRelay:
    def __init__(self, store: TipStore, publisher: Publisher, interval_s: float = 2.0):
        self._store = store
        self._publisher = publisher
        self._interval = interval_s
        self._task = BackgroundTask("outbox-relay")

    async def flush(self, tip_id: str, events: list[dict]) -> bool:
        """Publish one tip's pending events in order; True if the broker acknowledged them."""
        try:
            await self._publisher.publish_many(TOPIC, [contracts.validate(e) for e in events])
        except BrokerUnavailable as exc:
            log.warning("outbox of %s stays pending: %s", tip_id, exc)
            return False
        await self._store.mark_published(tip_id, [e["id"] for e in events])
        return True

    async def sweep(self) -> None:
        for doc in await self._store.unpublished():
            if not await self.flush(doc["_id"], doc["outbox"]):
                return

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except PyMongoError as exc:
                log.warning("outbox sweep failed: %r", exc)
            await asyncio.sleep(self._interval)

    async def start(self) -> None:
        self._task.start(self._run())

    async def stop(self) -> None:
        await self._task.stop()

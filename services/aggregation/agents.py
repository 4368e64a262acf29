"""The consumer of aggregation: tip, verification, camera, extraction, case, programme and activity events
into the fact documents of the read models, as one faust agent (group "aggregation") taking
batches with stream.take() (services/common/streams.py)."""
from __future__ import annotations

from services.common import contracts
from services.common.consume import Rejection
from services.common.contracts import Event
from services.common.kafka import Publisher
from services.common.streams import EventStream, StreamSettings

from . import domain
from .store import FactStore

GROUP = "aggregation"
CONSUMES = [contracts.topic(name) for name in
            ("tips.received", "tips.verification", "cameras", "extractions", "cases", "programmes",
              "activities")]


def facts_handler(store: FactStore):
    async def handle(events: list[Event]) -> list[Rejection]:
        await store.apply([w for e in events for w in domain.writes_for(e)])
        return []
    return handle


def stream(settings: StreamSettings, store: FactStore, publisher: Publisher) -> EventStream:
    """The live consumer; the rebuild (rebuild.py) replays with the same handler."""
    return EventStream(settings, GROUP, CONSUMES, facts_handler(store), publisher)

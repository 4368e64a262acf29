"""The consumer of aggregation: tip, verification, camera, extraction, case and programme events
into the fact documents of the read models."""
from __future__ import annotations

from services.common import contracts
from services.common.consume import Rejection
from services.common.contracts import Event

from . import domain
from .store import FactStore

CONSUMES = [contracts.topic(name) for name in
            ("tips.received", "tips.verification", "cameras", "extractions", "cases", "programmes")]


def facts_handler(store: FactStore):
    async def handle(events: list[Event]) -> list[Rejection]:
        await store.apply([w for e in events for w in domain.writes_for(e)])
        return []
    return handle

"""The consumer of aggregation: tip and verification events into tip facts."""
from __future__ import annotations

from services.common import contracts
from services.common.consume import Rejection
from services.common.contracts import Event

from . import domain
from .store import FactStore

CONSUMES = [contracts.topic("tips.received"), contracts.topic("tips.verification")]


def facts_handler(store: FactStore):
    async def handle(events: list[Event]) -> list[Rejection]:
        await store.apply([domain.update_for(e) for e in events])
        return []
    return handle

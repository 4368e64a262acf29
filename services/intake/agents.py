"""The consumer of intake: verification's state changes, so a receipt shows the tip's
public state."""
from __future__ import annotations

from services.common import contracts
from services.common.consume import Rejection
from services.common.contracts import Event

from .store import IntakeStore

CONSUMES = [contracts.topic("tips.verification")]


def status_handler(store: IntakeStore):
    async def handle(events: list[Event]) -> list[Rejection]:
        await store.apply_statuses([(e.data["tip_id"], e.data["status"], e.data["version"]) for e in events])
        return []
    return handle

"""Consumers of verification: `tip.received` creates the tip's state, idempotently."""
from __future__ import annotations

from datetime import timedelta

from services.common import contracts
from services.common.consume import Rejection
from services.common.contracts import Event

from . import domain
from .store import TipStore

CONSUMES = [contracts.topic("tips.received")]


def tip_received_handler(store: TipStore, near: timedelta, remote_codes: frozenset[str]):
    async def handle(events: list[Event]) -> list[Rejection]:
        await store.add_received([
            domain.tip_from_event(e.data, near=near, remote=domain.is_remote(
                e.data.get("unit_path") or [e.data["unit_code"]], remote_codes))
            for e in events])
        return []
    return handle

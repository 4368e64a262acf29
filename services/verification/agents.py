"""Consumers of verification: `tip.received` creates the tip's state, idempotently;
`tip.message_received` (a tipster wrote) marks the tip unread in the queue until an officer
opens it. Both come on one topic keyed by tip, so a message never arrives before its tip."""
from __future__ import annotations

from datetime import timedelta

from services.common import contracts
from services.common.consume import Rejection
from services.common.contracts import Event
from services.common.times import parse

from . import domain
from .store import TipStore

CONSUMES = [contracts.topic("tips.received")]


def tips_handler(store: TipStore, near: timedelta, remote_codes: frozenset[str]):
    async def handle(events: list[Event]) -> list[Rejection]:
        await store.add_received([
            domain.tip_from_event(e.data, near=near, remote=domain.is_remote(
                e.data.get("unit_path") or [e.data["unit_code"]], remote_codes))
            for e in events if e.type == "tip.received"])
        await store.tipster_wrote([(e.data["tip_id"], parse(e.data["at"]))
                                   for e in events if e.type == "tip.message_received"])
        return []
    return handle

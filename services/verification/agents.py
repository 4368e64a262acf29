"""Consumers of verification: `tip.received` creates the tip's state, idempotently;
`tip.message_received` (a tipster wrote) marks the tip unread in the queue until an officer
opens it. Both come on one topic keyed by tip, so a message never arrives before its tip. The
decisions and legal steps on `tips.verification` that another writer recorded (a past year's,
history.py) are applied in order, once their tip is here, and this service's own events change
nothing."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from services.common import contracts
from services.common.consume import NotYet, Rejection
from services.common.contracts import Event
from services.common.times import parse

from . import domain, history
from .store import TipStore

CONSUMES = [contracts.topic("tips.received")]
RECORDED = [contracts.topic("tips.verification")]
RECORDED_GROUP = "verification-recorded"


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


def recorded_handler(store: TipStore, near: timedelta, wait: timedelta, attempts: int = 3,
                     clock: Callable[[], float] = time.monotonic):
    """Applies a batch's events (each tip's in their order) in one write per tip. A tip another
    writer moved meanwhile is read again and the rest applied to it; an event the rules refuse
    is rejected (dead-lettered with the reason). A tip not received yet (its `tip.received` is on
    another topic, read by the other consumer) is waited for, the batch retried, for `wait` from
    the first time it was missed; then its events are rejected."""
    missed: dict[str, float] = {}  # tip id -> when it was first missing

    async def handle(events: list[Event]) -> list[Rejection]:
        wanted = [e for e in events if e.type in ("tip.status_changed", "tip.legal_step")]
        ids = sorted({e.subject for e in wanted})
        refused: list = []
        for _ in range(attempts):
            tips = await store.get_many(ids)
            now = clock()
            waiting = [i for i in ids if i not in tips and now - missed.setdefault(i, now) < wait.total_seconds()]
            if waiting:
                raise NotYet(f"{len(waiting)} tips not received yet, e.g. {waiting[0]}")
            updates, refused = history.fold(tips, wanted, near)
            if await store.apply_recorded(tips, updates) == len(updates):
                break
        else:
            raise RuntimeError(f"tips kept changing while recorded events were applied ({len(ids)} tips)")
        for i in ids:
            missed.pop(i, None)
        return [Rejection(event, reason) for event, reason in refused]
    return handle

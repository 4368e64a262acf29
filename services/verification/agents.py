"""Consumers of verification: `tip.received` creates the tip's state, idempotently; the
decisions and legal steps on `tips.verification` that another writer recorded (a past year's,
history.py) are applied in order, and this service's own events change nothing."""
from __future__ import annotations

from datetime import timedelta

from services.common import contracts
from services.common.consume import Rejection
from services.common.contracts import Event

from . import domain, history
from .store import TipStore

CONSUMES = [contracts.topic("tips.received")]
RECORDED = [contracts.topic("tips.verification")]
RECORDED_GROUP = "verification-recorded"


def tip_received_handler(store: TipStore, near: timedelta, remote_codes: frozenset[str]):
    async def handle(events: list[Event]) -> list[Rejection]:
        await store.add_received([
            domain.tip_from_event(e.data, near=near, remote=domain.is_remote(
                e.data.get("unit_path") or [e.data["unit_code"]], remote_codes))
            for e in events])
        return []
    return handle


def recorded_handler(store: TipStore, near: timedelta):
    """Applies each event to its tip (a batch's events of one tip in their order). A tip moved by
    someone else meanwhile is read again; an unknown tip or a refused event is rejected."""
    async def handle(events: list[Event]) -> list[Rejection]:
        wanted = [e for e in events if e.type in ("tip.status_changed", "tip.legal_step")]
        tips = await store.get_many(sorted({e.subject for e in wanted}))
        rejected = []
        for event in wanted:
            for _ in range(3):
                tip = tips.get(event.subject)
                if tip is None:
                    rejected.append(Rejection(event, f"no tip {event.subject} in verification"))
                    break
                try:
                    change = history.changes(tip, event.type, event.data, near)
                except history.Refused as exc:
                    rejected.append(Rejection(event, str(exc)))
                    break
                if change is None:
                    break
                fields, push = change
                if await store.apply_recorded(tip, fields, push):
                    tips[event.subject] = {**tip, **fields, **{k: tip.get(k, []) + [v] for k, v in push.items()}}
                    break
                tips[event.subject] = await store.get(event.subject)
        return rejected
    return handle

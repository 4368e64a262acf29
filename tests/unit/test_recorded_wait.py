"""Verification's reader of recorded decisions waits for a tip it has not received yet (the
decision and the tip come on different topics), then rejects: the rule of agents.py, on a
stand-in store of no tips (what the store does is tested on the real database)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from services.common import contracts
from services.common.consume import TRANSIENT, NotYet
from services.verification.agents import recorded_handler


class NoTips:
    async def get_many(self, tip_ids):
        return {}

    async def apply_recorded(self, tips, updates):
        return len(updates)


def decided(tip_id: str) -> contracts.Event:
    return contracts.make_event("tip.status_changed/1", subject=tip_id, source="test", data={
        "tip_id": tip_id, "status": "valuable", "previous_status": "received", "version": 1,
        "changed_at": "2026-05-05T03:00:00Z", "actor": {"username": "t", "role": "officer", "unit_code": "14791"}})


def test_a_decision_waits_for_its_tip_then_is_rejected_with_the_reason():
    now = [100.0]
    handle = recorded_handler(NoTips(), timedelta(hours=48), timedelta(seconds=30), clock=lambda: now[0])
    event = decided("T-LATE-1")
    assert issubclass(NotYet, TRANSIENT)  # the consumer retries the batch instead of dead-lettering
    with pytest.raises(NotYet, match="T-LATE-1"):
        asyncio.run(handle([event]))
    now[0] += 29
    with pytest.raises(NotYet):
        asyncio.run(handle([event]))
    now[0] += 1
    [rejection] = asyncio.run(handle([event]))
    assert rejection.event is event and "no tip T-LATE-1" in rejection.reason
    # the wait is counted per tip, from the first miss: another tip waits its own 30 s
    now[0] += 1
    with pytest.raises(NotYet, match="2 tips not received yet"):
        asyncio.run(handle([event, decided("T-LATE-2")]))

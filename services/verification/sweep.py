"""The clock sweep of verification, a background task like the outbox relay: every
`CLOCK_SWEEP_INTERVAL_S` it emits the deadline alerts that are due (once per tip and deadline:
the tip records which deadline each alert was sent for, in the same write as the event), sets
the clock gauges from count queries, and finishes or undoes unfinished case operations."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from services.common import contracts
from services.common.metrics import TIPS_NEAR_DEADLINE, TIPS_OPEN, TIPS_OVERDUE, unit_labels
from services.common.tasks import PeriodicTask
from services.common.times import iso

from . import legal
from .caseflow import CaseFlow
from .settings import VerificationSettings
from .store import TipStore

GAUGES = {"open": TIPS_OPEN, "near": TIPS_NEAR_DEADLINE, "overdue": TIPS_OVERDUE}
BATCH = 500


class ClockSweep(PeriodicTask):
    def __init__(self, settings: VerificationSettings, store: TipStore, flow: CaseFlow):
        super().__init__("clock-sweep", self.sweep, settings.clock_sweep_interval_s)
        self._settings, self._store, self._flow = settings, store, flow
        self._labels: set[tuple[str, str]] = set()

    async def sweep(self, now: datetime | None = None) -> int:
        """One pass; returns the number of alerts written to outboxes."""
        now = now or datetime.now(timezone.utc)
        sent = await self._alerts(now)
        await self._gauges(now)
        await self._flow.recover(now)
        return sent

    async def _alerts(self, now: datetime) -> int:
        near, sent = self._settings.near, 0
        for tip in await self._store.alerts_due(now, BATCH):
            kind = legal.alert_due(tip, now, near)
            if kind is None:
                continue
            event = contracts.make_event(f"tip.{kind}/1", subject=tip["_id"], source="verification", data={
                "tip_id": tip["_id"], "unit_code": tip["unit_code"], "unit_path": tip["unit_path"],
                "deadline": tip["clock_which"], "due_at": iso(tip["clock_due"]), "detected_at": iso(now),
                "status": tip["status"], "version": tip["version"]})
            alerted = legal.alerted_after(tip, kind)
            sent += await self._store.record_alert(
                tip, alerted=alerted, next_alert_at=legal.next_alert_at(tip["clock_due"], alerted, near),
                event=event.to_dict())
        return sent

    async def _gauges(self, now: datetime) -> None:
        counts = await self._store.clock_counts(now, self._settings.near)
        seen: set[tuple[str, str]] = set()
        for name, per_unit in counts.items():
            totals: Counter = Counter()
            for code, n in per_unit.items():
                labels = unit_labels(code or "")
                totals[(labels["unit_level"], labels["district"])] += n
            for labels in self._labels | set(totals):
                GAUGES[name].labels(*labels).set(totals.get(labels, 0))
            seen |= set(totals)
        self._labels |= seen

"""The camera gauges of camera-extraction, a background task like verification's clock sweep:
every CAMERAS_INTERVAL_S (services/common/metrics.py, which the Grafana panel quotes) the
registry's cameras are counted by status (working / broken) and district into antt_cameras. A
count that falls to nothing is exported as 0, not dropped."""
from __future__ import annotations

from collections import Counter

from pymongo.asynchronous.collection import AsyncCollection

from services.common.metrics import CAMERAS, CAMERAS_INTERVAL_S, unit_labels
from services.common.tasks import PeriodicTask


class CameraGauges(PeriodicTask):
    def __init__(self, cameras: AsyncCollection, interval_s: float = CAMERAS_INTERVAL_S):
        super().__init__("camera-gauges", self.count, interval_s)
        self._cameras = cameras
        self._labels: set[tuple[str, str]] = set()

    async def count(self) -> None:
        rows = await self._cameras.aggregate(
            [{"$group": {"_id": {"unit_code": "$unit_code", "status": "$status"}, "n": {"$sum": 1}}}])
        totals: Counter = Counter()
        async for row in rows:
            totals[(row["_id"]["status"], unit_labels(row["_id"]["unit_code"])["district"])] += row["n"]
        for labels in self._labels | set(totals):
            CAMERAS.labels(*labels).set(totals.get(labels, 0))
        self._labels |= set(totals)

"""Background tasks of a service: started with it, cancelled and awaited on stop."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine

from pymongo.errors import PyMongoError

log = logging.getLogger(__name__)


class BackgroundTask:
    def __init__(self, name: str):
        self.name = name
        self._task: asyncio.Task | None = None

    def start(self, work: Coroutine) -> None:
        self._task = asyncio.create_task(work, name=self.name)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass


class PeriodicTask:
    """`work` run every `interval_s` seconds from `start()` to `stop()`; a round that the
    database fails is logged, and the next round tries again."""

    def __init__(self, name: str, work: Callable[[], Awaitable[object]], interval_s: float):
        self._task = BackgroundTask(name)
        self._work, self._interval_s = work, interval_s

    async def start(self) -> None:
        self._task.start(self._run())

    async def stop(self) -> None:
        await self._task.stop()

    async def _run(self) -> None:
        while True:
            try:
                await self._work()
            except PyMongoError as exc:
                log.warning("%s failed, tries again in %gs: %r", self._task.name, self._interval_s, exc)
            await asyncio.sleep(self._interval_s)

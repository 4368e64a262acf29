"""A named background task of a service: started with it, cancelled and awaited on stop."""
from __future__ import annotations

import asyncio
from collections.abc import Coroutine


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

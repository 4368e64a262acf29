"""Group commit for inserts: concurrent `insert()` calls on one collection share one
`insert_many` (unordered), so a busy service makes one round trip to the database per batch
instead of one per document. Each caller still learns the outcome of its own document: success,
DuplicateKeyError, or the error of the whole write.

The batch policy is explicit: a write takes everything waiting (up to `max_batch`) the moment
the previous write returns; no timer, so a lone request is written at once."""
from __future__ import annotations

import asyncio

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError, WriteError

from .mongo import DUPLICATE_KEY


class InsertBatcher:
    def __init__(self, collection: AsyncCollection, max_batch: int = 500):
        self._collection = collection
        self._max_batch = max_batch
        self._waiting: list[tuple[dict, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def insert(self, doc: dict) -> None:
        """Insert `doc`; raises DuplicateKeyError if its key exists, PyMongoError if the write failed."""
        done = asyncio.get_running_loop().create_future()
        done.add_done_callback(lambda f: f.cancelled() or f.exception())  # seen, even if nobody waits
        self._waiting.append((doc, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all())
        await asyncio.shield(done)  # a caller that gives up does not cancel the others' write

    async def _write_all(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:self._max_batch], self._waiting[self._max_batch:]
                await self._write(batch)
        finally:
            self._writer = None

    async def _write(self, batch: list[tuple[dict, asyncio.Future]]) -> None:
        failed: dict[int, Exception] = {}
        try:
            await self._collection.insert_many([doc for doc, _ in batch], ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                kind = DuplicateKeyError if error.get("code") == DUPLICATE_KEY else WriteError
                failed[error["index"]] = kind(error.get("errmsg", "write error"), error.get("code"), error)
            if exc.details.get("writeConcernErrors"):
                failed = dict.fromkeys(range(len(batch)), exc)
        except PyMongoError as exc:
            failed = dict.fromkeys(range(len(batch)), exc)
        except BaseException as exc:  # cancelled at shutdown: no caller may wait forever
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc if isinstance(exc, Exception) else asyncio.CancelledError())
            raise
        for index, (_, done) in enumerate(batch):
            if done.done():
                continue
            if index in failed:
                done.set_exception(failed[index])
            else:
                done.set_result(None)

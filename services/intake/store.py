"""Intake's own data: receipts (under their code's Argon2id key, codes.py; legacy ones under
their reference with a hash of the secret), sealed contact details, and replayable answers for
requests that carried an idempotency key."""
from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.common import mongo
from services.common.batching import InsertBatcher

IDEMPOTENCY_TTL = timedelta(hours=24)


class ReceiptTaken(Exception):
    """The receipt's key is in use already (the same 16-digit code drawn twice): draw another."""


class IdempotencyConflict(Exception):
    """Another request with the same idempotency key is being handled, or was."""


class IntakeStore:
    def __init__(self, db: AsyncDatabase):
        self._receipts = db["receipts"]
        self._replays = db["replays"]
        self._failures = db["receipt_failures"]
        self._contact_access = db["contact_access"]  # append-only record of identity releases
        # The hot path of every tip: concurrent requests share one write (group commit).
        self._new_receipts = InsertBatcher(self._receipts)
        self._new_replays = InsertBatcher(self._replays)

    async def create_indexes(self, failure_window_s: int) -> None:
        await self._receipts.create_index([("tip_id", ASCENDING)], unique=True)
        await self._receipts.create_index([("outbox.id", ASCENDING)], sparse=True)  # tipsters' messages' events
        await self._replays.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
        await self._failures.create_index([("at", ASCENDING)], expireAfterSeconds=failure_window_s)
        await self._failures.create_index([("ref", ASCENDING), ("at", ASCENDING)])
        await self._failures.create_index([("client", ASCENDING), ("at", ASCENDING)])

    async def reserve(self, *, ref: str, tip_id: str, unit_code: str,
                      created_at: datetime, sealed_contact: str | None,
                      idempotency_key: str | None, sealed_answer: str) -> None:
        """Write the receipt (and the replay record) before the event is published."""
        if idempotency_key:
            try:
                await self._new_replays.insert({"_id": idempotency_key, "tip_id": tip_id,
                                                "answer": sealed_answer,
                                                "expires_at": created_at + IDEMPOTENCY_TTL})
            except DuplicateKeyError:
                raise IdempotencyConflict(idempotency_key) from None
        try:
            await self._new_receipts.insert({"_id": ref, "tip_id": tip_id, "unit_code": unit_code,
                                             "created_at": created_at, "contact": sealed_contact,
                                             "tip_status": "received", "status_version": 0, "messages": []})
        except DuplicateKeyError:
            if await self._receipts.find_one({"_id": ref, "tip_id": tip_id}, {"_id": 1}):
                return  # our own write, applied before the driver retried it (a lost answer)
            if idempotency_key:
                await self._replays.delete_one({"_id": idempotency_key})
            raise ReceiptTaken(ref) from None

    async def release(self, *, ref: str, idempotency_key: str | None) -> None:
        """Undo `reserve` when the broker did not acknowledge: nothing stays half-way."""
        await self._receipts.delete_one({"_id": ref})
        if idempotency_key:
            await self._replays.delete_one({"_id": idempotency_key})

    async def replay(self, idempotency_key: str) -> dict | None:
        return await self._replays.find_one({"_id": idempotency_key})

    async def receipt(self, ref: str) -> dict | None:
        return await self._receipts.find_one({"_id": ref})

    async def receipt_of_tip(self, tip_id: str) -> dict | None:
        return await self._receipts.find_one({"tip_id": tip_id})

    @property
    def receipts(self):
        """For the outbox relay of the tipsters' messages' events."""
        return self._receipts

    async def add_message(self, ref: str, message: dict, event: dict | None = None) -> None:
        """Append a message, and its event to the receipt's outbox in the same write."""
        push = {"messages": message, **({"outbox": event} if event else {})}
        await self._receipts.update_one({"_id": ref}, {"$push": push})

    async def failures(self, *, ref: str | None, client: str, since: datetime) -> tuple[int, int]:
        """Wrong guesses within the window: for this receipt (a legacy code's reference; none
        for a 16-digit code, which names no receipt), and from this client."""
        for_ref = 0 if ref is None else await self._failures.count_documents({"ref": ref, "at": {"$gte": since}})
        return for_ref, await self._failures.count_documents({"client": client, "at": {"$gte": since}})

    async def record_failure(self, *, ref: str | None, client: str, at: datetime) -> None:
        await self._failures.insert_one({"ref": ref, "client": client, "at": at})

    async def apply_statuses(self, changes: list[tuple[str, str, int]]) -> None:
        """(tip_id, status, version): keep each receipt's newest state; replays change nothing."""
        if changes:
            await self._receipts.bulk_write(
                [UpdateOne({"tip_id": tip_id, "status_version": {"$lt": version}},
                           {"$set": {"tip_status": status, "status_version": version}})
                 for tip_id, status, version in changes], ordered=False)

    async def record_contact_access(self, entry: dict) -> None:
        await self._contact_access.insert_one(entry)

    # Bulk imports: `import_rows` holds one idempotency key per imported row (the file's
    # SHA-256 and the row number), without expiry, so a file imported again adds nothing.

    def _import_rows(self):
        return self._receipts.database["import_rows"]

    async def create_import_indexes(self) -> None:
        await self._import_rows().create_index([("job_id", ASCENDING), ("row", ASCENDING)])

    async def reserve_import_rows(self, rows: list[dict]) -> dict[str, dict]:
        """Insert `{_id: key, job_id, row, tip_id}` for each row; return the earlier
        reservation of each key that had one (by this job before a crash, or another job)."""
        if not rows:
            return {}
        try:
            await self._import_rows().insert_many(rows, ordered=False)
            return {}
        except BulkWriteError as exc:
            keys = _duplicates(exc, rows)
        return {d["_id"]: d async for d in self._import_rows().find({"_id": {"$in": keys}})}

    async def insert_import_receipts(self, receipts: list[dict]) -> dict[str, str]:
        """Write the receipts of imported rows; return {ref: tip_id} of refs already taken."""
        docs = [{**r, "tip_status": "received", "status_version": 0, "messages": []} for r in receipts]
        if not docs:
            return {}
        try:
            await self._receipts.insert_many(docs, ordered=False)
            return {}
        except BulkWriteError as exc:
            refs = _duplicates(exc, docs)
        return {d["_id"]: d["tip_id"] async for d in self._receipts.find({"_id": {"$in": refs}}, {"tip_id": 1})}

    async def release_import_rows(self, keys: list[str]) -> None:
        await self._import_rows().delete_many({"_id": {"$in": keys}})

    async def abandon_import_rows(self, job_id: str, from_row: int) -> None:
        """A failed job's rows from its cursor on were never counted: free them for a re-import."""
        rows = await self._import_rows().find({"job_id": job_id, "row": {"$gte": from_row}}).to_list()
        await self._receipts.delete_many({"tip_id": {"$in": [r["tip_id"] for r in rows]}})
        await self._import_rows().delete_many({"_id": {"$in": [r["_id"] for r in rows]}})

    async def import_rows_of(self, job_id: str, batch: int = 1000):
        """The rows a job imported, in row order, `batch` at a time."""
        chunk: list[dict] = []
        async for doc in self._import_rows().find({"job_id": job_id}).sort("row", ASCENDING):
            chunk.append(doc)
            if len(chunk) == batch:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _duplicates(exc: BulkWriteError, docs: list[dict]) -> list:
    """The `_id`s that already existed; any other write error is raised again."""
    return [docs[i]["_id"] for i in mongo.duplicate_keys(exc)]

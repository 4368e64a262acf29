"""Bulk imports of spreadsheets (CSV or XLSX), for any service: the upload spooled to disk and
hashed (uploads.py), rows read one by one in bounded memory (sheets.py), and a job document
that tracks progress; the steps an import's routes share.

Crash safety: a job's `next_row` is the first row not yet committed. A batch is processed
(the service's `process` callback, which must be idempotent for a replayed batch) and only then
is the cursor moved, in one conditional update that also adds the batch's counts and errors; a
worker holds a lease on the job and a restarted worker resumes from `next_row`. So a committed
row is never processed twice into the counts, and an uncommitted one is processed again."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fastapi import Request
from pydantic import Field
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from .auth import Principal
from .errors import ApiError
from .kafka import BrokerUnavailable
from .metrics import IMPORT_JOBS, IMPORT_ROWS
from .settings import ServiceSettings
from .sheets import Row, Sheet, SheetError, kind_of
from .tasks import BackgroundTask
from .times import iso
from .uploads import Upload, receive

log = logging.getLogger(__name__)
ACTIVE = ("queued", "running")
MULTIPART_SLACK = 64 * 1024  # the multipart framing around the file
# camera-extraction's job ids: the gateway sends `GET /imports/IC-...` there, other job ids to intake
CAMERA_JOB_PREFIX = "IC-"
VIEWING_ROLES = ("commander", "admin")  # besides a job's owner, within their unit


class ImportSettings(ServiceSettings):
    max_import_bytes: int = Field(64 * 1024**2, alias="ANTT_MAX_IMPORT_BYTES", gt=0,
                                  description="largest file one import may upload")
    imports_dir: str = Field(".cache/imports", alias="ANTT_IMPORTS_DIR",
                             description="where uploaded import files wait until their job ends")
    import_batch_rows: int = Field(500, alias="IMPORT_BATCH_ROWS", ge=1, le=5000,
                                   description="rows processed (and committed) together")
    import_errors_kept: int = Field(1000, alias="IMPORT_ERRORS_KEPT", ge=1,
                                    description="bad rows reported in detail per job (all are counted)")


@dataclass
class BatchResult:
    """What a batch did: `done` counts rows now imported, including `already` (imported by an
    earlier job); `errors` are {row, field, reason}, `failed` the rows they name."""
    done: int = 0
    failed: int = 0
    already: int = 0
    errors: list[dict] = field(default_factory=list)


def public_view(job: dict) -> dict:
    """The job as `GET /imports/{job_id}` shows it."""
    return {"job_id": job["_id"], "kind": job["kind"], "status": job["status"],
            "file": {k: job["file"][k] for k in ("name", "size", "sha256", "type")},
            "total": job["total"], "done": job["done"], "failed": job["failed"],
            "already_imported": job["already"], "errors": job["errors"],
            "errors_total": job["error_count"], "reason": job.get("reason"),
            "created_at": iso(job["created_at"]),
            "finished_at": iso(job["finished_at"]) if job.get("finished_at") else None}


def visible(job: dict | None, user: Principal, job_id: str, kind: str) -> dict:
    """The job of this kind if `user` may see it (its owner, or a commander or admin of the
    owner's unit); 404 otherwise."""
    owner = job and job["owner"]
    if job is None or job["kind"] != kind or not (
            owner["username"] == user.username or (user.role in VIEWING_ROLES and user.covers(owner["unit_code"]))):
        raise ApiError(404, f"no import {job_id}")
    return job


async def accept_upload(request: Request, jobs: ImportJobs, kind: str, job_id: str,
                        check_columns: Callable[[list[str]], list[dict]]) -> Upload:
    """The file of a new job, received into the service's imports folder; refused (and
    removed) if it is not a spreadsheet or its header has problems (422), or if a job is
    importing the same file (409)."""
    settings = request.app.state.settings
    path = Path(settings.imports_dir) / settings.mongo_db_prefix / f"{job_id}.upload"
    upload = await receive(request, path, settings.max_import_bytes)
    try:
        sheet = await asyncio.to_thread(Sheet, path, kind_of(path))
        await asyncio.to_thread(sheet.close)
        if problems := check_columns(sheet.columns):
            raise ApiError(422, "the file's header has problems", fields=problems)
        running = await jobs.active_of_file(kind, upload.sha256)
        if running is not None:
            raise ApiError(409, f"this file is being imported by job {running['_id']}")
    except SheetError as exc:
        path.unlink(missing_ok=True)
        raise ApiError(422, str(exc), fields=[{"field": "file", "reason": str(exc), "code": "unreadable_file"}]) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return upload


class ImportJobs:
    """The job documents of one service's imports."""

    def __init__(self, collection: AsyncCollection, errors_kept: int, lease_s: float = 60):
        self._jobs = collection
        self._errors_kept = errors_kept
        self._lease = timedelta(seconds=lease_s)

    async def create_indexes(self) -> None:
        await self._jobs.create_index([("status", ASCENDING), ("created_at", ASCENDING)])
        await self._jobs.create_index([("file.sha256", ASCENDING), ("status", ASCENDING)])

    async def create(self, job_id: str, *, kind: str, owner: dict, upload: Upload,
                     now: datetime, extra: dict | None = None) -> dict:
        doc = {"_id": job_id, "kind": kind, "owner": owner, "status": "queued", "created_at": now,
               "file": {"name": upload.name, "size": upload.size, "sha256": upload.sha256,
                        "type": kind_of(upload.path), "path": str(upload.path)},
               "total": None, "done": 0, "failed": 0, "already": 0, "errors": [], "error_count": 0,
               "next_row": 2, "worker": None, "lease_until": None, **(extra or {})}
        await self._jobs.insert_one(doc)
        return doc

    async def get(self, job_id: str) -> dict | None:
        return await self._jobs.find_one({"_id": job_id})

    async def active_of_file(self, kind: str, sha256: str) -> dict | None:
        return await self._jobs.find_one({"kind": kind, "file.sha256": sha256, "status": {"$in": list(ACTIVE)}})

    async def claim(self, kind: str, worker: str) -> dict | None:
        """The oldest queued job, or a running one whose worker stopped renewing its lease."""
        now = datetime.now(timezone.utc)
        return await self._jobs.find_one_and_update(
            {"kind": kind, "status": {"$in": list(ACTIVE)},
             "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}]},
            {"$set": {"status": "running", "worker": worker, "lease_until": now + self._lease}},
            sort=[("created_at", ASCENDING)], return_document=ReturnDocument.AFTER)

    async def set_total(self, job_id: str, total: int | None) -> None:
        await self._jobs.update_one({"_id": job_id}, {"$set": {"total": total}})

    async def commit(self, job: dict, from_row: int, to_row: int, result: BatchResult) -> bool:
        """Move the cursor and add the batch's counts, once; False if the lease was lost."""
        outcome = await self._jobs.update_one(
            {"_id": job["_id"], "worker": job["worker"], "next_row": from_row},
            {"$set": {"next_row": to_row, "lease_until": datetime.now(timezone.utc) + self._lease},
             "$inc": {"done": result.done, "failed": result.failed, "already": result.already,
                      "error_count": len(result.errors)},
             "$push": {"errors": {"$each": result.errors, "$slice": self._errors_kept}}})
        return outcome.modified_count == 1

    async def renew(self, job: dict) -> None:
        await self._jobs.update_one({"_id": job["_id"], "worker": job["worker"]},
                                    {"$set": {"lease_until": datetime.now(timezone.utc) + self._lease}})

    async def end(self, job: dict, status: str, *, total: int | None = None, reason: str | None = None) -> None:
        update = {"status": status, "finished_at": datetime.now(timezone.utc), "lease_until": None,
                  "reason": reason, **({"total": total} if total is not None else {})}
        await self._jobs.update_one({"_id": job["_id"], "worker": job["worker"]}, {"$set": update})

    async def take(self, job_id: str, name: str, match: dict) -> object | None:
        """Remove field `name` of a job matching `match` and return its value (once)."""
        doc = await self._jobs.find_one_and_update(
            {"_id": job_id, name: {"$exists": True}, **match}, {"$unset": {name: ""}})
        return doc[name] if doc else None

    async def put_back(self, job_id: str, name: str, value: object) -> None:
        await self._jobs.update_one({"_id": job_id, name: {"$exists": False}}, {"$set": {name: value}})


Process = Callable[[dict, list[Row]], Awaitable[BatchResult]]


class ImportRunner:
    """Runs a service's jobs of one kind, one at a time: claim, read, process in batches,
    commit. `abandon(job)` frees what rows from the job's cursor on left when it fails."""

    def __init__(self, jobs: ImportJobs, kind: str, process: Process, batch_rows: int,
                 abandon: Callable[[dict], Awaitable[None]] | None = None):
        self._jobs, self._kind, self._process = jobs, kind, process
        self._batch_rows, self._abandon = batch_rows, abandon
        self._worker = f"{socket.gethostname()}-{os.getpid()}"
        self._wake = asyncio.Event()
        self._task = BackgroundTask(f"imports-{kind}")
        for outcome in ("done", "failed"):  # exported at 0 from the start: `increase` sees the first job
            IMPORT_ROWS.labels(kind, outcome)
            IMPORT_JOBS.labels(kind, outcome)

    async def start(self) -> None:
        self._task.start(self._run())

    async def stop(self) -> None:
        await self._task.stop()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                job = await self._jobs.claim(self._kind, self._worker)
            except PyMongoError as exc:
                log.warning("import jobs unreachable: %r", exc)
                job = None
            if job is None:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), 2)
                except asyncio.TimeoutError:
                    pass
                continue
            try:
                await self._run_job(job)
            except Exception as exc:  # noqa: BLE001 - a bug in one job must not stop the others
                log.exception("import %s stopped", job["_id"])
                await self._fail(job, Path(job["file"]["path"]), f"internal error: {exc!r}")

    async def _run_job(self, job: dict) -> None:
        path = Path(job["file"]["path"])
        try:
            sheet = await asyncio.to_thread(Sheet, path, job["file"]["type"])
        except (SheetError, FileNotFoundError) as exc:
            return await self._fail(job, path, str(exc))
        try:
            expected = await asyncio.to_thread(sheet.expected_rows)
            await self._retry(job, lambda: self._jobs.set_total(job["_id"], expected))
            rows, cursor, seen = sheet.rows(), job["next_row"], job["done"] + job["failed"]
            while batch := await asyncio.to_thread(_next_batch, rows, cursor, self._batch_rows):
                result = await self._retry(job, lambda: self._process(job, batch))
                to_row = batch[-1][0] + 1
                if not await self._retry(job, lambda: self._jobs.commit(job, cursor, to_row, result)):
                    log.warning("import %s: lease lost, another worker goes on", job["_id"])
                    return
                IMPORT_ROWS.labels(self._kind, "done").inc(result.done)
                IMPORT_ROWS.labels(self._kind, "failed").inc(result.failed)
                cursor, seen = to_row, seen + result.done + result.failed
            await self._retry(job, lambda: self._jobs.end(job, "done", total=seen))
            IMPORT_JOBS.labels(self._kind, "done").inc()
        except SheetError as exc:
            return await self._fail(job, path, str(exc))
        finally:
            await asyncio.to_thread(sheet.close)
        await asyncio.to_thread(path.unlink, True)

    async def _fail(self, job: dict, path: Path, reason: str) -> None:
        log.warning("import %s failed: %s", job["_id"], reason)
        if self._abandon is not None:
            current = await self._retry(job, lambda: self._jobs.get(job["_id"]))
            await self._retry(job, lambda: self._abandon(current))
        await self._retry(job, lambda: self._jobs.end(job, "failed", reason=reason))
        IMPORT_JOBS.labels(self._kind, "failed").inc()
        await asyncio.to_thread(path.unlink, True)

    async def _retry(self, job: dict, step: Callable[[], Awaitable]):
        """Run `step` until the database and broker let it through (the lease stays ours)."""
        delay = 0.5
        while True:
            try:
                return await step()
            except (PyMongoError, BrokerUnavailable) as exc:
                log.warning("import %s waits %.1fs: %r", job["_id"], delay, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)
            try:
                await self._jobs.renew(job)
            except PyMongoError:
                pass


def _next_batch(rows: Iterator[Row], cursor: int, size: int) -> list[Row]:
    """Up to `size` rows from `cursor` on (rows before it were committed earlier)."""
    batch: list[Row] = []
    for row in rows:
        if row[0] >= cursor:
            batch.append(row)
            if len(batch) == size:
                break
    return batch

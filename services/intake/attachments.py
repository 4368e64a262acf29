"""A tip's files (a photo from the web form, a scan of a paper tip): uploaded first, hashed on
the way to disk and kept by intake under their SHA-256; a tip then names them by id and its
`tip.received` event carries each file's name, size and SHA-256, never the bytes.

An upload nobody attaches expires after `ATTACHMENT_TTL`. A tip claims its attachments before
its event is published and gives them back if the broker refuses it, so an attachment belongs to
at most one tip, and to none that was not accepted. A periodic sweep removes the expired uploads
and then every file that no attachment names any more."""
from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.common import http
from services.common.auth import CurrentUser, OptionalUser, require_role, require_scope
from services.common.errors import ApiError
from services.common.times import iso
from services.common.uploads import receive

from .domain import CROCKFORD, RECORDING_ROLES
from .ratelimit import client_of

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["attachments"])
ATTACHMENT_TTL = timedelta(hours=24)
# An upload writes its file before its document: a file younger than this may be one whose
# document is on its way, and the sweep leaves it alone.
UPLOAD_GRACE = timedelta(hours=1)
FILE_NAME, PARTIAL = re.compile(r"[0-9a-f]{64}"), ".upload-"
READING_ROLES = RECORDING_ROLES  # clerk, officer, commander, admin: within their unit


class AttachmentError(Exception):
    """Some attachments of a tip are unknown, expired or another tip's: `fields` names them."""

    def __init__(self, fields: list[dict]):
        super().__init__(fields)
        self.fields = fields


class Attachments:
    """The attachment documents `{_id, name, size, sha256, content_type, created_at, expires_at,
    tip_id, unit_code}` and the files, at `<dir>/<sha256>` (one copy per content)."""

    def __init__(self, db: AsyncDatabase, directory: Path):
        self._docs = db["attachments"]
        self.directory = directory

    async def create_indexes(self) -> None:
        await self._docs.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
        await self._docs.create_index([("tip_id", ASCENDING)], sparse=True)
        await self._docs.create_index([("sha256", ASCENDING)])

    async def add(self, doc: dict) -> None:
        await self._docs.insert_one(doc)

    async def get(self, attachment_id: str) -> dict | None:
        return await self._docs.find_one({"_id": attachment_id})

    async def claim(self, ids: list[str], *, tip_id: str, unit_code: str) -> list[dict]:
        """Give the attachments to the tip; all or none (AttachmentError names the others)."""
        if not ids:
            return []
        found = {d["_id"]: d for d in await self._docs.find({"_id": {"$in": ids}}).to_list()}
        problems = [{"field": f"attachments[{i}]", "reason": _problem(found.get(a), tip_id)}
                    for i, a in enumerate(ids) if _problem(found.get(a), tip_id)]
        if problems:
            raise AttachmentError(problems)
        result = await self._docs.update_many(
            {"_id": {"$in": ids}, "tip_id": {"$in": [None, tip_id]}},
            {"$set": {"tip_id": tip_id, "unit_code": unit_code}, "$unset": {"expires_at": ""}})
        if result.matched_count != len(ids):  # another tip took one meanwhile
            await self.release(ids, tip_id=tip_id)
            raise AttachmentError([{"field": "attachments", "reason": "an attachment was just attached to another tip"}])
        return [found[a] for a in ids]

    async def release(self, ids: list[str], *, tip_id: str) -> None:
        """Undo `claim` (the tip was not accepted): the uploads expire as if never attached."""
        if ids:
            await self._docs.update_many({"_id": {"$in": ids}, "tip_id": tip_id},
                                         {"$set": {"tip_id": None, "unit_code": None,
                                                   "expires_at": datetime.now(timezone.utc) + ATTACHMENT_TTL}})


    async def sweep(self, now: datetime | None = None) -> int:
        """Delete the uploads past their expiry (whether or not the database's TTL monitor got to
        them), then the files older than `UPLOAD_GRACE` that no attachment names and the partial
        uploads a killed process left; the number of files removed."""
        now = now or datetime.now(timezone.utc)
        await self._docs.delete_many({"tip_id": None, "expires_at": {"$lt": now}})
        cutoff = now.timestamp() - UPLOAD_GRACE.total_seconds()
        removed = 0
        for path in await asyncio.to_thread(self._old_files, cutoff):
            # a partial upload left by a killed process, or a file nobody names
            if path.name.startswith(PARTIAL) or await self._docs.find_one({"sha256": path.name}, {"_id": 1}) is None:
                # the same bytes uploaded again meanwhile replace the file (a new mtime): keep it
                if await asyncio.to_thread(_unlink_if_older, path, cutoff):
                    removed += 1
        if removed:
            log.info("removed %d attachment files no tip or upload names", removed)
        return removed

    def _old_files(self, cutoff: float) -> list[Path]:
        return [p for p in self.directory.iterdir()
                if (FILE_NAME.fullmatch(p.name) or p.name.startswith(PARTIAL)) and p.stat().st_mtime < cutoff]


def _unlink_if_older(path: Path, cutoff: float) -> bool:
    try:
        if path.stat().st_mtime >= cutoff:
            return False
        path.unlink()
        return True
    except FileNotFoundError:
        return False


def _problem(doc: dict | None, tip_id: str) -> str | None:
    if doc is None:
        return "no such attachment (unknown, or expired 24 h after its upload)"
    if doc.get("tip_id") not in (None, tip_id):
        return "is attached to another tip"
    return None


def event_files(docs: list[dict]) -> list[dict]:
    """What `tip.received` carries of each file."""
    return [{"attachment_id": d["_id"], "name": d["name"], "size": d["size"], "sha256": d["sha256"]} for d in docs]


def new_attachment_id() -> str:
    return "A-" + "".join(secrets.choice(CROCKFORD) for _ in range(26))


@router.post("/attachments", status_code=201, responses={413: {}, 422: {}, 429: {}, 503: {}},
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def upload(request: Request, user: OptionalUser) -> JSONResponse:
    """One file (multipart field `file`, up to ANTT_MAX_ATTACHMENT_BYTES) for a tip to come:
    201 `{"attachment_id", "name", "size", "sha256"}`; then `POST /tips` with
    `"attachments": [attachment_id, ...]` within 24 hours. Open to the public web form, whose
    uploads count toward the same per-client limit as its tips."""
    service = request.app.state.service
    if user is None:
        wait_s = service.web_limiter.take(client_of(request))
        if wait_s:
            raise ApiError(429, "too many uploads from this client; try again later",
                           headers={"Retry-After": service.web_limiter.retry_after(wait_s)})
    store: Attachments = service.attachments
    partial = store.directory / f"{PARTIAL}{secrets.token_hex(8)}"
    try:
        file = await receive(request, partial, http.body_limit(request).max_bytes)
        if file.size == 0:
            raise ApiError(422, "the file is empty", fields=[{"field": "file", "reason": "is empty"}])
        os.replace(partial, store.directory / file.sha256)
    finally:
        partial.unlink(missing_ok=True)
    now = datetime.now(timezone.utc)
    doc = {"_id": new_attachment_id(), "name": file.name[:255], "size": file.size, "sha256": file.sha256,
           "content_type": file.content_type, "created_at": now, "expires_at": now + ATTACHMENT_TTL,
           "tip_id": None, "unit_code": None}
    await store.add(doc)
    return JSONResponse({"attachment_id": doc["_id"], "name": doc["name"], "size": doc["size"],
                         "sha256": doc["sha256"], "expires_at": iso(doc["expires_at"])}, status_code=201)


@router.get("/attachments/{attachment_id}", responses={401: {}, 403: {}, 404: {}})
async def download(attachment_id: str, request: Request, user: CurrentUser) -> FileResponse:
    """The file of an attached tip's attachment, for staff of the tip's unit (as a download,
    never rendered by the browser)."""
    require_role(user, *READING_ROLES)
    store: Attachments = request.app.state.service.attachments
    doc = await store.get(attachment_id)
    if doc is None or doc.get("tip_id") is None:
        raise ApiError(404, f"no attachment {attachment_id}")
    require_scope(user, doc["unit_code"])
    return FileResponse(store.directory / doc["sha256"], media_type="application/octet-stream",
                        filename=doc["name"], headers={"X-Content-Type-Options": "nosniff"})

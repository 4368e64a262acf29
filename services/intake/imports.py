"""Bulk import of tips (leaflet and tip-box batches, legacy spreadsheets): `POST /tips/import`
takes a CSV or XLSX file, `GET /imports/{job_id}` shows the progress, and
`GET /imports/{job_id}/receipts` hands the receipt codes to the job's owner, once.

Each row is checked by the rules of `POST /tips` (domain.py). Its idempotency key is the file's
SHA-256 and the row number (`import_rows`, kept without expiry), so a re-upload of the file
adds nothing. Its tip id, receipt and event id are derived from a secret of the job and the row
number: a batch replayed after a crash writes the same receipts and the same events (consumers
ignore repeats). The secret is sealed in the job until the receipts are downloaded."""
from __future__ import annotations

import asyncio
import csv
import hmac
import io
import secrets
import uuid
from collections.abc import AsyncIterator
from functools import lru_cache
from datetime import datetime, timezone
from hashlib import sha512

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError

from services.common import commands, contracts, imports, sheets, tip_columns, units
from services.common.auth import CurrentUser, Principal, require_role
from services.common.errors import ApiError, validation_fields
from services.common.metrics import TIPS_RECEIVED, unit_labels
from services.common.times import iso

from . import codes, domain
from .activities_domain import IMPORT_KIND as ACTIVITY_KIND, IMPORT_PREFIX as ACTIVITY_JOBS

router = APIRouter(prefix="/api/v1", tags=["imports"])
KIND = "tips"
TIPS = contracts.topic("tips.received")
COLUMNS = tip_columns.NAMES  # or their Vietnamese headers ("nội dung", "mã đơn vị", …)
REQUIRED = ("channel", "content")


def check_columns(columns: list[str]) -> list[dict]:
    """The header's problems: unknown, repeated or missing columns (Vietnamese headers read as
    their English names)."""
    columns = [tip_columns.canonical(c) for c in columns]
    fields = sheets.header_problems(columns, COLUMNS, REQUIRED)
    if "unit_code" not in columns and "location" not in columns and not {"lat", "lon"} <= set(columns):
        fields.append({"field": "unit_code", "reason": "is a required column unless lat and lon (or location) are",
                       "code": "unit_or_location_column"})
    return fields


def submission(cells: dict[str, object]) -> commands.TipSubmission:
    """A row as the body of `POST /tips`; raises pydantic's ValidationError."""
    body = {k: sheets.as_text(v) for k, v in cells.items()
            if v is not None and k not in ("lat", "lon", "location") and not k.startswith("contact_")}
    if cells.get("location") is not None:
        lat, _, lon = str(cells["location"]).partition(",")
        body["location"] = {"lat": lat.strip(), "lon": lon.strip()}
    elif cells.get("lat") is not None or cells.get("lon") is not None:
        body["location"] = {"lat": cells.get("lat"), "lon": cells.get("lon")}
    contact = {k.removeprefix("contact_"): sheets.as_text(v) for k, v in cells.items()
               if k.startswith("contact_") and v is not None}
    if contact:
        body["contact"] = contact
    return commands.TipSubmission.model_validate(body)


def _column(field: str, cells: dict[str, object]) -> str:
    """The column a model field came from (location.lat → lat, contact.name → contact_name)."""
    if field.startswith("location.") and cells.get("location") is None:
        return field.removeprefix("location.")
    return field.split(".")[0] if field.startswith("location") else field.replace("contact.", "contact_")


def check_row(row: int, cells: dict[str, object], user: Principal,
              now: datetime) -> tuple[commands.TipSubmission, units.Placement] | list[dict]:
    """The tip and its unit, or the row's errors `{row, field, reason, code}`."""
    cells = {tip_columns.canonical(name): value for name, value in cells.items()}
    try:
        tip = submission(cells)
        domain.check_access(tip, user)
        domain.check_fields(tip, now)
        return tip, domain.resolve_unit(tip, user)
    except ValidationError as exc:
        fields = validation_fields(exc.errors())
    except ApiError as exc:
        fields = exc.fields or [{"field": "unit_code" if cells.get("unit_code") else "location", "reason": exc.message,
                                 "code": exc.code}]
    return [{**f, "row": row, "field": _column(f["field"], cells)} for f in fields]


@lru_cache(maxsize=16)
def _tip_id_prefix(created_ms: int) -> str:
    """`T-` and the time part of a tip id (domain.new_tip_id), the job's creation time."""
    return domain.new_tip_id(created_ms)[:-16]


def derive(key: bytes, row: int, created_ms: int) -> tuple[str, codes.Code, str]:
    """The row's tip id, receipt code and event id: the same whenever its batch is replayed."""
    digest = hmac.new(key, str(row).encode(), sha512).digest()
    n = int.from_bytes(digest[:32], "big")
    tip_id = _tip_id_prefix(created_ms) + "".join(domain.CROCKFORD[(n >> (5 * i)) & 31] for i in range(16))
    code = codes.code_of(int.from_bytes(digest[48:64], "big"))  # 128 bits mod 10^16: no visible bias
    return tip_id, code, str(uuid.UUID(bytes=digest[32:48], version=4))


class TipImports:
    """The service's part of a job: its batches (`process`) and its clean-up (`abandon`)."""

    def __init__(self, service):
        self._service = service

    def _prepare(self, job: dict, batch: list[sheets.Row]) -> tuple[list[dict], list[dict]]:
        sealer, owner = self._service.sealer, Principal(**job["owner"])
        key = sealer.open(job["receipts_key"]).encode()
        created = job["created_at"]
        now = datetime.now(timezone.utc)
        good, errors, row_codes = [], [], []
        for row, cells in batch:
            checked = check_row(row, cells, owner, now)
            if isinstance(checked, list):
                errors += checked
                continue
            tip, placement = checked
            tip_id, code, event_id = derive(key, row, int(created.timestamp() * 1000))
            row_codes.append(code)
            contact = tip.contact.model_dump_json() if tip.contact and not tip.anonymous else None
            event = contracts.make_event(
                "tip.received/1", subject=tip_id, source="intake", event_id=event_id, time=iso(created),
                data=domain.event_data(tip, tip_id=tip_id, placement=placement,
                                       received_at=tip.received_at or created, recorded_at=created))
            good.append({"row": row, "key": f"{job['file']['sha256']}:{row}", "tip_id": tip_id,
                         "channel": tip.channel, "event": event,
                         "receipt": {"tip_id": tip_id, "unit_code": placement.scope, "created_at": created,
                                     "contact": sealer.seal(contact) if contact else None}})
        for g, receipt_key in zip(good, self._service.receipt_hasher.keys(row_codes)):
            g["receipt"]["_id"] = receipt_key
        return good, errors

    async def process(self, job: dict, batch: list[sheets.Row]) -> imports.BatchResult:
        """Reserve the rows' keys, write their receipts, publish their events in one
        transaction. Rows another job imported count as done; a replayed batch is harmless."""
        good, errors = await asyncio.to_thread(self._prepare, job, batch)
        store = self._service.store
        taken = await store.reserve_import_rows(
            [{"_id": g["key"], "job_id": job["_id"], "row": g["row"], "tip_id": g["tip_id"]} for g in good])
        already = [g for g in good if g["key"] in taken and taken[g["key"]]["job_id"] != job["_id"]]
        mine = [g for g in good if g not in already]
        clashes = await store.insert_import_receipts([g["receipt"] for g in mine])
        lost = [g for g in mine if clashes.get(g["receipt"]["_id"], g["tip_id"]) != g["tip_id"]]
        if lost:  # a receipt code already in use (drawn twice in 10^16): the row can be imported again
            await store.release_import_rows([g["key"] for g in lost])
            errors += [{"row": g["row"], "field": "receipt", "reason": "its receipt code collided; import the file again",
                        "code": "receipt_collision"}
                       for g in lost]
        mine = [g for g in mine if g not in lost]
        if mine:
            await self._service.publisher.publish_many(TIPS, [g["event"] for g in mine])
        for g in mine:
            TIPS_RECEIVED.labels(channel=g["channel"], **unit_labels(g["receipt"]["unit_code"])).inc()
        return imports.BatchResult(done=len(mine) + len(already), already=len(already),
                                   failed=len({e["row"] for e in errors}), errors=sorted(errors, key=lambda e: e["row"]))

    async def abandon(self, job: dict) -> None:
        await self._service.store.abandon_import_rows(job["_id"], job["next_row"])


@router.post("/tips/import", status_code=202, responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}},
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def import_tips(request: Request, user: CurrentUser) -> JSONResponse:
    """Upload a CSV (UTF-8, `,` or `;`) or XLSX file whose first row names the columns
    (channel, content, unit_code, unit_era, lat, lon or location "lat,lon", occurred_at, received_at,
    category, programme_code, anonymous, contact_name, contact_phone, contact_email); each
    further row is one tip, checked as `POST /tips` checks it, in your unit only."""
    require_role(user, *domain.RECORDING_ROLES)
    service = request.app.state.service
    job_id = f"I-{domain.new_tip_id()[2:]}"
    upload = await imports.accept_upload(request, service.imports, KIND, job_id, check_columns)
    key = service.sealer.seal(secrets.token_urlsafe(32))
    await service.imports.create(job_id, kind=KIND, owner=user.as_actor(), upload=upload,
                                 now=datetime.now(timezone.utc), extra={"receipts_key": key})
    service.import_runner.wake()
    return JSONResponse({"job_id": job_id}, status_code=202)


@router.get("/imports/{job_id}", responses={404: {}})
async def import_status(job_id: str, request: Request, user: CurrentUser) -> dict:
    """Progress: status (queued, running, done, failed), total, done, failed, and the first
    bad rows with their field and reason (`errors_total` counts them all); tip and activity
    (`IA-`) jobs."""
    kind = ACTIVITY_KIND if job_id.startswith(ACTIVITY_JOBS) else KIND
    job = imports.visible(await request.app.state.service.imports.get(job_id), user, job_id, kind)
    view = imports.public_view(job)
    if kind == KIND:
        view["receipts"] = "available" if "receipts_key" in job else "downloaded"
    return view


@router.get("/imports/{job_id}/receipts", responses={404: {}, 409: {}, 410: {}})
async def import_receipts(job_id: str, request: Request, user: CurrentUser) -> StreamingResponse:
    """CSV `row,tip_id,receipt_code` of the tips this job created, for its owner, once: after
    a complete download only the codes' hashes remain."""
    service = request.app.state.service
    job = imports.visible(await service.imports.get(job_id), user, job_id, KIND)
    if job["owner"]["username"] != user.username:
        raise ApiError(403, "only the user who imported the file may take its receipts")
    if job["status"] in imports.ACTIVE:
        raise ApiError(409, "the import is not finished yet", headers={"Retry-After": "5"})
    sealed = await service.imports.take(job_id, "receipts_key", {"status": {"$nin": list(imports.ACTIVE)}})
    if sealed is None:
        raise ApiError(410, "the receipts of this import were downloaded already", code="gone")
    key, created_ms = service.sealer.open(sealed).encode(), int(job["created_at"].timestamp() * 1000)

    async def lines() -> AsyncIterator[bytes]:
        complete = False
        try:
            yield b"row,tip_id,receipt_code\r\n"
            async for batch in service.store.import_rows_of(job_id):
                out = io.StringIO()
                writer = csv.writer(out)
                for r in batch:
                    writer.writerow([r["row"], r["tip_id"], derive(key, r["row"], created_ms)[1].text])
                yield out.getvalue().encode()
            complete = True
        finally:
            if not complete:  # the download broke off: the owner may try again
                await service.imports.put_back(job_id, "receipts_key", sealed)

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"content-disposition": f'attachment; filename="{job_id}-receipts.csv"'})

"""Bulk import of a camera registry: `POST /cameras/import` takes a CSV or XLSX file whose
columns are those of `POST /cameras`, flattened; `GET /imports/{job_id}` shows the progress. The
job machinery (upload, lease, batches, saved position) is services/common/imports.py.

Each row is checked by the rules of `POST /cameras` (domain.py), within the uploader's unit.
A batch's good rows are upserted by camera_id, each new camera with its `camera.registered`
event in its outbox (so no camera exists without its event); the batch's new events are then
published in one transaction and taken out of the outboxes, and the outbox sweep publishes
whatever a crash or a broker outage left there. An existing camera is never changed: it counts
as already imported, unless it is the same job's row replayed after a crash (then it is done)."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.common import contracts, imports, sheets
from services.common.auth import CurrentUser, Principal, require_role
from services.common.errors import ApiError, validation_fields
from services.common.kafka import BrokerUnavailable

from . import domain

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["imports"])
KIND = "cameras"
CAMERAS = contracts.topic("cameras")
COLUMNS = ("camera_id", "unit_code", "lat", "lon", "owner_kind", "owner_name", "owner_contact",
           "programme_code", "retention_days", "status", "installed_at")
REQUIRED = ("camera_id", "unit_code", "lat", "lon", "owner_kind", "owner_name", "retention_days", "installed_at")
TEXT_COLUMNS = ("camera_id", "unit_code", "owner_name", "owner_contact", "programme_code")


def check_columns(columns: list[str]) -> list[dict]:
    """The header's problems: unknown, repeated or missing columns."""
    return sheets.header_problems(columns, COLUMNS, REQUIRED)


def camera_in(cells: dict[str, object]) -> domain.CameraIn:
    """A row as the body of `POST /cameras`; raises pydantic's ValidationError."""
    cell = {k: sheets.as_text(v) if k in TEXT_COLUMNS else v for k, v in cells.items() if v is not None}
    body = {k: cell[k] for k in ("camera_id", "unit_code", "programme_code", "retention_days",
                                 "status", "installed_at") if k in cell}
    body["location"] = {k: cell[k] for k in ("lat", "lon") if k in cell}
    body["owner"] = {k: cell[f"owner_{k}"] for k in ("kind", "name", "contact") if f"owner_{k}" in cell}
    return domain.CameraIn.model_validate(body)


def _column(field: str) -> str:
    """The column a model field came from: location.lat → lat, owner.kind → owner_kind."""
    head, _, rest = field.partition(".")
    return {"location": rest, "owner": f"owner_{rest}"}.get(head, field) if rest else field


def check_row(row: int, cells: dict[str, object], user: Principal,
              now: datetime) -> tuple[domain.CameraIn, list[str]] | list[dict]:
    """The camera and its unit path, or the row's errors `{row, field, reason}`."""
    try:
        camera = camera_in(cells)
        return camera, domain.check_camera(camera, user, now)
    except ValidationError as exc:
        fields = validation_fields(exc.errors())
    except ApiError as exc:
        fields = exc.fields or [{"field": "unit_code", "reason": exc.message}]
    return [{"row": row, "field": _column(f["field"]), "reason": f["reason"]} for f in fields]


def prepare(job_id: str, batch: list[sheets.Row], owner: Principal,
            now: datetime) -> tuple[list[tuple[int, dict]], list[dict]]:
    """The batch's good rows as (row, camera document with its event in the outbox), and the
    errors of the others; a camera_id repeated within the batch is an error of the later row."""
    good, errors, first_row = [], [], {}
    for row, cells in batch:
        checked = check_row(row, cells, owner, now)
        if isinstance(checked, list):
            errors += checked
            continue
        camera, unit_path = checked
        if camera.camera_id in first_row:
            errors.append({"row": row, "field": "camera_id", "reason": f"repeats row {first_row[camera.camera_id]}"})
            continue
        first_row[camera.camera_id] = row
        doc = {**domain.camera_doc(camera, unit_path, now), "imported": {"job": job_id, "row": row}}
        doc["outbox"] = [contracts.make_event("camera.registered/1", subject=camera.camera_id, source="extraction",
                                              data=domain.camera_registered_data(doc)).to_dict()]
        good.append((row, doc))
    return good, errors


def judge_existing(row: int, existing: dict, job_id: str, owner: Principal) -> str | dict:
    """A good row whose camera was there before this batch: "done" (this row, replayed after a
    crash), "already" (registered earlier, in the uploader's unit), or the row's error."""
    mark = existing.get("imported") or {}
    if mark == {"job": job_id, "row": row}:
        return "done"
    if mark.get("job") == job_id:
        return {"row": row, "field": "camera_id", "reason": f"repeats row {mark['row']}"}
    if not owner.covers(existing["unit_code"]):
        return {"row": row, "field": "camera_id", "reason": "is registered in another unit"}
    return "already"


class CameraImports:
    """The service's import jobs, their runner, and its part of a job: a batch (`process`)."""

    def __init__(self, service):
        self._service = service
        settings = service.settings
        self.jobs = imports.ImportJobs(service.store.import_jobs, settings.import_errors_kept)
        self.runner = imports.ImportRunner(self.jobs, KIND, self.process, settings.import_batch_rows)

    async def start(self) -> None:
        await self.jobs.create_indexes()
        await self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()

    async def process(self, job: dict, batch: list[sheets.Row]) -> imports.BatchResult:
        """Insert the new cameras with their events, publish those events; a replay is harmless."""
        owner = Principal(**job["owner"])
        good, errors = await asyncio.to_thread(prepare, job["_id"], batch, owner, datetime.now(timezone.utc))
        store = self._service.store
        new = await store.insert_new_cameras([doc for _, doc in good])
        existing = await store.import_marks([doc["_id"] for _, doc in good if doc["_id"] not in new])
        done = already = 0
        for row, doc in good:
            verdict = "done" if doc["_id"] in new else judge_existing(row, existing[doc["_id"]], job["_id"], owner)
            if isinstance(verdict, dict):
                errors.append(verdict)
            else:
                done, already = done + 1, already + (verdict == "already")
        await self._publish([doc for _, doc in good if doc["_id"] in new])
        return imports.BatchResult(done=done, already=already, failed=len({e["row"] for e in errors}),
                                   errors=sorted(errors, key=lambda e: e["row"]))

    async def _publish(self, docs: list[dict]) -> None:
        """The new cameras' events in one transaction; if the broker is down the sweep sends them."""
        if not docs:
            return
        events = [e for doc in docs for e in doc["outbox"]]
        try:
            await self._service.publisher.publish_many(CAMERAS, [contracts.validate(e) for e in events])
        except BrokerUnavailable as exc:
            log.warning("%d camera event(s) stay in the outbox: %s", len(events), exc)
            return
        await self._service.store.clear_outboxes([d["_id"] for d in docs], [e["id"] for e in events])


@router.post("/cameras/import", status_code=202, responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}},
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def import_cameras(request: Request, user: CurrentUser) -> JSONResponse:
    """Upload a CSV (UTF-8, `,` or `;`) or XLSX file whose first row names the columns
    (camera_id, unit_code, lat, lon, owner_kind, owner_name, owner_contact, programme_code,
    retention_days, status, installed_at); each further row is one camera, checked as
    `POST /cameras` checks it, in your unit only. Cameras already registered are left as they are."""
    require_role(user, *domain.REGISTERING_ROLES)
    camera_imports = request.app.state.service.camera_imports
    job_id = imports.CAMERA_JOB_PREFIX + domain.new_extraction_id()[2:]
    upload = await imports.accept_upload(request, camera_imports.jobs, KIND, job_id, check_columns)
    await camera_imports.jobs.create(job_id, kind=KIND, owner=user.as_actor(), upload=upload,
                                     now=datetime.now(timezone.utc))
    camera_imports.runner.wake()
    return JSONResponse({"job_id": job_id}, status_code=202)


@router.get("/imports/{job_id}", responses={404: {}})
async def import_status(job_id: str, request: Request, user: CurrentUser) -> dict:
    """Progress of a camera import: status, total, done, failed, already_imported, and the
    first bad rows with their field and reason (`errors_total` counts them all)."""
    return imports.public_view(imports.visible(await request.app.state.service.camera_imports.jobs.get(job_id),
                                               user, job_id, KIND))

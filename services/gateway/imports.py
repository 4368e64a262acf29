"""Bulk imports, forwarded as streams to the service that imports (tips: intake, cameras:
camera-extraction): the upload (up to ANTT_MAX_IMPORT_BYTES, past the gateway's usual body
limit) and the receipts' CSV are never held whole in memory. A job's id names its service: camera
jobs start with `IC-`, and `GET /imports/{job_id}` goes to camera-extraction for them, to intake
for the others."""
from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response

from services.common.imports import MULTIPART_SLACK, ImportSettings
from services.common.settings import ServiceSettings
from services.extraction.camera_import import JOB_PREFIX as CAMERA_JOBS

from .forward import forward, forward_stream

router = APIRouter(prefix="/api/v1", tags=["imports"])
UPLOAD_PATHS = ("/api/v1/tips/import", "/api/v1/cameras/import")
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


def body_limit(settings: ServiceSettings) -> Callable[[Request], int]:
    """The gateway's `body_limit` hook: uploads may be as large as an import allows."""
    upload_limit = ImportSettings().max_import_bytes + MULTIPART_SLACK

    def limit(request: Request) -> int:
        return upload_limit if request.url.path in UPLOAD_PATHS else settings.max_body_bytes
    return limit


@router.post("/tips/import", status_code=202, openapi_extra=UPLOAD_BODY,
             responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 503: {}})
async def import_tips(request: Request) -> Response:
    """A CSV or XLSX file of tips (multipart field `file`) → 202 `{"job_id"}` (see intake for
    the columns and rules)."""
    return await forward_stream(request, "intake", ImportSettings().max_import_bytes + MULTIPART_SLACK)


@router.post("/cameras/import", status_code=202, openapi_extra=UPLOAD_BODY,
             responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 503: {}})
async def import_cameras(request: Request) -> Response:
    """A CSV or XLSX file of cameras (multipart field `file`, columns as `POST /cameras` with
    lat, lon and owner_kind, owner_name, owner_contact) → 202 `{"job_id"}` (see camera-extraction)."""
    return await forward_stream(request, "extraction", ImportSettings().max_import_bytes + MULTIPART_SLACK)


@router.get("/imports/{job_id}", responses={404: {}})
async def import_status(job_id: str, request: Request) -> Response:
    """`{"status", "total", "done", "failed", "errors": [{"row", "field", "reason"}], ...}`."""
    return await forward(request, "extraction" if job_id.startswith(CAMERA_JOBS) else "intake")


@router.get("/imports/{job_id}/receipts", responses={403: {}, 404: {}, 409: {}, 410: {}})
async def import_receipts(job_id: str, request: Request) -> Response:
    """CSV `row,tip_id,receipt_code` for the job's owner, once."""
    return await forward_stream(request, "intake", 0)

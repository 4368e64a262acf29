"""Uploads, forwarded as streams: tips' attachments (to intake, up to ANTT_MAX_ATTACHMENT_BYTES),
and bulk imports to the service that imports (tips: intake, cameras: camera-extraction; up to
ANTT_MAX_IMPORT_BYTES). Past the gateway's usual body limit (see `large_bodies` in app.py), the
uploads, the downloads and the receipts' CSV are never held whole in memory. A job's id names
its service: camera jobs start with `IC-` (common.imports.CAMERA_JOB_PREFIX), and
`GET /imports/{job_id}` goes to camera-extraction for them, to intake for the others."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.common.imports import CAMERA_JOB_PREFIX

from .forward import forward, forward_stream

router = APIRouter(prefix="/api/v1", tags=["imports"])
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.post("/tips/import", status_code=202, openapi_extra=UPLOAD_BODY,
             responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 503: {}})
async def import_tips(request: Request) -> Response:
    """A CSV or XLSX file of tips (multipart field `file`) → 202 `{"job_id"}` (see intake for
    the columns and rules)."""
    return await forward_stream(request, "intake")


@router.post("/cameras/import", status_code=202, openapi_extra=UPLOAD_BODY,
             responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 503: {}})
async def import_cameras(request: Request) -> Response:
    """A CSV or XLSX file of cameras (multipart field `file`, columns as `POST /cameras` with
    lat, lon and owner_kind, owner_name, owner_contact) → 202 `{"job_id"}` (see camera-extraction)."""
    return await forward_stream(request, "extraction")


@router.post("/attachments", status_code=201, openapi_extra=UPLOAD_BODY, tags=["attachments"],
             responses={413: {}, 422: {}, 429: {}, 503: {}})
async def upload_attachment(request: Request) -> Response:
    """A tip's file (multipart field `file`, a photo from the web form too) → 201
    `{"attachment_id", "name", "size", "sha256"}`, for `POST /tips` `attachments` (see intake)."""
    return await forward_stream(request, "intake")


@router.get("/attachments/{attachment_id}", tags=["attachments"], responses={401: {}, 403: {}, 404: {}})
async def download_attachment(attachment_id: str, request: Request) -> Response:
    """The file of a tip's attachment, for staff of the tip's unit."""
    return await forward_stream(request, "intake")


@router.get("/imports/{job_id}", responses={404: {}})
async def import_status(job_id: str, request: Request) -> Response:
    """`{"status", "total", "done", "failed", "errors": [{"row", "field", "reason"}], ...}`."""
    return await forward(request, "extraction" if job_id.startswith(CAMERA_JOB_PREFIX) else "intake")


@router.get("/imports/{job_id}/receipts", responses={403: {}, 404: {}, 409: {}, 410: {}})
async def import_receipts(job_id: str, request: Request) -> Response:
    """CSV `row,tip_id,receipt_code` for the job's owner, once."""
    return await forward_stream(request, "intake")

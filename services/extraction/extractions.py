"""HTTP of camera-extraction, the evidence: `/api/v1/extractions`, their files, custody chain
and signed manifest. Every change appends to the chain and queues its events in one write."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common import audit, contracts, units
from services.common.auth import CurrentUser, Principal, require_role, require_scope
from services.common.errors import ApiError
from services.common.metrics import CUSTODY_EVENTS, EXTRACTIONS_LOGGED, unit_labels
from services.common.times import iso, now_utc

from . import chain, domain, files
from .api import guard_db, scope_of

router = APIRouter(prefix="/api/v1", tags=["extractions"])
MAX_PAGE = 100
RETRIES = 5


def custody_event(doc_id: str, unit_code: str, entry: dict) -> dict:
    return contracts.make_event("custody.recorded/1", subject=doc_id, source="extraction", data={
        "extraction_id": doc_id, "unit_code": unit_code, "seq": entry["seq"], "action": entry["action"],
        "at": entry["at"], "sha256": entry["sha256"], "prev_sha256": entry["prev_sha256"],
        "to_unit_code": entry["details"].get("to_unit_code")}).to_dict()


def count_custody(entries: list[dict]) -> None:
    for entry in entries:
        CUSTODY_EVENTS.labels(entry["action"]).inc()


async def audit_custody(request: Request, user: Principal, extraction_id: str, entries: list[dict]) -> None:
    for entry in entries:
        await audit.record(request, "extraction", user, f"custody.{entry['action']}", extraction_id,
                           {"seq": entry["seq"]})


def view(doc: dict) -> dict:
    return {**doc["record"], "files": doc["files"], "custody_length": len(doc["custody"]),
            "custody_head_sha256": doc["custody"][-1]["sha256"]}


async def _visible(request: Request, user: Principal, extraction_id: str) -> dict:
    doc = await guard_db(request.app.state.service.store.extraction(extraction_id))
    if doc is None:
        raise ApiError(404, f"no extraction {extraction_id}")
    require_scope(user, doc["record"]["unit_code"])
    return doc


async def append(request: Request, user: Principal, doc: dict, steps: list[tuple[str, dict]],
                 new_files: list[dict] = ()) -> dict:
    """Append entries to the chain (re-reading on a concurrent append); publish their events."""
    service = request.app.state.service
    for _ in range(RETRIES):
        domain.check_open(doc["custody"])
        if any(f["name"] in {g["name"] for g in doc["files"]} for f in new_files):
            raise ApiError(409, "the extraction has a file of that name",
                           fields=[{"field": "name", "reason": "is taken"}])
        entries = list(doc["custody"])
        for action, details in steps:
            entries.append(chain.next_entry(entries, action=action, at=now_utc(),
                                            actor=user.as_actor(), details=details))
        added = entries[len(doc["custody"]):]
        events = [custody_event(doc["_id"], doc["record"]["unit_code"], e) for e in added]
        updated = await guard_db(service.store.append(doc, entries=added, files=list(new_files), events=events))
        if updated is not None:
            count_custody(added)
            await audit_custody(request, user, doc["_id"], added)
            await service.extraction_outbox.flush(doc["_id"], updated["outbox"])
            return updated
        doc = await guard_db(service.store.extraction(doc["_id"]))
    raise ApiError(409, "the extraction is being changed by others; try again", headers={"Retry-After": "1"})


@router.post("/extractions", status_code=201)
async def log_extraction(body: domain.ExtractionIn, request: Request, user: CurrentUser) -> dict:
    """Log an extraction with the files registered by hash; 201 `{"extraction_id", ...}`."""
    require_role(user, *domain.EXTRACTING_ROLES)
    service = request.app.state.service
    now = datetime.now(timezone.utc)
    camera = await guard_db(service.store.camera(body.camera_id))
    extracted_at = domain.check_extraction(body, camera, user, now)
    extraction_id = domain.new_extraction_id()
    record = domain.extraction_record(body, extraction_id=extraction_id, camera=camera, user=user,
                                      extracted_at=extracted_at, now=now)
    file_docs = [{**f.model_dump(), "stored": False} for f in body.files]
    entries = [chain.next_entry([], action="created", at=iso(now), actor=user.as_actor(), details=record)]
    for f in file_docs:
        entries.append(chain.next_entry(entries, action="file_added", at=iso(now), actor=user.as_actor(),
                                        details={"file": f}))
    unit_path = units.path(camera["unit_code"])
    logged = contracts.make_event("extraction.logged/1", subject=extraction_id, source="extraction",
                                  data=domain.extraction_logged_data(record, unit_path, len(file_docs)))
    doc = {"_id": extraction_id, "record": record, "unit_path": unit_path, "created_at": now,
           "files": file_docs, "custody": entries, "custody_seq": len(entries),
           "outbox": [logged.to_dict()] + [custody_event(extraction_id, camera["unit_code"], e) for e in entries]}
    await guard_db(service.store.add_extraction(doc))
    EXTRACTIONS_LOGGED.labels(**unit_labels(camera["unit_code"]), export_method=body.export_method).inc()
    count_custody(entries)
    await audit_custody(request, user, extraction_id, entries)
    await service.extraction_outbox.flush(extraction_id, doc["outbox"])
    return {"extraction_id": extraction_id, **view(doc)}


@router.get("/extractions")
async def list_extractions(request: Request, user: CurrentUser,
                           unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")] = None,
                           camera_id: Annotated[str | None, Query(max_length=64)] = None,
                           case_id: Annotated[str | None, Query(max_length=64)] = None,
                           tip_id: Annotated[str | None, Query(max_length=64)] = None,
                           page: Annotated[int, Query(ge=1, le=100000)] = 1,
                           page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20) -> dict:
    require_role(user, *domain.VIEWING_ROLES)
    scope = scope_of(user, unit_code)
    filters = {k: v for k, v in (("camera_id", camera_id), ("case_id", case_id), ("tip_id", tip_id)) if v}
    docs, total = await guard_db(request.app.state.service.store.find_extractions(
        scope=scope, filters=filters, skip=(page - 1) * page_size, limit=page_size))
    return {"items": [view(d) for d in docs], "page": page, "page_size": page_size, "total": total}


@router.get("/extractions/manifest-key")
async def manifest_key(request: Request) -> dict:
    """The public key that verifies manifests (give it to the verifier's --public-key)."""
    return {"alg": "Ed25519", "public_key": chain.public_key_b64(request.app.state.service.manifest_key)}


@router.get("/extractions/{extraction_id}")
async def get_extraction(extraction_id: str, request: Request, user: CurrentUser) -> dict:
    """One extraction; the view itself is recorded in the custody chain."""
    require_role(user, *domain.VIEWING_ROLES)
    doc = await _visible(request, user, extraction_id)
    if doc["custody"][-1]["action"] != "disposed":
        doc = await append(request, user, doc, [("viewed", {})])
    return view(doc)


@router.get("/extractions/{extraction_id}/custody")
async def get_custody(extraction_id: str, request: Request, user: CurrentUser) -> dict:
    require_role(user, *domain.VIEWING_ROLES)
    doc = await _visible(request, user, extraction_id)
    return {"extraction_id": extraction_id, "entries": doc["custody"]}


@router.post("/extractions/{extraction_id}/custody", status_code=201)
async def record_custody(extraction_id: str, body: domain.CustodyIn, request: Request,
                         user: CurrentUser) -> dict:
    """Append a view, transfer (to a person or unit), export or disposal to the chain."""
    require_role(user, *domain.VIEWING_ROLES)
    doc = await _visible(request, user, extraction_id)
    domain.check_custody(body)
    details = body.model_dump(exclude={"action"}, exclude_none=True)
    doc = await append(request, user, doc, [(body.action, details)])
    return doc["custody"][-1]


@router.post("/extractions/{extraction_id}/files/register", status_code=201)
async def register_file(extraction_id: str, body: domain.FileRef, request: Request, user: CurrentUser) -> dict:
    """A file that stays on the operator's media: only its name, size and SHA-256."""
    require_role(user, *domain.EXTRACTING_ROLES)
    doc = await _visible(request, user, extraction_id)
    entry = {**body.model_dump(), "stored": False}
    doc = await append(request, user, doc, [("file_added", {"file": entry})], [entry])
    return doc["custody"][-1]


@router.post("/extractions/{extraction_id}/files", status_code=201)
async def upload_file(extraction_id: str, request: Request, user: CurrentUser) -> dict:
    """Upload one file (multipart field `file`): streamed to disk and hashed as it arrives."""
    require_role(user, *domain.EXTRACTING_ROLES)
    service = request.app.state.service
    doc = await _visible(request, user, extraction_id)
    directory = Path(service.settings.files_dir) / service.settings.mongo_db_prefix / extraction_id
    stored = await files.receive(request, directory, service.settings.max_file_bytes)
    entry = {"name": stored.name, "size": stored.size, "sha256": stored.sha256, "stored": True}
    try:
        doc = await append(request, user, doc, [("file_added", {"file": entry})], [entry])
    except ApiError:
        if stored.sha256 not in {f["sha256"] for f in doc["files"]}:
            stored.path.unlink(missing_ok=True)
        raise
    return doc["custody"][-1]


@router.get("/extractions/{extraction_id}/manifest")
async def manifest(extraction_id: str, request: Request, user: CurrentUser) -> dict:
    """The extraction, its files' hashes and the custody chain, signed with Ed25519."""
    require_role(user, *domain.VIEWING_ROLES)
    doc = await _visible(request, user, extraction_id)
    body = {"manifest_version": 1, "extraction": doc["record"], "files": doc["files"],
            "custody": doc["custody"], "issued_at": now_utc(), "issued_to": user.username}
    await audit.record(request, "extraction", user, "manifest.exported", extraction_id,
                       {"custody_length": len(doc["custody"])})
    return chain.sign(body, request.app.state.service.manifest_key)

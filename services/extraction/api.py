"""HTTP of camera-extraction, the registry: `/api/v1/cameras` and the "footage at risk" list."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pymongo.errors import PyMongoError

from services.common import audit, contracts, units
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError, unavailable
from services.common.times import iso, zoned

from . import domain
from .store import CameraExists

router = APIRouter(prefix="/api/v1", tags=["cameras"])
MAX_PAGE = 200
MAX_RADIUS_M = 50_000
RETRIES = 5
Unit = Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")]


def scope_of(user, unit_code: str | None) -> str:
    scope = unit_code or user.unit_code
    if units.get(scope) is None:
        raise domain.invalid(("unit_code", f"no administrative unit has code {scope}"))
    require_scope(user, scope)
    return scope


async def guard_db(awaitable):
    try:
        return await awaitable
    except PyMongoError:
        raise unavailable("the database") from None


@router.post("/cameras", status_code=201)
async def register_camera(body: domain.CameraIn, request: Request, user: CurrentUser) -> dict:
    """Register one camera; its `camera.registered` event leaves through the outbox."""
    require_role(user, *domain.REGISTERING_ROLES)
    now = datetime.now(timezone.utc)
    unit_path = domain.check_camera(body, user, now)
    service = request.app.state.service
    doc = domain.camera_doc(body, unit_path, now)
    event = contracts.make_event("camera.registered/1", subject=body.camera_id, source="extraction",
                                 data=domain.camera_registered_data(doc))
    doc["outbox"] = [event.to_dict()]
    try:
        await guard_db(service.store.add_camera(doc))
    except CameraExists:
        raise ApiError(409, f"camera {body.camera_id} is registered",
                       fields=[{"field": "camera_id", "reason": "is taken"}]) from None
    await service.camera_outbox.flush(body.camera_id, doc["outbox"])
    return domain.camera_view(doc, user)


@router.patch("/cameras/{camera_id}", responses={403: {}, 404: {}, 409: {}, 422: {}})
async def change_camera(camera_id: str, body: domain.CameraChange, request: Request, user: CurrentUser) -> dict:
    """Change a camera's `status` (working / broken), `retention_days`, `programme_code` (null:
    none) or `owner` (replaced whole); its `camera.updated` event (the next version) leaves
    through the outbox. Values the camera already has change nothing and send no event."""
    require_role(user, *domain.REGISTERING_ROLES)
    domain.check_change(body)
    service = request.app.state.service
    for _ in range(RETRIES):
        doc = await guard_db(service.store.camera(camera_id))
        if doc is None:
            raise ApiError(404, f"no camera {camera_id}")
        require_scope(user, doc["unit_code"])
        domain.check_version(doc, body)
        fields = domain.camera_changes(doc, body, datetime.now(timezone.utc))
        if not fields:
            return domain.camera_view(doc, user)
        changed = [f for f in fields if f in domain.CHANGEABLE]
        event = contracts.make_event("camera.updated/1", subject=camera_id, source="extraction",
                                     data=domain.camera_updated_data({**doc, **fields}, changed))
        updated = await guard_db(service.store.change_camera(doc, fields, event.to_dict()))
        if updated is not None:
            await audit.record(request, "extraction", user, "camera.updated", camera_id,
                               {"changed": changed, "version": fields["version"]})
            await service.camera_outbox.flush(camera_id, updated["outbox"])
            return domain.camera_view(updated, user)
    raise ApiError(409, "the camera is being changed by others; try again", headers={"Retry-After": "1"})


@router.get("/cameras")
async def list_cameras(request: Request, user: CurrentUser, unit_code: Unit = None,
                       programme_code: Annotated[str | None, Query(max_length=64)] = None,
                       status: Annotated[domain.CameraStatus | None, Query()] = None,
                       owner_kind: Annotated[domain.OwnerKind | None, Query()] = None,
                       near: Annotated[str | None, Query(description="lat,lon")] = None,
                       radius_m: Annotated[float | None, Query(gt=0, le=MAX_RADIUS_M)] = None,
                       q: Annotated[str | None, Query(max_length=100, description="words of the camera id or "
                                                      "owner's name, with or without diacritics")] = None,
                       page: Annotated[int, Query(ge=1, le=100000)] = 1,
                       page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> dict:
    """Cameras in the caller's unit (or one below); with `near` and `radius_m`, nearest first;
    `q` searches the camera id and the owner's name."""
    require_role(user, *domain.VIEWING_ROLES)
    scope = scope_of(user, unit_code)
    point = domain.parse_near(near, radius_m)
    filters = {k: v for k, v in (("programme_code", programme_code), ("status", status),
                                 ("owner.kind", owner_kind)) if v is not None}
    if q:
        filters.update(domain.search_pattern(q))
    docs, total = await guard_db(request.app.state.service.store.find_cameras(
        scope=scope, filters=filters, near=point, radius_m=radius_m,
        skip=(page - 1) * page_size, limit=page_size))
    return {"items": [domain.camera_view(d, user) for d in docs], "page": page,
            "page_size": page_size, "total": total}


@router.get("/cameras/at-risk")
async def footage_at_risk(request: Request, user: CurrentUser,
                          lat: Annotated[float, Query(ge=-90, le=90)],
                          lon: Annotated[float, Query(ge=-180, le=180)],
                          at: Annotated[datetime, Query(description="when it happened")],
                          radius_m: Annotated[float, Query(gt=0, le=MAX_RADIUS_M)] = 500,
                          unit_code: Unit = None) -> dict:
    """Cameras within `radius_m` that still hold footage of `at`, soonest overwritten first."""
    require_role(user, *domain.VIEWING_ROLES)
    scope = scope_of(user, unit_code)
    now, at = datetime.now(timezone.utc), zoned(at)
    if at > now:
        raise domain.invalid(("at", "is in the future"))
    cameras = await guard_db(request.app.state.service.store.cameras_within(
        scope=scope, near=(lat, lon), radius_m=radius_m,
        query={"status": "working", "installed_at": {"$lte": at}}))
    return {"at": iso(at), "radius_m": radius_m, "items": [
        {**domain.camera_view(r.camera, user), "expires_at": iso(r.expires_at)}
        for r in domain.footage_at_risk(cameras, at, now)]}


@router.get("/cameras/{camera_id}")
async def get_camera(camera_id: str, request: Request, user: CurrentUser) -> dict:
    require_role(user, *domain.VIEWING_ROLES)
    doc = await guard_db(request.app.state.service.store.camera(camera_id))
    if doc is None:
        raise ApiError(404, f"no camera {camera_id}")
    require_scope(user, doc["unit_code"])
    return domain.camera_view(doc, user)

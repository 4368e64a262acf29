"""Cameras and extractions: forwarded, unchanged, to camera-extraction (see it for the rules);
"footage at risk" for a tip is put together here from the tip (verification) and the cameras."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.common.errors import ApiError, unavailable

from .forward import forward

router = APIRouter(prefix="/api/v1")
ROUTES = (
    ("POST", "/cameras"), ("GET", "/cameras"), ("GET", "/cameras/{camera_id}"),
    ("POST", "/extractions"), ("GET", "/extractions"), ("GET", "/extractions/manifest-key"),
    ("GET", "/extractions/{extraction_id}"), ("GET", "/extractions/{extraction_id}/custody"),
    ("POST", "/extractions/{extraction_id}/custody"), ("POST", "/extractions/{extraction_id}/files"),
    ("POST", "/extractions/{extraction_id}/files/register"), ("GET", "/extractions/{extraction_id}/manifest"),
)
PLACE_AND_TIME = ("lat", "lon", "at")


async def _get(request: Request, service: str, path: str, params: dict) -> httpx.Response:
    """A GET to `service` on the caller's behalf (their token)."""
    headers = {k: v for k, v in request.headers.items() if k in ("authorization", "accept-language")}
    try:
        return await request.app.state.service.upstreams[service].get(path, params=params, headers=headers)
    except httpx.TransportError:
        raise unavailable(f"the {service} service") from None


def _relay(answer: httpx.Response) -> Response:
    return Response(answer.content, status_code=answer.status_code,
                    headers={k: v for k, v in answer.headers.items() if k in ("content-type", "retry-after")})


@router.get("/cameras/at-risk", tags=["cameras"], responses={403: {}, 404: {}, 422: {}, 503: {}})
async def footage_at_risk(request: Request,
                          tip_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None) -> Response:
    """Cameras within `radius_m` (default 500) that still hold footage of a moment, soonest
    overwritten first: of `lat`, `lon` and `at`, or of a tip's place and time (`tip_id`: its
    location and `occurred_at`, else `received_at`; 422 if the tip has no location)."""
    if tip_id is None:
        return await forward(request, "extraction")
    if given := [k for k in PLACE_AND_TIME if k in request.query_params]:
        raise ApiError(422, "give tip_id, or lat, lon and at, not both",
                       fields=[{"field": k, "reason": "not allowed with tip_id"} for k in given])
    answer = await _get(request, "verification", f"/api/v1/tips/{quote(tip_id, safe='')}", {})
    if answer.status_code != 200:
        return _relay(answer)
    tip = answer.json()
    if not tip.get("location"):
        raise ApiError(422, f"tip {tip_id} has no location",
                       fields=[{"field": "tip_id", "reason": "the tip has no location; give lat, lon and at"}])
    params = {k: v for k, v in request.query_params.items() if k != "tip_id"}
    params.update(lat=tip["location"]["lat"], lon=tip["location"]["lon"], at=tip.get("occurred_at") or tip["received_at"])
    answer = await _get(request, "extraction", "/api/v1/cameras/at-risk", params)
    if answer.status_code != 200:
        return _relay(answer)
    return JSONResponse({"tip_id": tip_id, **answer.json()})


async def _to_extraction(request: Request) -> Response:
    return await forward(request, "extraction")


for _method, _path in ROUTES:
    router.add_api_route(_path, _to_extraction, methods=[_method], tags=[_path.split("/")[1]],
                         operation_id=f"{_method.lower()}{_path.replace('/', '_').replace('{', '').replace('}', '')}")

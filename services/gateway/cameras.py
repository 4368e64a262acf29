"""Cameras and extractions: forwarded, unchanged, to camera-extraction (see it for the rules);
footage uploads stream through (up to EXTRACTION_FILE_MAX_BYTES, see `large_bodies` in app.py).
"Footage at risk" for a tip or a case is put together here from the tip or the case's tips
(verification) and the cameras at each tip's place and time (camera-extraction)."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.common.errors import ApiError, unavailable
from services.common.times import parse

from .forward import forward, forward_stream
from .imports import UPLOAD_BODY

router = APIRouter(prefix="/api/v1")
ROUTES = (
    ("POST", "/cameras"), ("GET", "/cameras"), ("GET", "/cameras/{camera_id}"), ("PATCH", "/cameras/{camera_id}"),
    ("POST", "/extractions"), ("GET", "/extractions"), ("GET", "/extractions/manifest-key"),
    ("GET", "/extractions/{extraction_id}"), ("GET", "/extractions/{extraction_id}/custody"),
    ("POST", "/extractions/{extraction_id}/custody"),
    ("POST", "/extractions/{extraction_id}/files/register"), ("GET", "/extractions/{extraction_id}/manifest"),
)
PLACE_AND_TIME = ("lat", "lon", "at")
CONCURRENT_CALLS = 8  # requests to one service at a time for one case


class Relayed(Exception):
    """A service's answer other than 200, passed on to the caller as it is (404, 403, 422...)."""

    def __init__(self, answer: httpx.Response):
        super().__init__(answer.status_code)
        self.answer = answer


async def _get_json(request: Request, service: str, path: str, params: dict) -> dict:
    """A GET to `service` on the caller's behalf (their token); its JSON, or `Relayed`."""
    headers = {k: v for k, v in request.headers.items() if k in ("authorization", "accept-language")}
    try:
        answer = await request.app.state.service.upstreams[service].get(path, params=params, headers=headers)
    except httpx.TransportError:
        raise unavailable(f"the {service} service") from None
    if answer.status_code != 200:
        raise Relayed(answer)
    return answer.json()


def _relay(answer: httpx.Response) -> Response:
    return Response(answer.content, status_code=answer.status_code,
                    headers={k: v for k, v in answer.headers.items() if k in ("content-type", "retry-after")})


async def _bounded(calls: list[Awaitable[dict]]) -> list[dict]:
    """The calls' results in order, at most CONCURRENT_CALLS of them running at once."""
    gate = asyncio.Semaphore(CONCURRENT_CALLS)

    async def one(call: Awaitable[dict]) -> dict:
        async with gate:
            return await call
    return await asyncio.gather(*(one(c) for c in calls))


async def _tip(request: Request, tip_id: str) -> dict:
    return await _get_json(request, "verification", f"/api/v1/tips/{quote(tip_id, safe='')}", {})


async def _at_risk_at(request: Request, tip: dict, params: dict) -> dict:
    """Camera-extraction's "footage at risk" at a located tip's place and time (its
    `occurred_at`, else `received_at`), within the caller's unit (or `unit_code` below it)."""
    place = {"lat": tip["location"]["lat"], "lon": tip["location"]["lon"],
             "at": tip.get("occurred_at") or tip["received_at"]}
    return await _get_json(request, "extraction", "/api/v1/cameras/at-risk", {**params, **place})


def merge_at_risk(found: list[tuple[str, list[dict]]]) -> list[dict]:
    """The at-risk lists of several tips as one row per camera, soonest to expire first: the
    camera with its earliest `expires_at`, the tips whose footage it holds (`tip_ids`, soonest
    first) and, for each, when that footage expires and how far the camera is (`covers`)."""
    rows: dict[str, dict] = {}
    for tip_id, items in found:
        for item in items:
            cover = {"tip_id": tip_id, "expires_at": item["expires_at"], "distance_m": item.get("distance_m")}
            camera = {k: v for k, v in item.items() if k != "distance_m"}
            row = rows.setdefault(item["camera_id"], {**camera, "covers": []})
            row["covers"].append(cover)
            if parse(item["expires_at"]) < parse(row["expires_at"]):
                row.update(camera)
    for row in rows.values():
        row["covers"].sort(key=lambda c: (parse(c["expires_at"]), c["tip_id"]))
        row["tip_ids"] = [c["tip_id"] for c in row["covers"]]
    return sorted(rows.values(), key=lambda r: (parse(r["expires_at"]), r["camera_id"]))


async def _for_tip(request: Request, tip_id: str, params: dict) -> dict:
    tip = await _tip(request, tip_id)
    if not tip.get("location"):
        raise ApiError(422, f"tip {tip_id} has no location",
                       fields=[{"field": "tip_id", "reason": "the tip has no location; give lat, lon and at"}])
    return {"tip_id": tip_id, **await _at_risk_at(request, tip, params)}


async def _for_case(request: Request, case_id: str, params: dict) -> dict:
    case = await _get_json(request, "verification", f"/api/v1/cases/{quote(case_id, safe='')}", {})
    tips = await _bounded([_tip(request, tip_id) for tip_id in case["tip_ids"]])
    located = [(tip_id, tip) for tip_id, tip in zip(case["tip_ids"], tips) if tip.get("location")]
    if not located:
        raise ApiError(422, f"no tip of case {case_id} has a location", fields=[
            {"field": "case_id", "reason": "none of the case's tips has a location; give lat, lon and at"}])
    answers = await _bounded([_at_risk_at(request, tip, params) for _, tip in located])
    return {"case_id": case_id, "radius_m": answers[0]["radius_m"],
            "tips": [{"tip_id": tip_id, "at": answer["at"], "cameras": len(answer["items"])}
                     for (tip_id, _), answer in zip(located, answers)],
            "tips_without_location": [tip_id for tip_id, tip in zip(case["tip_ids"], tips) if not tip.get("location")],
            "items": merge_at_risk([(tip_id, answer["items"]) for (tip_id, _), answer in zip(located, answers)])}


@router.get("/cameras/at-risk", tags=["cameras"], responses={403: {}, 404: {}, 422: {}, 503: {}})
async def footage_at_risk(request: Request,
                          tip_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
                          case_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None) -> Response:
    """Cameras within `radius_m` (default 500) that still hold footage of a moment, soonest
    overwritten first: of `lat`, `lon` and `at`; of a tip's place and time (`tip_id`: its
    location and `occurred_at`, else `received_at`; 422 if the tip has no location); or of every
    located tip of a case (`case_id`: one row per camera with its earliest `expires_at` and the
    tips it covers, `tip_ids`; 422 if none of the case's tips has a location)."""
    if tip_id is None and case_id is None:
        return await forward(request, "extraction")
    if tip_id is not None and case_id is not None:
        raise ApiError(422, "give tip_id or case_id, not both",
                       fields=[{"field": "case_id", "reason": "not allowed with tip_id"}])
    given_by = "tip_id" if tip_id is not None else "case_id"
    if given := [k for k in PLACE_AND_TIME if k in request.query_params]:
        raise ApiError(422, f"give {given_by}, or lat, lon and at, not both",
                       fields=[{"field": k, "reason": f"not allowed with {given_by}"} for k in given])
    params = {k: v for k, v in request.query_params.items() if k != given_by}
    try:
        if tip_id is not None:
            return JSONResponse(await _for_tip(request, tip_id, params))
        return JSONResponse(await _for_case(request, case_id, params))
    except Relayed as relayed:
        return _relay(relayed.answer)


@router.post("/extractions/{extraction_id}/files", status_code=201, tags=["extractions"], openapi_extra=UPLOAD_BODY,
             responses={401: {}, 403: {}, 404: {}, 409: {}, 413: {}, 415: {}, 422: {}, 503: {}})
async def upload_file(extraction_id: str, request: Request) -> Response:
    """Upload one footage file (multipart field `file`, up to EXTRACTION_FILE_MAX_BYTES): streamed
    to camera-extraction, which hashes it as it arrives; never held whole in memory here."""
    return await forward_stream(request, "extraction")


async def _to_extraction(request: Request) -> Response:
    return await forward(request, "extraction")


for _method, _path in ROUTES:
    router.add_api_route(_path, _to_extraction, methods=[_method], tags=[_path.split("/")[1]],
                         operation_id=f"{_method.lower()}{_path.replace('/', '_').replace('{', '').replace('}', '')}")

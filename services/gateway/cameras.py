"""Cameras and extractions: forwarded, unchanged, to camera-extraction (see it for the rules)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from .forward import forward

router = APIRouter(prefix="/api/v1")
ROUTES = (
    ("POST", "/cameras"), ("GET", "/cameras"), ("GET", "/cameras/at-risk"), ("GET", "/cameras/{camera_id}"),
    ("POST", "/extractions"), ("GET", "/extractions"), ("GET", "/extractions/manifest-key"),
    ("GET", "/extractions/{extraction_id}"), ("GET", "/extractions/{extraction_id}/custody"),
    ("POST", "/extractions/{extraction_id}/custody"), ("POST", "/extractions/{extraction_id}/files"),
    ("POST", "/extractions/{extraction_id}/files/register"), ("GET", "/extractions/{extraction_id}/manifest"),
)


async def _to_extraction(request: Request) -> Response:
    return await forward(request, "extraction")


for _method, _path in ROUTES:
    router.add_api_route(_path, _to_extraction, methods=[_method], tags=[_path.split("/")[1]],
                         operation_id=f"{_method.lower()}{_path.replace('/', '_').replace('{', '').replace('}', '')}")

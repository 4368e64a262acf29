"""Programmes ("mô hình tự quản"): forwarded, unchanged, to intake, which keeps the registry and
validates the bodies (see services/intake/programmes.py for the rules)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from services.common.commands import ProgrammeIn, ProgrammeKind

from .bodies import json_body
from .forward import forward

router = APIRouter(prefix="/api/v1", tags=["programmes"])


@router.post("/programmes", status_code=201, openapi_extra=json_body(ProgrammeIn),
             responses={403: {}, 409: {}, 422: {}, 503: {}})
async def register_programme(request: Request) -> Response:
    """Commanders and admins register a programme of their unit or one below: `code` (unique),
    `name`, `kind`, `unit_code`, `launched_at`, `members` (a count) → 201; 409 if the code is taken."""
    return await forward(request, "intake")


@router.get("/programmes", responses={403: {}, 422: {}})
async def list_programmes(request: Request,
                          unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")] = None,
                          kind: Annotated[ProgrammeKind | None, Query()] = None,
                          page: Annotated[int, Query(ge=1, le=100000)] = 1,
                          page_size: Annotated[int, Query(ge=1, le=200)] = 50) -> Response:
    """Programmes of `unit_code` (default: the caller's unit) and the units below it."""
    return await forward(request, "intake")


@router.get("/programmes/{code}", responses={403: {}, 404: {}})
async def get_programme(request: Request, code: Annotated[str, Path(max_length=40)]) -> Response:
    return await forward(request, "intake")

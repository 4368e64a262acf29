"""Cases, the work queue, claims and legal steps: forwarded, unchanged, to verification (see it
for the rules), which validates the bodies; they are declared here (bodies.json_body) only so
that the gateway's OpenAPI documents them."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.common.commands import CaseStatusChange, LegalStep, LinkTips, NewCase

from .bodies import json_body
from .forward import forward

router = APIRouter(prefix="/api/v1")


async def _to_verification(request: Request) -> Response:
    return await forward(request, "verification")


@router.post("/cases", status_code=201, tags=["cases"], openapi_extra=json_body(NewCase), responses={422: {}})
async def open_case(request: Request) -> Response:
    """Open a case from valuable tips (each becomes converted); 409 if a tip is not valuable."""
    return await _to_verification(request)


@router.get("/cases", tags=["cases"])
async def list_cases(request: Request) -> Response:
    """The caller's unit's cases (filters `unit_code`, `status`, `page`, `page_size` ≤ 100)."""
    return await _to_verification(request)


@router.get("/cases/{case_id}", tags=["cases"])
async def get_case(case_id: str, request: Request) -> Response:
    return await _to_verification(request)


@router.post("/cases/{case_id}/tips", tags=["cases"], openapi_extra=json_body(LinkTips))
async def link_tips(case_id: str, request: Request) -> Response:
    """Link more valuable tips to an open case."""
    return await _to_verification(request)


@router.post("/cases/{case_id}/status", tags=["cases"], openapi_extra=json_body(CaseStatusChange))
async def change_case_status(case_id: str, request: Request) -> Response:
    """open → clarified | closed; clarified → closed | open; closed is final."""
    return await _to_verification(request)


@router.get("/queue", tags=["work"])
async def work_queue(request: Request) -> Response:
    """The unit's open tips, what needs action first (priority, then the nearest legal
    deadline): `bucket=action|overdue|all` (counts of both in `counts`), filters `status`
    (received, valuable), `channel`, `category`, `priority`, `unit_code` (a ward),
    `clock=near|overdue`, `claimed=me|none`, `unread=true`, `from`, `to`, `q` (words of the
    content, with or without diacritics); `total` counts the filtered bucket; paging by
    `after` (the previous page's `next`, stable while tips arrive) or `page`, `page_size` ≤ 100.
    Each item has its clock state, claim and `unread` (a tipster's message not yet read)."""
    return await _to_verification(request)


@router.post("/tips/{tip_id}/claim", tags=["work"])
async def claim_tip(tip_id: str, request: Request) -> Response:
    """Lock a received tip to yourself; 409 if another officer holds it."""
    return await _to_verification(request)


@router.delete("/tips/{tip_id}/claim", tags=["work"])
async def release_tip(tip_id: str, request: Request) -> Response:
    return await _to_verification(request)


@router.post("/tips/{tip_id}/legal", tags=["work"], openapi_extra=json_body(LegalStep))
async def legal_step(tip_id: str, request: Request) -> Response:
    """Record a legal step (BLTTHS Arts. 147–149) with its legal basis; deadlines are recomputed."""
    return await _to_verification(request)

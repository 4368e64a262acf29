"""HTTP of intake: `POST /api/v1/tips`."""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.common import commands
from services.common.auth import OptionalUser
from services.common.errors import ApiError

from . import domain
from .accept import accept_tip
from .ratelimit import client_of

router = APIRouter(prefix="/api/v1", tags=["tips"])


@router.post("/tips", status_code=202, responses={
    202: {"description": "accepted: the broker acknowledged the tip"},
    401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 429: {}, 503: {}})
async def submit_tip(tip: commands.TipSubmission, request: Request, user: OptionalUser) -> JSONResponse:
    """Receive one tip. Answers 202 with a receipt only once the tip is durably in Kafka."""
    service = request.app.state.service
    now = datetime.now(timezone.utc)
    if user is None:  # the public web form: limited per client
        wait_s = service.web_limiter.take(client_of(request))
        if wait_s:
            raise ApiError(429, "too many tips from this client; try again later",
                           headers={"Retry-After": service.web_limiter.retry_after(wait_s)})
    domain.check_access(tip, user)
    domain.check_fields(tip, now)
    placement = domain.resolve_unit(tip, user)
    return JSONResponse(await accept_tip(service, tip, placement=placement, now=now), status_code=202)

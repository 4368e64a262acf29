"""HTTP of the Zalo and SMS gateways: `POST /api/v1/webhooks/{source}`, signed per source."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.common import commands
from services.common.errors import ApiError, validation_fields
from services.common.limits import TIP_CONTENT_MAX

from . import domain, signing
from .accept import accept_tip

router = APIRouter(prefix="/api/v1", tags=["webhooks"])


class WebhookMessage(BaseModel):
    """What a gateway forwards: one message of a neighbourhood group or an SMS."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    message_id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=TIP_CONTENT_MAX)
    unit_code: str | None = Field(None, pattern=r"^[0-9]{2,5}$")
    unit_era: Literal["legacy", "2025"] | None = None
    location: commands.Location | None = None
    sent_at: datetime | None = None


@router.post("/webhooks/{source}", status_code=202, responses={401: {}, 404: {}, 422: {}, 503: {}})
async def receive(source: str, request: Request) -> JSONResponse:
    """A signed message becomes a tip of the source's channel; unsigned, tampered or stale
    requests get 401 and change nothing; a repeated message id returns the first answer."""
    settings = request.app.state.settings
    config = settings.webhook_sources.get(source)
    if config is None:
        raise ApiError(404, f"no webhook source {source!r}")
    body = await request.body()
    reason = signing.problem(config.secret, request.headers.get("x-antt-timestamp"),
                             request.headers.get("x-antt-signature"), body, time.time(),
                             settings.webhook_window_s)
    if reason:
        raise ApiError(401, f"webhook refused: {reason}")
    try:
        message = WebhookMessage.model_validate_json(body)
        tip = commands.TipSubmission(channel=config.channel, content=message.text, unit_code=message.unit_code, unit_era=message.unit_era,
                                   location=message.location, occurred_at=message.sent_at,
                                   idempotency_key=f"webhook:{source}:{message.message_id}")
    except ValidationError as exc:
        raise ApiError(422, "the request has invalid fields", fields=validation_fields(exc.errors())) from None
    now = datetime.now(timezone.utc)
    domain.check_fields(tip, now)
    placement = domain.resolve_unit(tip, None)
    return JSONResponse(await accept_tip(request.app.state.service, tip, placement=placement, now=now),
                        status_code=202)

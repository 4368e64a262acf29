"""HTTP of the gateway: login, users, tips and follow-up (forwarded to their owners, bodies
unread: see bodies.py)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common import audit, units
from services.common.auth import ROLES, CurrentUser, issue_token, require_role, require_scope
from services.common.commands import Decision, FollowUpMessage, TipSubmission
from services.common.errors import ApiError

from .bodies import json_body
from .forward import forward
from .users import UserExists

router = APIRouter(prefix="/api/v1")


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$")
    password: str = Field(min_length=10, max_length=256)
    role: str
    unit_code: str = Field(pattern=r"^[0-9]{2,5}$")

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"must be one of {', '.join(ROLES)}")
        return value


@router.post("/auth/token", tags=["auth"], responses={401: {}, 429: {}})
async def login(request: Request, username: Annotated[str, Form(max_length=64)],
                password: Annotated[str, Form(max_length=256)]) -> dict:
    """Repeated failures slow the answers down, then lock the username and the client out
    (429 + Retry-After; see users.py)."""
    service = request.app.state.service
    earlier_failures = await service.login_guard.begin(username, request.client.host if request.client else "-")
    principal = await service.users.authenticate(username, password)
    if principal is None:
        await service.login_guard.failed(earlier_failures)
        raise ApiError(401, "wrong username or password", headers={"WWW-Authenticate": "Bearer"})
    await service.login_guard.succeeded(username)
    return {"access_token": issue_token(request.app.state.settings, principal), "token_type": "bearer",
            "role": principal.role, "unit_code": principal.unit_code}


@router.post("/users", status_code=201, tags=["auth"])
async def create_user(body: NewUser, request: Request, user: CurrentUser) -> dict:
    require_role(user, "admin")
    if units.get(body.unit_code) is None:
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "unit_code", "reason": f"no administrative unit has code {body.unit_code}"}])
    require_scope(user, body.unit_code)
    try:
        await request.app.state.service.users.create(**body.model_dump())
    except UserExists:
        raise ApiError(409, f"user {body.username!r} exists",
                       fields=[{"field": "username", "reason": "is taken"}]) from None
    await audit.record(request, "gateway", user, "user.created", body.username,
                       {"role": body.role, "unit_code": body.unit_code})
    return {"username": body.username, "role": body.role, "unit_code": body.unit_code}


@router.post("/users/{username}/revoke", tags=["auth"], responses={403: {}, 404: {}, 409: {}})
async def revoke_user(username: Annotated[str, Path(max_length=64)], request: Request, user: CurrentUser) -> dict:
    """The user can no longer log in, and their tokens stop working at once: the gateway
    checks each token's user before it serves or forwards a request."""
    require_role(user, "admin")
    users = request.app.state.service.users
    target = await users.get(username)
    if target is None:
        raise ApiError(404, f"no user {username!r}")
    require_scope(user, target["unit_code"])
    if username == user.username:
        raise ApiError(409, "you cannot revoke yourself")
    await users.revoke(username)
    await audit.record(request, "gateway", user, "user.revoked", username)
    return {"username": username, "revoked": True}


@router.post("/tips", status_code=202, tags=["tips"], openapi_extra=json_body(TipSubmission), responses={422: {}})
async def submit_tip(request: Request) -> Response:
    """Forwarded to intake; see intake for the rules."""
    return await forward(request, "intake")


@router.get("/tips", tags=["tips"])
async def list_tips(request: Request) -> Response:
    """Forwarded to verification (filters `unit_code`, `status`, `channel`, `programme_code`,
    `from`, `to`, `page`, `page_size`)."""
    return await forward(request, "verification")


@router.get("/tips/{tip_id}", tags=["tips"])
async def get_tip(tip_id: str, request: Request) -> Response:
    return await forward(request, "verification")


@router.post("/tips/{tip_id}/decision", tags=["tips"], openapi_extra=json_body(Decision))
async def decide(tip_id: str, request: Request) -> Response:
    return await forward(request, "verification")


@router.get("/tips/{tip_id}/messages", tags=["receipts"])
async def tip_messages(tip_id: str, request: Request) -> Response:
    """The conversation with the anonymous tipster (officers; forwarded to intake)."""
    return await forward(request, "intake")


@router.post("/tips/{tip_id}/replies", status_code=201, tags=["receipts"], openapi_extra=json_body(FollowUpMessage))
async def reply(tip_id: str, request: Request) -> Response:
    """An officer's answer to the tipster (forwarded to intake)."""
    return await forward(request, "intake")


@router.get("/tips/{tip_id}/contact", tags=["informants"])
async def release_contact(tip_id: str, request: Request,
                          reason: Annotated[str, Query(min_length=10, max_length=500)]) -> Response:
    """The informant's contact details, for a stated reason; every release is recorded
    (forwarded to intake)."""
    return await forward(request, "intake")


@router.get("/receipts/{receipt_code}", tags=["receipts"])
async def read_receipt(receipt_code: str, request: Request) -> Response:
    """A tipster's view of the tip by receipt code, no login (forwarded to intake)."""
    return await forward(request, "intake")


@router.post("/receipts/{receipt_code}/messages", status_code=201, tags=["receipts"],
             openapi_extra=json_body(FollowUpMessage))
async def write_message(receipt_code: str, request: Request) -> Response:
    return await forward(request, "intake")


@router.post("/webhooks/{source}", status_code=202, tags=["webhooks"])
async def webhook(source: str, request: Request) -> Response:
    """Zalo and SMS gateways, signed per source (forwarded to intake with the raw body)."""
    return await forward(request, "intake", extra_headers=("x-antt-timestamp", "x-antt-signature"))

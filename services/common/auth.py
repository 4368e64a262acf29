"""Signed tokens (JWT, HS256) carrying a user's role and administrative unit, and the FastAPI
dependencies that check them. Every service verifies tokens itself with the shared secret."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request

from . import units
from .errors import ApiError
from .settings import ServiceSettings

ROLES = ("clerk", "officer", "camera_operator", "commander", "ops", "admin")
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    unit_code: str

    def covers(self, unit_code: str) -> bool:
        return units.covers(self.unit_code, unit_code)

    def covers_path(self, unit_path: list[str]) -> bool:
        """For records that carry their legacy unit path (a tip of a 2025 unit carries the
        legacy units covering all of it)."""
        return self.unit_code in unit_path

    def as_actor(self) -> dict[str, str]:
        return {"username": self.username, "role": self.role, "unit_code": self.unit_code}


def issue_token(settings: ServiceSettings, principal: Principal) -> str:
    now = int(time.time())
    claims = {"sub": principal.username, "role": principal.role, "unit": principal.unit_code,
              "iat": now, "exp": now + settings.token_ttl_s}
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def read_token(settings: ServiceSettings, token: str) -> Principal:
    try:
        claims = jwt.decode(token, settings.jwt_secret, algorithms=[ALGORITHM],
                            options={"require": ["sub", "exp", "role", "unit"]})
    except jwt.ExpiredSignatureError:
        raise _unauthorized("the token has expired") from None
    except jwt.InvalidTokenError:
        raise _unauthorized("the token is not valid") from None
    if claims["role"] not in ROLES:
        raise _unauthorized("the token's role is not known")
    return Principal(claims["sub"], claims["role"], claims["unit"])


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def optional_principal(request: Request) -> Principal | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("use 'Authorization: Bearer <token>'")
    return read_token(request.app.state.settings, token)


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise _unauthorized("log in first (POST /api/v1/auth/token)")
    return principal


OptionalUser = Annotated[Principal | None, Depends(optional_principal)]
CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise ApiError(403, f"role {principal.role!r} may not do this; needs one of {', '.join(roles)}")


def require_scope(principal: Principal, unit_code: str) -> None:
    if not principal.covers(unit_code):
        raise ApiError(403, f"unit {unit_code} is outside your unit {principal.unit_code}")

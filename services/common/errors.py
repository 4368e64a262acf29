"""The error format of the API contract, for every service:
`{"error": {"code", "message", "fields": [{"field", "reason"}]}}`."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
          415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests",
          502: "bad_gateway", 503: "unavailable", 504: "gateway_timeout"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, code: str | None = None,
                 fields: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.extra = extra or {}
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.fields = fields or []
        self.headers = headers or {}


def unavailable(what: str, retry_after_s: int = 5) -> ApiError:
    return ApiError(503, f"{what} is unavailable; nothing was accepted, try again later",
                    headers={"Retry-After": str(retry_after_s)})


def error_body(status: int, message: str, code: str | None = None,
               fields: list[dict[str, str]] | None = None, extra: dict | None = None) -> dict:
    return {"error": {"code": code or _CODES.get(status, "error"), "message": message,
                      "fields": fields or [], **(extra or {})}}


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


_LIMITS = ("min_length", "max_length", "ge", "le", "gt", "lt")  # pydantic's ctx keys of a bound


def validation_fields(errors: list[dict]) -> list[dict]:
    """Pydantic's errors as `{field, reason, code}` (and `limit` for a bound): `code` is
    pydantic's error type ("required" for a missing field, "unknown_field" for an extra one),
    which the web pages translate."""
    fields = []
    for err in errors:
        kind = err.get("type", "invalid")
        reason = err.get("msg", "is invalid")
        if kind == "missing":
            kind, reason = "required", "is required"
        elif kind == "extra_forbidden":
            kind, reason = "unknown_field", "is not a known field"
        field = {"field": _field_name(tuple(err.get("loc", ()))), "reason": reason, "code": kind}
        ctx = err.get("ctx") or {}
        limit = next((ctx[k] for k in _LIMITS if k in ctx), None)
        if limit is not None:
            field["limit"] = limit if isinstance(limit, (int, float)) else str(limit)
        fields.append(field)
    return fields


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        return JSONResponse(error_body(exc.status, exc.message, exc.code, exc.fields, exc.extra),
                            status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        fields = validation_fields(exc.errors())
        return JSONResponse(error_body(422, "the request has invalid fields", fields=fields),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        return JSONResponse(error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

"""The FastAPI application every service is built on: the contract's errors, body-size limits
(one table of path → limit per service), request metrics, `/metrics`, health endpoints
(`/health/live`, `/health/ready`), and outermost the security headers, HEAD and the draining of
refused bodies (common/asgi.py)."""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from . import asgi, errors, logs, units
from .metrics import HTTP_LATENCY, HTTP_REQUESTS
from .settings import ServiceSettings


@dataclass(frozen=True)
class BodyLimit:
    """The largest body a path takes. `path` is a route's path, where a `{name}` segment
    matches any one segment; `field` is what a 413 names (an upload's `file`, else `body`),
    `max_bytes` its limit, and `slack` what the body may add around it (multipart framing)."""
    path: str
    max_bytes: int
    field: str = "body"
    slack: int = 0

    @property
    def body_bytes(self) -> int:
        return self.max_bytes + self.slack

    def matches(self, path: str) -> bool:
        return _pattern(self.path).match(path) is not None

    def too_large(self) -> errors.ApiError:
        return errors.ApiError(413, f"the {self.field} is larger than {self.max_bytes} bytes",
                               fields=[{"field": self.field, "reason": f"at most {self.max_bytes} bytes"}])

    def response(self) -> JSONResponse:
        refused = self.too_large()
        return JSONResponse(errors.error_body(413, refused.message, fields=refused.fields), status_code=413)


class BodyTooLarge(HTTPException):
    """A body read past its limit (`CappedBody`). An HTTPException, as FastAPI's body parsing
    turns any other error of the read into a 400."""

    def __init__(self, limit: BodyLimit):
        super().__init__(413, limit.too_large().message)
        self.limit = limit


def body_limits(default_bytes: int, table: Sequence[BodyLimit] = ()) -> Callable[[str], BodyLimit]:
    """The limit of a request path: the first entry of `table` whose path matches, else
    `default_bytes` for the body."""
    default = BodyLimit("*", default_bytes)

    def limit_of(path: str) -> BodyLimit:
        return next((entry for entry in table if entry.matches(path)), default)
    return limit_of


@cache
def _pattern(route_path: str) -> re.Pattern:
    return re.compile("/".join(r"[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p)
                               for p in route_path.split("/")) + r"\Z")


def body_limit(request: Request) -> BodyLimit:
    """The limit the app's table gives this request (for routes that stream their body on)."""
    return request.app.state.body_limit(request.url.path)


class Service(Protocol):
    """One service's clients and background work; main() and tests use only this."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def readiness(self) -> dict[str, bool]:
        """Each dependency (broker, database, consumer) and whether it works now."""


def create_app(name: str, settings: ServiceSettings,
               service_factory: Callable[[ServiceSettings], Service],
               large_bodies: Sequence[BodyLimit] = (), content_policy: str = asgi.API_POLICY) -> FastAPI:
    """The service object is built inside the running event loop (Kafka clients need one)
    and is `request.app.state.service` for the routes. Bodies are limited to
    ANTT_MAX_BODY_BYTES, except on the paths of `large_bodies`; a declared length beyond the
    limit is refused with 413 before anything else is read, an undeclared (chunked) one once it
    passes the limit (`CappedBody`), and the rest of the body is drained before the answer. Every response carries the
    security headers with `content_policy` as its Content-Security-Policy (`/docs` its own)."""
    logs.setup(name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.to_thread(units.preload)  # before serving: no first request pays for it
        service = service_factory(settings)
        app.state.service = service
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(title=f"ANTT {name}", version="1", lifespan=lifespan,
                  docs_url="/docs", openapi_url="/openapi.json", redoc_url=None)
    app.state.settings = settings
    app.state.body_limit = body_limits(settings.max_body_bytes, large_bodies)
    _secure(app, content_policy)
    errors.install(app)
    app.add_exception_handler(BodyTooLarge, lambda _, exc: exc.limit.response())

    @app.middleware("http")
    async def _limits_and_metrics(request: Request, call_next):
        length = request.headers.get("content-length")
        limit = body_limit(request)
        if length and length.isdigit() and int(length) > limit.body_bytes:
            return limit.response()
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        label = getattr(route, "path", "unmatched")
        HTTP_REQUESTS.labels(label, request.method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(label, request.method).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics", include_in_schema=False)
    async def _metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/health/live", tags=["health"])
    async def _live() -> dict:
        return {"status": "ok", "service": name}

    @app.get("/health/ready", tags=["health"])
    async def _ready() -> JSONResponse:
        results = await app.state.service.readiness()
        ok = all(results.values())
        body = {"status": "ok" if ok else "unavailable", "service": name,
                "checks": {k: "ok" if v else "down" for k, v in results.items()}}
        return JSONResponse(body, status_code=200 if ok else 503)

    return app


class CappedBody:
    """Pure ASGI: a body read beyond its path's limit raises `BodyTooLarge` (413) in the reader
    (a route's `request.body()`, a stream forwarded on), whatever it declared."""

    def __init__(self, app: asgi.ASGIApp, limit_of: Callable[[str], BodyLimit]):
        self.app = app
        self.limit_of = limit_of

    async def __call__(self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, seen = self.limit_of(scope["path"]), 0

        async def capped() -> asgi.Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit.body_bytes:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, capped, send)


def _secure(app: FastAPI, content_policy: str) -> None:
    """Wraps the whole middleware stack (Starlette's error handler included, and whatever
    middleware the service adds later) in the security headers and the drain, and puts the body
    cap innermost, next to the routes: raised in a BaseHTTPMiddleware's receive it would reach
    them inside an ExceptionGroup (a 400)."""
    app.user_middleware.append(Middleware(CappedBody, limit_of=app.state.body_limit))
    docs = asgi.docs_policy(get_swagger_ui_html(
        openapi_url=app.openapi_url, title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url, init_oauth=app.swagger_ui_init_oauth,
        swagger_ui_parameters=app.swagger_ui_parameters).body.decode()
        + get_swagger_ui_oauth2_redirect_html().body.decode())

    def policy_of(path: str) -> str:
        return docs if path in asgi.DOCS_PATHS else content_policy

    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: asgi.SecurityHeaders(asgi.DrainRefusedBody(build()), policy_of)

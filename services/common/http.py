"""The FastAPI application every service is built on: the contract's errors, a body-size limit,
request metrics, `/metrics`, and health endpoints (`/health/live`, `/health/ready`)."""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from . import errors, logs
from .metrics import HTTP_LATENCY, HTTP_REQUESTS
from .settings import ServiceSettings

class Service(Protocol):
    """One service's clients and background work; main() and tests use only this."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def readiness(self) -> dict[str, bool]:
        """Each dependency (broker, database, consumer) and whether it works now."""


def create_app(name: str, settings: ServiceSettings,
               service_factory: Callable[[ServiceSettings], Service],
               body_limit: Callable[[Request], int] | None = None) -> FastAPI:
    """The service object is built inside the running event loop (Kafka clients need one)
    and is `request.app.state.service` for the routes. `body_limit(request)` gives the largest
    body a route takes (default: ANTT_MAX_BODY_BYTES for every route)."""
    limit_of = body_limit or (lambda _: settings.max_body_bytes)
    logs.setup(name, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        service = service_factory(settings)
        app.state.service = service
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(title=f"ANTT {name}", version="1", lifespan=lifespan,
                  docs_url="/docs", openapi_url="/openapi.json")
    app.state.settings = settings
    errors.install(app)

    @app.middleware("http")
    async def _limits_and_metrics(request: Request, call_next):
        length = request.headers.get("content-length")
        limit = limit_of(request)
        if length and length.isdigit() and int(length) > limit:
            return JSONResponse(errors.error_body(
                413, f"the body is larger than {limit} bytes",
                fields=[{"field": "body", "reason": f"at most {limit} bytes"}]), status_code=413)
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

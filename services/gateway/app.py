"""Wiring of the gateway: users, upstream clients, read models, routes, and the check that a
token's user still exists and is not revoked, for every request it serves or forwards (the
services behind it check the token's signature, expiry, role and unit themselves)."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError

from services.common import asgi, http, mongo, readmodels
from services.common.auth import read_token
from services.common.errors import ApiError, error_body, unavailable
from services.common.imports import MULTIPART_SLACK, ImportSettings

from . import activities, api, audit_api, bodies, cameras, cases, imports, places, programmes, reports, ui, ui_camera
from .settings import GatewaySettings
from .upstream import Upstream
from .users import LoginGuard, UserStore

UPSTREAMS = ("intake", "verification", "extraction")


class GatewayService:
    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        db = mongo.database(settings, self.mongo, "gateway")
        self.users = UserStore(db)
        self.login_guard = LoginGuard(db, settings)
        self.tip_facts = readmodels.tip_facts(settings, self.mongo)
        self.upstreams = {name: Upstream(settings.upstreams(name), settings.upstream_timeout_s)
                          for name in UPSTREAMS}

    async def start(self) -> None:
        await self.login_guard.create_indexes()
        if self.settings.admin_password:
            await self.users.set_admin(self.settings.admin_password)

    async def stop(self) -> None:
        for upstream in self.upstreams.values():
            await upstream.aclose()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        # Its own dependency only: an upstream that is down makes the forwarded calls answer
        # 503, but must not take every gateway pod (and so all reads) out of service.
        return {"database": await mongo.reachable(self.mongo)}


async def _refuse_revoked(request: Request, call_next):
    """401 for a bearer token whose user was revoked, deleted, or changed role or unit."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            principal = read_token(request.app.state.settings, token)
            if not await request.app.state.service.users.is_current(principal):
                raise ApiError(401, "the token's user was revoked or changed; log in again",
                               headers={"WWW-Authenticate": "Bearer"})
        except PyMongoError:
            return _error(unavailable("the gateway's database"))
        except ApiError as exc:
            return _error(exc)
    return await call_next(request)


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.status, exc.message, exc.code), status_code=exc.status, headers=exc.headers)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    pages = asgi.page_policy(img_sources=ui_camera.tile_source(settings.map_tiles_url))
    app = http.create_app("gateway", settings, GatewayService, large_bodies(settings), content_policy=pages)
    app.middleware("http")(_refuse_revoked)
    app.include_router(imports.router)
    app.include_router(api.router)
    app.include_router(audit_api.router)
    app.include_router(cameras.router)
    app.include_router(places.router)
    app.include_router(cases.router)
    app.include_router(programmes.router)
    app.include_router(activities.router)
    app.include_router(reports.router)
    app.include_router(ui.router)
    app.include_router(ui_camera.router)
    bodies.document(app)
    return app


def large_bodies(settings: GatewaySettings) -> list[http.BodyLimit]:
    """The routes whose bodies are streamed on (forward.forward_stream) past ANTT_MAX_BODY_BYTES:
    imports up to ANTT_MAX_IMPORT_BYTES, footage up to EXTRACTION_FILE_MAX_BYTES, tips' files up
    to ANTT_MAX_ATTACHMENT_BYTES, each file with
    its multipart framing."""
    imported = ImportSettings().max_import_bytes
    return [http.BodyLimit("/api/v1/tips/import", imported, "file", MULTIPART_SLACK),
            http.BodyLimit("/api/v1/cameras/import", imported, "file", MULTIPART_SLACK),
            http.BodyLimit("/api/v1/activities/import", imported, "file", MULTIPART_SLACK),
            http.BodyLimit("/api/v1/extractions/{extraction_id}/files", settings.extraction_file_max_bytes,
                           "file", MULTIPART_SLACK),
            http.BodyLimit("/api/v1/attachments", settings.max_attachment_bytes, "file", MULTIPART_SLACK)]

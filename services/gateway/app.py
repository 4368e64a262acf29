"""Wiring of the gateway: users, upstream clients, read models, routes."""
from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.common import http, mongo, readmodels

from . import api, cameras, cases, imports, reports, ui
from .settings import GatewaySettings
from .users import UserStore

UPSTREAMS = ("intake", "verification", "extraction")


class GatewayService:
    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.users = UserStore(mongo.database(settings, self.mongo, "gateway"))
        self.tip_facts = readmodels.tip_facts(settings, self.mongo)
        self.upstreams = {name: httpx.AsyncClient(base_url=settings.upstream(name),
                                                  timeout=settings.upstream_timeout_s)
                          for name in UPSTREAMS}

    async def start(self) -> None:
        if self.settings.admin_password:
            await self.users.set_admin(self.settings.admin_password)

    async def stop(self) -> None:
        for client in self.upstreams.values():
            await client.aclose()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        # Its own dependency only: an upstream that is down makes the forwarded calls answer
        # 503, but must not take every gateway pod (and so all reads) out of service.
        return {"database": await mongo.reachable(self.mongo)}


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    app = http.create_app("gateway", settings, GatewayService, imports.body_limit(settings))
    app.include_router(imports.router)
    app.include_router(api.router)
    app.include_router(cameras.router)
    app.include_router(cases.router)
    app.include_router(reports.router)
    app.include_router(ui.router)
    return app

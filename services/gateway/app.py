"""Wiring of the gateway: users, upstream clients, read models, routes."""
from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.common import http, mongo, readmodels

from . import api
from .settings import GatewaySettings
from .users import UserStore

UPSTREAMS = ("intake", "verification")


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
        checks = {"database": await mongo.reachable(self.mongo)}
        for name, client in self.upstreams.items():
            try:
                checks[name] = (await client.get("/health/live", timeout=2)).status_code == 200
            except httpx.TransportError:
                checks[name] = False
        return checks


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    app = http.create_app("gateway", settings or GatewaySettings(), GatewayService)
    app.include_router(api.router)
    return app

"""Wiring of intake: settings, clients, store, routes."""
from __future__ import annotations

from fastapi import FastAPI

from services.common import health, http, kafka, mongo
from services.common.crypto import Sealer
from services.common.settings import ServiceSettings

from . import api
from .store import IntakeStore


class IntakeService:
    """Owns intake's clients; `start()` and `stop()` are all that main() and tests use."""

    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.store = IntakeStore(mongo.database(settings, self.mongo, "intake"))
        self.publisher = kafka.Publisher(settings, client_id="intake")
        self.sealer = Sealer(settings.data_key)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.publisher.start()

    async def stop(self) -> None:
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    app = http.create_app("intake", settings or ServiceSettings(), IntakeService)
    app.include_router(api.router)
    return app

"""Wiring of camera-extraction: its database and broker clients, health and metrics."""
from __future__ import annotations

from fastapi import FastAPI

from services.common import health, http, mongo
from services.common.settings import ServiceSettings


class ExtractionService:
    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return http.create_app("extraction", settings or ServiceSettings(), ExtractionService)

"""Wiring of aggregation: the faust agent that maintains the read models, health and metrics."""
from __future__ import annotations

from fastapi import FastAPI

from services.common import health, http, kafka, mongo, readmodels
from services.common.streams import StreamSettings

from . import agents
from .store import FactStore


class AggregationService:
    def __init__(self, settings: StreamSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.store = FactStore(readmodels.database(settings, self.mongo))
        self.publisher = kafka.Publisher(settings, client_id="aggregation")
        self.events = agents.stream(settings, self.store, self.publisher)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.publisher.start()
        await self.events.start()

    async def stop(self) -> None:
        await self.events.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo, self.events)


def create_app(settings: StreamSettings | None = None) -> FastAPI:
    return http.create_app("aggregation", settings or StreamSettings(), AggregationService)

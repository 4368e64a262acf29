"""Wiring of aggregation: the consumer that maintains the read models, health and metrics."""
from __future__ import annotations

from fastapi import FastAPI

from services.common import http, kafka, mongo, readmodels
from services.common.consume import DeadLetters, EventLoop
from services.common.settings import ServiceSettings

from . import agents
from .store import FactStore


class AggregationService:
    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.store = FactStore(readmodels.tip_facts(settings, self.mongo))
        self.publisher = kafka.Publisher(settings, client_id="aggregation")
        self.events = EventLoop(
            kafka.consumer(settings, "aggregation", agents.CONSUMES), agents.CONSUMES,
            agents.facts_handler(self.store), DeadLetters(self.publisher, "aggregation"))

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.publisher.start()
        await self.events.start()

    async def stop(self) -> None:
        await self.events.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return {"broker": await kafka.broker_reachable(self.settings),
                "database": await mongo.reachable(self.mongo),
                "consumer": await self.events.healthy()}


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    return http.create_app("aggregation", settings or ServiceSettings(), AggregationService)

"""Wiring of verification: store, consumer of `tips.received`, outbox relay, routes."""
from __future__ import annotations

from fastapi import FastAPI

from services.common import health, http, kafka, mongo
from services.common.consume import event_loop
from services.common.outbox import OutboxRelay
from services.common.settings import ServiceSettings

from . import agents, api
from .store import TipStore


class VerificationService:
    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.store = TipStore(mongo.database(settings, self.mongo, "verification"))
        self.publisher = kafka.Publisher(settings, client_id="verification")
        self.outbox = OutboxRelay(self.store.tips, self.publisher)
        self.events = event_loop(settings, "verification", agents.CONSUMES,
                                 agents.tip_received_handler(self.store), self.publisher)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.publisher.start()
        await self.events.start()
        await self.outbox.start()

    async def stop(self) -> None:
        await self.outbox.stop()
        await self.events.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo, self.events)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    app = http.create_app("verification", settings or ServiceSettings(), VerificationService)
    app.include_router(api.router)
    return app

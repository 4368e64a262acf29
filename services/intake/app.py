"""Wiring of intake: settings, clients, store, routes."""
from __future__ import annotations

from fastapi import FastAPI

from services.common import health, http, kafka, mongo
from services.common.consume import event_loop
from services.common.crypto import Sealer

from . import agents, api, contact, receipts, webhooks
from .ratelimit import RateLimiter
from .settings import IntakeSettings
from .store import IntakeStore


class IntakeService:
    """Owns intake's clients; `start()` and `stop()` are all that main() and tests use."""

    def __init__(self, settings: IntakeSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.store = IntakeStore(mongo.database(settings, self.mongo, "intake"))
        self.publisher = kafka.Publisher(settings, client_id="intake")
        self.sealer = Sealer(settings.data_key)
        self.web_limiter = RateLimiter(settings.web_rate_per_min)
        self.events = event_loop(settings, "intake", agents.CONSUMES,
                                 agents.status_handler(self.store), self.publisher)

    async def start(self) -> None:
        await self.store.create_indexes(self.settings.receipt_lock_s)
        await self.publisher.start()
        await self.events.start()

    async def stop(self) -> None:
        await self.events.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo, self.events)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    app = http.create_app("intake", settings or IntakeSettings(), IntakeService)
    app.include_router(api.router)
    app.include_router(receipts.router)
    app.include_router(webhooks.router)
    app.include_router(contact.router)
    return app

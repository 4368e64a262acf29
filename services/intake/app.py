"""Wiring of intake: settings, clients, store, routes."""
from __future__ import annotations

from fastapi import FastAPI, Request

from services.common import health, http, imports, kafka, mongo
from services.common.consume import event_loop
from services.common.crypto import Sealer

from . import agents, api, contact, imports as tip_imports, receipts, webhooks
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
        self.imports = imports.ImportJobs(mongo.database(settings, self.mongo, "intake")["import_jobs"],
                                          settings.import_errors_kept)
        tips = tip_imports.TipImports(self)
        self.import_runner = imports.ImportRunner(self.imports, tip_imports.KIND, tips.process,
                                                  settings.import_batch_rows, tips.abandon)

    async def start(self) -> None:
        await self.store.create_indexes(self.settings.receipt_lock_s)
        await self.store.create_import_indexes()
        await self.imports.create_indexes()
        await self.publisher.start()
        await self.events.start()
        await self.import_runner.start()

    async def stop(self) -> None:
        await self.import_runner.stop()
        await self.events.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo, self.events)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """Imports (`/tips/import`) may carry up to ANTT_MAX_IMPORT_BYTES; other bodies ANTT_MAX_BODY_BYTES."""
    settings = settings or IntakeSettings()

    def body_limit(request: Request) -> int:
        if request.url.path == "/api/v1/tips/import":
            return settings.max_import_bytes + imports.MULTIPART_SLACK
        return settings.max_body_bytes

    app = http.create_app("intake", settings, IntakeService, body_limit)
    app.include_router(api.router)
    app.include_router(receipts.router)
    app.include_router(webhooks.router)
    app.include_router(contact.router)
    app.include_router(tip_imports.router)
    return app

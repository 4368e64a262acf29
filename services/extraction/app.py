"""Wiring of camera-extraction: settings, clients, store, outboxes, routes."""
from __future__ import annotations

from fastapi import FastAPI, Request

from services.common import health, http, kafka, mongo
from services.common.outbox import OutboxRelay

from . import api, chain, extractions
from .settings import ExtractionSettings
from .store import ExtractionStore


class ExtractionService:
    """Owns the service's clients; `start()` and `stop()` are all that main() and tests use."""

    def __init__(self, settings: ExtractionSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.store = ExtractionStore(mongo.database(settings, self.mongo, "extraction"))
        self.publisher = kafka.Publisher(settings, client_id="extraction")
        self.camera_outbox = OutboxRelay(self.store.cameras, self.publisher)
        self.extraction_outbox = OutboxRelay(self.store.extractions, self.publisher)
        self.manifest_key = chain.private_key(settings.manifest_key)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.publisher.start()
        await self.camera_outbox.start()
        await self.extraction_outbox.start()

    async def stop(self) -> None:
        await self.extraction_outbox.stop()
        await self.camera_outbox.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo)


def create_app(settings: ExtractionSettings | None = None) -> FastAPI:
    """Uploads (`.../files`) may carry up to ANTT_MAX_FILE_BYTES; other bodies ANTT_MAX_BODY_BYTES."""
    settings = settings or ExtractionSettings()

    def body_limit(request: Request) -> int:
        if request.url.path.endswith("/files"):
            return settings.max_file_bytes + 64 * 1024  # the file and its multipart framing
        return settings.max_body_bytes

    app = http.create_app("extraction", settings, ExtractionService, body_limit)

    app.include_router(api.router)
    app.include_router(extractions.router)
    return app

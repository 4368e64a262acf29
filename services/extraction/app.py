"""Wiring of camera-extraction: settings, clients, store, outboxes, routes."""
from __future__ import annotations

from fastapi import FastAPI

from services.common import health, http, imports, kafka, mongo
from services.common.outbox import OutboxRelay

from . import api, camera_import, chain, extractions
from .gauges import CameraGauges
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
        self.camera_gauges = CameraGauges(self.store.cameras)
        self.manifest_key = chain.private_key(settings.manifest_key)
        self.camera_imports = camera_import.CameraImports(self)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.publisher.start()
        await self.camera_outbox.start()
        await self.extraction_outbox.start()
        await self.camera_gauges.start()
        await self.camera_imports.start()

    async def stop(self) -> None:
        await self.camera_imports.stop()
        await self.camera_gauges.stop()
        await self.extraction_outbox.stop()
        await self.camera_outbox.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo)


def create_app(settings: ExtractionSettings | None = None) -> FastAPI:
    settings = settings or ExtractionSettings()
    app = http.create_app("extraction", settings, ExtractionService, large_bodies(settings))
    app.include_router(api.router)
    app.include_router(extractions.router)
    app.include_router(camera_import.router)
    return app


def large_bodies(settings: ExtractionSettings) -> list[http.BodyLimit]:
    """Uploads of footage may carry ANTT_MAX_FILE_BYTES, imports ANTT_MAX_IMPORT_BYTES (each
    with its multipart framing); other bodies ANTT_MAX_BODY_BYTES."""
    slack = imports.MULTIPART_SLACK
    return [http.BodyLimit("/api/v1/extractions/{extraction_id}/files", settings.max_file_bytes, "file", slack),
            http.BodyLimit("/api/v1/cameras/import", settings.max_import_bytes, "file", slack)]

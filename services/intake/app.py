"""Wiring of intake: settings, clients, store, routes."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.common import health, http, imports, kafka, mongo
from services.common.consume import event_loop
from services.common.crypto import Sealer
from services.common.outbox import OutboxRelay
from services.common.tasks import PeriodicTask

from . import activities, agents, api, attachments, codes, contact, imports as tip_imports, programmes, receipts, webhooks
from .ratelimit import RateLimiter
from .settings import IntakeSettings
from .store import IntakeStore


class IntakeService:
    """Owns intake's clients; `start()` and `stop()` are all that main() and tests use."""

    def __init__(self, settings: IntakeSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        self.store = IntakeStore(mongo.database(settings, self.mongo, "intake"))
        self.attachments = attachments.Attachments(mongo.database(settings, self.mongo, "intake"),
                                                   Path(settings.attachments_dir) / settings.mongo_db_prefix)
        self.publisher = kafka.Publisher(settings, client_id="intake", lanes=settings.publish_lanes)
        self.sealer = Sealer(settings.data_key)
        # the events of tipsters' messages: flushed at once, the sweep catches a broker outage
        self.receipt_outbox = OutboxRelay(self.store.receipts, self.publisher)
        self.receipt_hasher = codes.ReceiptHasher(settings.receipt_pepper)
        self.web_limiter = RateLimiter(settings.web_rate_per_min)
        self.events = event_loop(settings, "intake", agents.CONSUMES,
                                 agents.status_handler(self.store), self.publisher)
        self.imports = imports.ImportJobs(mongo.database(settings, self.mongo, "intake")["import_jobs"],
                                          settings.import_errors_kept)
        self.attachment_sweep = PeriodicTask("attachment-sweep", self.attachments.sweep, settings.attachment_sweep_s)
        tips = tip_imports.TipImports(self)
        self.import_runner = imports.ImportRunner(self.imports, tip_imports.KIND, tips.process,
                                                  settings.import_batch_rows, tips.abandon)

    async def start(self) -> None:
        await self.store.create_indexes(self.settings.receipt_lock_s)
        await self.store.create_import_indexes()
        await self.attachments.create_indexes()
        self.attachments.directory.mkdir(parents=True, exist_ok=True)
        await self.imports.create_indexes()
        await self.publisher.start()
        await self.events.start()
        await self.receipt_outbox.start()
        await self.import_runner.start()
        await self.attachment_sweep.start()

    async def stop(self) -> None:
        await self.attachment_sweep.stop()
        await self.import_runner.stop()
        await self.receipt_outbox.stop()
        await self.events.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo, self.events)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """Imports (`/tips/import`) may carry up to ANTT_MAX_IMPORT_BYTES, attachments up to
    ANTT_MAX_ATTACHMENT_BYTES; other bodies ANTT_MAX_BODY_BYTES."""
    settings = settings or IntakeSettings()
    uploads = [http.BodyLimit("/api/v1/tips/import", settings.max_import_bytes, "file", imports.MULTIPART_SLACK),
               http.BodyLimit("/api/v1/activities/import", settings.max_import_bytes, "file", imports.MULTIPART_SLACK),
               http.BodyLimit("/api/v1/attachments", settings.max_attachment_bytes, "file", imports.MULTIPART_SLACK)]
    app = http.create_app("intake", settings, IntakeService, uploads)
    app.include_router(api.router)
    app.include_router(attachments.router)
    app.include_router(receipts.router)
    app.include_router(webhooks.router)
    app.include_router(contact.router)
    app.include_router(tip_imports.router)
    app.include_router(programmes.router)  # with its own start/stop (indexes, outbox)
    app.include_router(activities.router)  # with its own start/stop (indexes, outbox, imports)
    return app

"""Wiring of verification: stores of tips and cases, consumer of `tips.received`, outbox relays
of both collections, the clock sweep, routes."""
from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.common import health, http, kafka, mongo
from services.common.consume import event_loop
from services.common.outbox import OutboxRelay

from . import agents, api, api_cases, api_work
from .caseflow import CaseFlow
from .casestore import CaseStore
from .settings import VerificationSettings
from .queuestore import QueueReader
from .store import TipStore
from .sweep import ClockSweep


class VerificationService:
    def __init__(self, settings: VerificationSettings):
        self.settings = settings
        self.mongo = mongo.client(settings)
        db = mongo.database(settings, self.mongo, "verification")
        self.store = TipStore(db)
        self.queue = QueueReader(self.store.tips, self.store.counters)
        self.case_store = CaseStore(db)
        self.publisher = kafka.Publisher(settings, client_id="verification")
        self.outbox = OutboxRelay(self.store.tips, self.publisher)
        self.case_outbox = OutboxRelay(self.case_store.cases, self.publisher)
        self.flow = CaseFlow(self.case_store, self.store, self.case_outbox, self.outbox,
                             timedelta(seconds=settings.case_recover_after_s))
        self.sweep = ClockSweep(settings, self.store, self.flow)
        self.events = event_loop(settings, "verification", agents.CONSUMES,
                                 agents.tips_handler(self.store, settings.near, settings.remote_codes), self.publisher)
        self.recorded = event_loop(settings, agents.RECORDED_GROUP, agents.RECORDED,
                                   agents.recorded_handler(self.store, settings.near,
                                                           timedelta(seconds=settings.recorded_wait_s)),
                                   self.publisher)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.case_store.create_indexes()
        await self.store.counters.rebuild(self.store.tips)  # before the consumer moves any tip
        await self.publisher.start()
        await self.events.start()
        await self.recorded.start()
        await self.outbox.start()
        await self.case_outbox.start()
        await self.sweep.start()

    async def stop(self) -> None:
        await self.sweep.stop()
        await self.case_outbox.stop()
        await self.outbox.stop()
        await self.recorded.stop()
        await self.events.stop()
        await self.publisher.stop()
        await self.mongo.close()

    async def readiness(self) -> dict[str, bool]:
        return await health.dependencies(self.settings, self.mongo, self.events)


def create_app(settings: VerificationSettings | None = None) -> FastAPI:
    app = http.create_app("verification", settings or VerificationSettings(), VerificationService)
    app.include_router(api.router)
    app.include_router(api_cases.router)
    app.include_router(api_work.router)
    return app

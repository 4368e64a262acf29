"""What `/health/ready` reports for a service: its broker, its database, its consumer."""
from __future__ import annotations

from pymongo import AsyncMongoClient

from . import kafka, mongo
from .consume import EventLoop
from .settings import ServiceSettings


async def dependencies(settings: ServiceSettings, mongo_client: AsyncMongoClient,
                       events: EventLoop | None = None) -> dict[str, bool]:
    checks = {"broker": await kafka.broker_reachable(settings),
              "database": await mongo.reachable(mongo_client)}
    if events is not None:
        checks["consumer"] = await events.healthy()
    return checks

"""What `/health/ready` reports for a service: its broker, its database, its consumer."""
from __future__ import annotations

from typing import Protocol

from pymongo import AsyncMongoClient

from . import kafka, mongo
from .settings import ServiceSettings


class Consumer(Protocol):
    """`consume.EventLoop` or `streams.EventStream`."""
    async def healthy(self) -> bool: ...


async def dependencies(settings: ServiceSettings, mongo_client: AsyncMongoClient,
                       events: Consumer | None = None) -> dict[str, bool]:
    checks = {"broker": await kafka.broker_reachable(settings),
              "database": await mongo.reachable(mongo_client)}
    if events is not None:
        checks["consumer"] = await events.healthy()
    return checks

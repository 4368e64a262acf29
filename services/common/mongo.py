"""MongoDB access through pymongo only (any MongoDB-wire server: mongod, or SecantusDB in dev)."""
from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from .settings import ServiceSettings


def client(settings: ServiceSettings) -> AsyncMongoClient:
    return AsyncMongoClient(settings.mongo_uri, serverSelectionTimeoutMS=settings.mongo_timeout_ms,
                            tz_aware=True, appname="antt")


def database(settings: ServiceSettings, mongo: AsyncMongoClient, service: str) -> AsyncDatabase:
    """Each service owns its own database; no service reads another's collections."""
    return mongo[settings.database_name(service)]


async def reachable(mongo: AsyncMongoClient) -> bool:
    try:
        await mongo.admin.command("ping")
        return True
    except PyMongoError:
        return False

"""MongoDB access through pymongo only (any MongoDB-wire server: mongod, or SecantusDB in dev)."""
from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from .settings import ServiceSettings


def client(settings: ServiceSettings) -> AsyncMongoClient:
    # journal=True: a write is acknowledged only once it is in the journal. With the default
    # (w:1, no j) a database killed right after the ack loses the write: a receipt whose tip
    # got its 202, or a read-model write whose Kafka offset was committed after it.
    return AsyncMongoClient(settings.mongo_uri, serverSelectionTimeoutMS=settings.mongo_timeout_ms,
                            tz_aware=True, appname="antt", journal=True)


def database(settings: ServiceSettings, mongo: AsyncMongoClient, service: str) -> AsyncDatabase:
    """Each service owns its own database; no service reads another's collections."""
    return mongo[settings.database_name(service)]


async def reachable(mongo: AsyncMongoClient) -> bool:
    try:
        await mongo.admin.command("ping")
        return True
    except PyMongoError:
        return False

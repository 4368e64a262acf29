"""MongoDB access through pymongo only (any MongoDB-wire server: mongod, or SecantusDB in dev)."""
from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, PyMongoError

from .settings import ServiceSettings


def client(settings: ServiceSettings) -> AsyncMongoClient:
    # journal=True: a write is acknowledged only once it is in the journal. With the default
    # (w:1, no j) a database killed right after the ack loses the write: a receipt whose tip
    # got its 202, or a read-model write whose Kafka offset was committed after it.
    return AsyncMongoClient(settings.mongo_uri, serverSelectionTimeoutMS=settings.mongo_timeout_ms,
                            tz_aware=True, appname="antt", journal=True)


DUPLICATE_KEY = 11000


def duplicate_keys(exc: BulkWriteError) -> list[int]:
    """The indexes (in the batch) of the documents whose key existed; raises `exc` again if
    anything else failed. For writes where "already there" means "already done"."""
    errors = exc.details.get("writeErrors", [])
    if any(e.get("code") != DUPLICATE_KEY for e in errors) or exc.details.get("writeConcernErrors"):
        raise exc
    return [e["index"] for e in errors]


def database(settings: ServiceSettings, mongo: AsyncMongoClient, service: str) -> AsyncDatabase:
    """Each service owns its own database; no service reads another's collections."""
    return mongo[settings.database_name(service)]


async def reachable(mongo: AsyncMongoClient) -> bool:
    try:
        await mongo.admin.command("ping")
        return True
    except PyMongoError:
        return False

"""Read models: written by aggregation alone, read by the gateway. Their names live here once."""
from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from .settings import ServiceSettings

OWNER = "aggregation"
TIP_FACTS = "tip_facts"  # one document per tip: unit path, channel, programme, day, status


def tip_facts(settings: ServiceSettings, mongo: AsyncMongoClient) -> AsyncCollection:
    return mongo[settings.database_name(OWNER)][TIP_FACTS]

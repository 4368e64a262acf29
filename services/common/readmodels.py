"""Read models: written by aggregation alone, read by the gateway. Their names live here once."""
from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from .settings import ServiceSettings

OWNER = "aggregation"
TIP_FACTS = "tip_facts"  # one document per tip: unit paths, channel, programme, day, status
CAMERA_FACTS = "camera_facts"  # one per camera: unit paths, programme, status, installed_at
EXTRACTION_FACTS = "extraction_facts"  # one per extraction: unit paths, case, tip, extracted_at
CASE_FACTS = "case_facts"  # one per case: unit paths, status, clarified_at, camera_help, tip_ids
PROGRAMME_FACTS = "programme_facts"  # one per programme code: name, kind, unit paths, members
ACTIVITY_FACTS = "activity_facts"  # one per programme activity: unit paths, kind, month, counts
COLLECTIONS = (TIP_FACTS, CAMERA_FACTS, EXTRACTION_FACTS, CASE_FACTS, PROGRAMME_FACTS, ACTIVITY_FACTS)


def database(settings: ServiceSettings, mongo: AsyncMongoClient) -> AsyncDatabase:
    return mongo[settings.database_name(OWNER)]


def tip_facts(settings: ServiceSettings, mongo: AsyncMongoClient) -> AsyncCollection:
    return database(settings, mongo)[TIP_FACTS]

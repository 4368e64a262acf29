"""Replaying the topics from the beginning into an empty database gives the same documents as
the live read models."""
from __future__ import annotations

import asyncio

from services.aggregation.rebuild import differences, rebuild
from services.common import readmodels
from services.common.settings import ServiceSettings
from services.devstack import demo_year
from tests.conftest import eventually
from tests.integration.conftest import database, produce_events

DISTRICT, YEAR = "381", 2022  # Bỉm Sơn: no other test uses it


def documents(db) -> dict[str, list[dict]]:
    return {name: list(db[name].find().sort("_id", 1)) for name in readmodels.COLLECTIONS}


def test_a_rebuild_gives_the_live_documents(stack):
    events = demo_year.year_events(YEAR, DISTRICT, 0.03, seed=11, programmes=True)
    for topic in ("tips.verification", "cases", "tips.received", "extractions", "cameras", "programmes", "activities"):
        produce_events(stack.bootstrap, topic, events[topic])
    client, live = database(stack, "aggregation")
    last = events["tips.received"][-1].subject
    eventually(lambda: live.tip_facts.find_one({"_id": last}), 60)
    target = f"{stack.service_env()['MONGO_DB_PREFIX']}_rebuilt"
    settings = ServiceSettings(**stack.service_env())
    lines: list[str] = []
    counts = asyncio.run(rebuild(settings, target, progress=lines.append))
    rebuilt = client[target]
    assert counts["applied"] >= sum(len(v) for v in events.values()) and lines
    assert rebuilt.tip_facts.count_documents({"unit_path": DISTRICT}) == len(events["tips.received"])
    assert rebuilt.programme_facts.count_documents({"unit_path": DISTRICT}) == len(events["programmes"]) > 0
    eventually(lambda: documents(live) == documents(rebuilt), 60)
    live_name = settings.database_name(readmodels.OWNER)
    assert asyncio.run(differences(settings, live_name, target)) == []
    rebuilt.tip_facts.update_one({"_id": last}, {"$set": {"status": "tampered"}})
    rebuilt.camera_facts.delete_one({})
    found = asyncio.run(differences(settings, live_name, target))
    assert any(line.startswith("tip_facts: 1 different") for line in found)
    assert any(line.startswith("camera_facts: 1 only live") for line in found)
    client.close()

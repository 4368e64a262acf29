"""Pure logic of aggregation: how each event changes a tip's fact document. No I/O.

A fact is `{_id: tip_id, unit_path, channel, programme_code, category, received_at,
received_day, received_month, status, status_version}`. `tip.received` sets the tip's fixed
fields; `tip.status_changed` sets the status only if its version is newer than the stored one.
Applying the same events again, or in another order across the two topics, gives the same fact.
"""
from __future__ import annotations

from pymongo import UpdateOne

from services.common.contracts import Event
from services.common.times import VIETNAM, parse

VALUABLE = ("valuable", "converted")


def fact_of_received(data: dict) -> dict:
    received = parse(data["received_at"])
    local = received.astimezone(VIETNAM)
    return {"unit_code": data["unit_code"], "unit_path": data.get("unit_path") or [data["unit_code"]],
            "channel": data["channel"], "programme_code": data.get("programme_code"),
            "category": data.get("category"), "received_at": received,
            "received_day": local.strftime("%Y-%m-%d"), "received_month": local.strftime("%Y-%m")}


def update_for(event: Event) -> UpdateOne:
    data = event.data
    if event.type == "tip.received":
        return UpdateOne({"_id": data["tip_id"]},
                         {"$set": fact_of_received(data),
                          "$setOnInsert": {"status": "received", "status_version": 0}},
                         upsert=True)
    if event.type == "tip.status_changed":
        # An older or repeated change matches nothing; its upsert then collides with the
        # existing _id (duplicate key), which the store treats as "already applied".
        return UpdateOne({"_id": data["tip_id"], "status_version": {"$lt": data["version"]}},
                         {"$set": {"status": data["status"], "status_version": data["version"]}},
                         upsert=True)
    raise ValueError(f"aggregation does not handle {event.type}")

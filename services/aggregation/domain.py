"""Pure logic of aggregation: how each event changes the fact documents. No I/O.

A tip fact is `{_id: tip_id, unit_code, unit_path, unit_path_2025, channel, programme_code,
category, received_at, received_day, received_month, status, status_version, case_linked}`.
`tip.received` sets the tip's fixed fields; `tip.status_changed` sets the status only if its
version is newer than the stored one; a case that links the tip sets `case_linked`, which
counts as converted (and so valuable) whatever the status says, so the verification path
(`status: converted`) and the case path converge. Every update is a keyed upsert that commutes
with the others: the same events in any order across topics give the same documents.
"""
from __future__ import annotations

from pymongo import UpdateOne

from services.common import readmodels, units
from services.common.contracts import Event
from services.common.times import VIETNAM, parse

from . import facts
from .facts import NewFact

VALUABLE = ("valuable", "converted")
NEW_TIP = {"status": "received", "status_version": 0}
Write = tuple[str, UpdateOne | NewFact]  # (read-model collection, update)


def fact_of_received(data: dict) -> dict:
    received = parse(data["received_at"])
    local = received.astimezone(VIETNAM)
    return {"unit_code": data["unit_code"], "unit_path": data.get("unit_path") or [data["unit_code"]],
            "unit_path_2025": data.get("unit_path_2025") or units.path_2025(data["unit_code"]),
            "channel": data["channel"], "programme_code": data.get("programme_code"),
            "category": data.get("category"), "received_at": received,
            "received_day": local.strftime("%Y-%m-%d"), "received_month": local.strftime("%Y-%m")}


def update_for(event: Event) -> UpdateOne | NewFact:
    """The update of a tip event to its tip fact."""
    data = event.data
    if event.type == "tip.received":
        return NewFact(data["tip_id"], fact_of_received(data), NEW_TIP)
    if event.type == "tip.status_changed":
        # An older or repeated change matches nothing; its upsert then collides with the
        # existing _id (duplicate key), which the store treats as "already applied".
        return UpdateOne({"_id": data["tip_id"], "status_version": {"$lt": data["version"]}},
                         {"$set": {"status": data["status"], "status_version": data["version"]}},
                         upsert=True)
    raise ValueError(f"not a tip event: {event.type}")


def linked_tips(tip_ids: list[str]) -> list[Write]:
    """Tips linked to a case are converted (the case path; see the module doc)."""
    return [(readmodels.TIP_FACTS, UpdateOne({"_id": tip_id}, {"$set": {"case_linked": True},
                                                               "$setOnInsert": NEW_TIP}, upsert=True))
            for tip_id in tip_ids]


def writes_for(event: Event) -> list[Write]:
    """Every read-model update one event makes; events no read model uses (custody entries,
    legal steps and deadlines) make none: the loop has already checked their contract."""
    if event.type in ("tip.received", "tip.status_changed"):
        return [(readmodels.TIP_FACTS, update_for(event))]
    if event.type in ("camera.registered", "camera.updated"):
        return [(readmodels.CAMERA_FACTS, facts.camera(event.data))]
    if event.type == "extraction.logged":
        return facts.extraction(event.data)
    if event.type == "case.opened":
        return facts.case_opened(event.data) + linked_tips(event.data["tip_ids"])
    if event.type == "case.tips_linked":
        return facts.case_linked(event.data) + linked_tips(event.data["tip_ids"])
    if event.type == "case.status_changed":
        return facts.case_status(event.data)
    if event.type == "programme.registered":
        return [(readmodels.PROGRAMME_FACTS, facts.programme(event.data))]
    if event.type == "activity.logged":
        return [(readmodels.ACTIVITY_FACTS, facts.activity(event.data))]
    return []

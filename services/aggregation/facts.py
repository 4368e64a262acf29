"""Pure logic: camera, extraction and case facts (tips are in `domain.py`). No I/O.

- camera fact `{_id: camera_id, unit_code, unit_path, unit_path_2025, programme_code, status,
  installed_at, registered_at, version, revision}`: `camera.registered` (version 1) and
  `camera.updated` (versions 2, 3, ...) each carry the camera's whole registry fact, and replace
  the stored fact only if they are newer by (`registered_at`, `version`), which `revision`
  spells as one string that sorts the same way (one indexed-key condition: an `$or` of two made
  the embedded database scan the collection per write). A repeated or older change is a no-op;
  a camera registered again (a newer `registered_at`) starts over at version 1.
- extraction fact `{_id: extraction_id, unit_code, unit_path, unit_path_2025, camera_id,
  case_id, tip_id, extracted_at}`: fixed once logged; an extraction for a case also marks the
  case `camera_help: true`.
- case fact `{_id: case_id, unit_code, unit_path, unit_path_2025, opened_at, tip_ids, status,
  status_version, clarified_at, camera_help}`: the status follows the versions like a tip's;
  `clarified_at` is the earliest clarification (`$min`), whatever the status became later.
- programme fact `{_id: code, unit_code, unit_path, unit_path_2025, name, kind, launched_at,
  members, registered_at}`: the names and kinds reports show for programme codes; like a
  camera's, a registration replaces the fact only if it is newer (`registered_at`).
- activity fact `{_id: activity_id, unit_code, unit_path, unit_path_2025, programme_code, kind,
  started_at, started_month, count, participants, traffic, drugs, theft, disputes_settled,
  other}`: fixed once logged (a `NewFact`, like an extraction's), so a redelivered or replayed
  `activity.logged` changes nothing and the statistics count each activity once.
Every upsert that may create a case fact inserts `status_version: 0`, so the first versioned
status finds it whichever event came first.

A fact its first event makes whole (`tip.received`, `extraction.logged`) is a `NewFact`: the
store inserts it, which costs the database a fraction of an upsert, and applies it as the
equivalent upsert only where the key exists already (a redelivery, or a later event first).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from pymongo import UpdateOne

from services.common import readmodels, units
from services.common.times import VIETNAM, parse

NEW_CASE = {"status_version": 0}


@dataclass(frozen=True)
class NewFact:
    """The keyed upsert `{_id: key}` ← `$set: fields, $setOnInsert: on_insert`, which the store
    tries as the insert of `document()` first."""
    key: str
    fields: dict
    on_insert: dict = field(default_factory=dict)

    def document(self) -> dict:
        return {"_id": self.key, **self.on_insert, **self.fields}

    def as_update(self) -> UpdateOne:
        update = {"$set": self.fields, **({"$setOnInsert": self.on_insert} if self.on_insert else {})}
        return UpdateOne({"_id": self.key}, update, upsert=True)


def _place(data: dict) -> dict:
    return {"unit_code": data["unit_code"], "unit_path": data.get("unit_path") or [data["unit_code"]],
            "unit_path_2025": units.path_2025(data["unit_code"])}


def _case_status(case_id: str, status: str, version: int) -> tuple[str, UpdateOne]:
    # An older or repeated version matches nothing; the duplicate key is then a no-op.
    return (readmodels.CASE_FACTS,
            UpdateOne({"_id": case_id, "status_version": {"$lt": version}},
                      {"$set": {"status": status, "status_version": version}}, upsert=True))


def revision(registered_at: datetime, version: int) -> str:
    """A camera fact's (registered_at, version) as one string that sorts as the pair does. The
    time is cut to the millisecond, as the database keeps it: a registration's event carries
    the microseconds, a later change's (read back from the registry) does not."""
    utc = registered_at.astimezone(timezone.utc)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z/{version:09d}"


def camera(data: dict) -> UpdateOne:
    """The fact of `camera.registered` or `camera.updated` (see the module doc)."""
    registered, version = parse(data["registered_at"]), data.get("version", 1)
    fact = {**_place(data), "programme_code": data.get("programme_code"), "status": data["status"],
            "installed_at": parse(data["installed_at"]), "registered_at": registered, "version": version,
            "revision": revision(registered, version)}
    # An older or repeated event matches nothing, and its upsert collides with the existing _id
    # (duplicate key: a no-op); a fact written before revisions existed has none and is replaced.
    return UpdateOne({"_id": data["camera_id"], "revision": {"$not": {"$gte": fact["revision"]}}},
                     {"$set": fact}, upsert=True)


def extraction(data: dict) -> list[tuple[str, UpdateOne | NewFact]]:
    fact = {**_place(data), "camera_id": data["camera_id"], "case_id": data.get("case_id"),
            "tip_id": data.get("tip_id"), "extracted_at": parse(data["extracted_at"])}
    writes: list[tuple[str, UpdateOne | NewFact]] = [(readmodels.EXTRACTION_FACTS, NewFact(data["extraction_id"], fact))]
    if data.get("case_id"):
        writes.append((readmodels.CASE_FACTS,
                       UpdateOne({"_id": data["case_id"]}, {"$set": {"camera_help": True},
                                                            "$setOnInsert": NEW_CASE}, upsert=True)))
    return writes


def case_opened(data: dict) -> list[tuple[str, UpdateOne]]:
    fixed = {**_place(data), "opened_at": parse(data["opened_at"])}
    return [(readmodels.CASE_FACTS,
             UpdateOne({"_id": data["case_id"]},
                       {"$set": fixed, "$addToSet": {"tip_ids": {"$each": data["tip_ids"]}},
                        "$setOnInsert": NEW_CASE}, upsert=True)),
            _case_status(data["case_id"], "open", data["version"])]


def case_linked(data: dict) -> list[tuple[str, UpdateOne]]:
    # A case's events share its key, so they reach every consumer in the same order and the
    # array's order is the same after a rebuild.
    return [(readmodels.CASE_FACTS,
             UpdateOne({"_id": data["case_id"]},
                       {"$addToSet": {"tip_ids": {"$each": data["tip_ids"]}},
                        "$setOnInsert": NEW_CASE}, upsert=True))]


def case_status(data: dict) -> list[tuple[str, UpdateOne]]:
    writes = [_case_status(data["case_id"], data["status"], data["version"])]
    if data["status"] == "clarified":
        writes.append((readmodels.CASE_FACTS,
                       UpdateOne({"_id": data["case_id"]},
                                 {"$min": {"clarified_at": parse(data["changed_at"])},
                                  "$setOnInsert": NEW_CASE}, upsert=True)))
    return writes


def programme(data: dict) -> UpdateOne:
    registered = parse(data["registered_at"])
    fact = {**_place(data), "name": data["name"], "kind": data["kind"], "members": data["members"],
            "launched_at": parse(data["launched_at"]), "registered_at": registered}
    # An older or repeated registration matches nothing; the duplicate key is then a no-op.
    return UpdateOne({"_id": data["code"], "registered_at": {"$lt": registered}}, {"$set": fact}, upsert=True)


def activity(data: dict) -> NewFact:
    started = parse(data["started_at"])
    return NewFact(data["activity_id"], {
        **_place(data), "programme_code": data["programme_code"], "kind": data["kind"],
        "started_at": started, "started_month": started.astimezone(VIETNAM).strftime("%Y-%m"),
        "count": data["count"], "participants": data["participants"], **data["findings"]})

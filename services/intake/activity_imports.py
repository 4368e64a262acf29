"""Bulk import of programme activities (a ward's patrol logbook, a district's monthly sheet):
`POST /activities/import` takes a CSV or XLSX file (common/imports.py runs the job) and each row
is checked by the rules of `POST /activities`.

A row without `activity_id` gets one derived from the file's SHA-256 and the row number, so
uploading the same file again adds nothing (its rows count as already imported), and a batch
replayed after a crash inserts nothing new and publishes the same events again (same ids:
aggregation's keyed inserts ignore them).
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from pydantic import ValidationError

from services.common import contracts, imports, sheets
from services.common.auth import Principal
from services.common.errors import ApiError, validation_fields

from . import activities_domain as domain

ACTIVITIES = contracts.topic("activities")
COLUMNS = ("activity_id", "programme_code", "kind", "unit_code", "started_at", "ended_at", "count",
           "participants", *domain.FINDINGS, "note")
REQUIRED = ("programme_code", "kind", "unit_code", "started_at", "ended_at", "participants")
NUMBERS = ("count", "participants", *domain.FINDINGS)
_INTEGER = re.compile(r"[+-]?[0-9]+")


def check_columns(columns: list[str]) -> list[dict]:
    return sheets.header_problems(columns, COLUMNS, REQUIRED)


def _number(value: object) -> object:
    """A count as a spreadsheet gives it (text in a CSV, a float in XLSX) as an int, if it is one."""
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def submission(cells: dict[str, object]) -> domain.ActivityIn:
    """A row as the body of `POST /activities`; raises pydantic's ValidationError."""
    body: dict = {k: (_number(v) if k in NUMBERS else sheets.as_text(v))
                  for k, v in cells.items() if v is not None and k not in domain.FINDINGS}
    findings = {k: _number(cells[k]) for k in domain.FINDINGS if cells.get(k) is not None}
    if findings:
        body["findings"] = findings
    return domain.ActivityIn.model_validate(body)


def row_id(sha256: str, row: int) -> str:
    return f"ACT-{sha256[:20]}-{row}"


def event_id(activity_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"antt/activity.logged/{activity_id}"))


class ActivityImports:
    """The service's part of an activity import job: its batches."""

    def __init__(self, activities):
        self._activities = activities  # activities.Activities

    async def _check(self, row: int, cells: dict, owner: Principal,
                     now: datetime) -> tuple[domain.ActivityIn, list[str]] | list[dict]:
        """The row's activity and unit path, or its errors `{row, field, reason}`."""
        try:
            body = submission(cells)
            return body, await self._activities.check(body, owner, now)
        except ValidationError as exc:
            fields = validation_fields(exc.errors())
        except ApiError as exc:
            fields = exc.fields or [{"field": "unit_code", "reason": exc.message}]
        return [{"row": row, "field": f["field"].removeprefix("findings."), "reason": f["reason"]} for f in fields]

    async def process(self, job: dict, batch: list[sheets.Row]) -> imports.BatchResult:
        """Insert the rows' documents (keyed: a replay or a re-upload inserts nothing), then
        publish the events of this job's rows in one transaction."""
        owner, now = Principal(**job["owner"]), datetime.now(timezone.utc)
        docs, errors = [], []
        for row, cells in batch:
            checked = await self._check(row, cells, owner, now)
            if isinstance(checked, list):
                errors += checked
                continue
            body, unit_path = checked
            activity_id = body.activity_id or row_id(job["file"]["sha256"], row)
            doc = domain.activity_doc(body, activity_id, unit_path, owner, job["created_at"])
            docs.append({**doc, "job_id": job["_id"], "row": row})
        store = self._activities.store
        existing = await store.add_many(docs)
        earlier = await store.get_many(sorted(existing)) if existing else {}
        mine, already = [], 0
        for doc in docs:
            before = earlier.get(doc["_id"])
            if before is None or before.get("job_id") == job["_id"]:
                mine.append(doc)  # new, or this job's own row replayed after a crash
            elif before["fingerprint"] == doc["fingerprint"]:
                already += 1
            else:
                errors.append({"row": doc["row"], "field": "activity_id", "reason": "is taken by another activity"})
        if mine:
            await self._activities.publisher.publish_many(ACTIVITIES, [
                contracts.make_event("activity.logged/1", subject=d["_id"], source="intake", event_id=event_id(d["_id"]),
                                     data=domain.logged_data(d)) for d in mine])
        return imports.BatchResult(done=len(mine) + already, already=already,
                                   failed=len({e["row"] for e in errors}), errors=sorted(errors, key=lambda e: e["row"]))

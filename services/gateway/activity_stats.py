"""Statistics of programme activities over aggregation's activity facts (one per logged
activity, see services/aggregation/facts.py): how many outings (`activities`, the sum of each
record's `count`), person-times (`participants`) and findings, in a unit and period (by the
activity's start), grouped by kind, programme or month (Vietnam's time)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pymongo.asynchronous.database import AsyncDatabase

from services.common import readmodels

from .stats import Era, _period, unit_field

GroupBy = Literal["kind", "programme", "month"]
FINDINGS = ("traffic", "drugs", "theft", "disputes_settled", "other")
MEASURES = ("activities", "records", "participants", *FINDINGS)
_KEYS = {"kind": "$kind", "programme": "$programme_code", "month": "$started_month"}
_SUMS = {"activities": "$count", "records": 1, "participants": "$participants", **{f: f"${f}" for f in FINDINGS}}


def activity_pipeline(unit_code: str, group_by: GroupBy | None, start: datetime | None,
                      end: datetime | None, era: Era = "legacy", kind: str | None = None) -> list[dict]:
    match = {unit_field(era): unit_code, "started_at": _period(start, end)}
    if kind is not None:
        match["kind"] = kind
    return [{"$match": match},
            {"$group": {"_id": _KEYS[group_by] if group_by else None,
                        **{m: {"$sum": source} for m, source in _SUMS.items()}}},
            {"$sort": {"_id": 1}}]


async def activity_stats(db: AsyncDatabase, unit_code: str, group_by: GroupBy | None,
                         start: datetime | None, end: datetime | None, era: Era = "legacy",
                         kind: str | None = None) -> dict:
    cursor = await db[readmodels.ACTIVITY_FACTS].aggregate(
        activity_pipeline(unit_code, group_by, start, end, era, kind))
    rows = await cursor.to_list()
    total = {m: sum(r[m] for r in rows) for m in MEASURES}
    groups = [{"key": r["_id"], **{m: r[m] for m in MEASURES}} for r in rows] if group_by else []
    return {"unit_code": unit_code, "total": total, "groups": groups}


async def report_activities(db: AsyncDatabase, unit_code: str, start: datetime, end: datetime,
                            era: Era) -> dict[str, dict]:
    """The yearly report's figures: each kind's measures (kinds without activities left out)."""
    found = await activity_stats(db, unit_code, "kind", start, end, era)
    return {g["key"]: {m: g[m] for m in MEASURES} for g in found["groups"]}

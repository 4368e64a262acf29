"""Statistics queries over the read models (aggregation writes them, the gateway reads them)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pymongo.asynchronous.collection import AsyncCollection

from services.common import units

GroupBy = Literal["channel", "programme", "category", "unit", "month"]
VALUABLE = ["valuable", "converted"]
WARD_DEPTH = 2  # unit_path is [province, district, ward]
_FIELDS = {"channel": "$channel", "programme": "$programme_code", "category": "$category",
           "month": "$received_month"}


def tip_pipeline(unit_code: str, group_by: GroupBy | None, received_from: datetime | None,
                 received_to: datetime | None) -> list[dict]:
    received: dict = {"$exists": True}
    if received_from:
        received["$gte"] = received_from
    if received_to:
        received["$lt"] = received_to
    if group_by == "unit":  # the units one level below unit_code (a ward: the ward itself)
        depth = min(len(units.path(unit_code)), WARD_DEPTH)
        key: object = {"$arrayElemAt": ["$unit_path", depth]}
    else:
        key = _FIELDS[group_by] if group_by else None
    return [
        {"$match": {"unit_path": unit_code, "received_at": received}},
        {"$group": {"_id": key, "received": {"$sum": 1},
                    "valuable": {"$sum": {"$cond": [{"$in": ["$status", VALUABLE]}, 1, 0]}},
                    "converted": {"$sum": {"$cond": [{"$eq": ["$status", "converted"]}, 1, 0]}}}},
        {"$sort": {"_id": 1}},
    ]


async def tip_stats(facts: AsyncCollection, unit_code: str, group_by: GroupBy | None,
                    received_from: datetime | None, received_to: datetime | None) -> dict:
    cursor = await facts.aggregate(tip_pipeline(unit_code, group_by, received_from, received_to))
    rows = await cursor.to_list()
    total = {k: sum(r[k] for r in rows) for k in ("received", "valuable", "converted")}
    groups = [{"key": r["_id"], "received": r["received"], "valuable": r["valuable"],
               "converted": r["converted"]} for r in rows] if group_by else []
    return {"unit_code": unit_code, "total": total, "groups": groups}

"""Statistics queries over the read models (aggregation writes them, the gateway reads them).

A unit code is read in one era: `legacy` (the units before the 2025 reform, which every fact
carries in `unit_path`) or `2025` (the merged units, `unit_path_2025`); a 2025 unit's figures
include the tips of every legacy unit that merged into it, in every year.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from services.common import readmodels, units
from services.common.times import VIETNAM

GroupBy = Literal["channel", "programme", "category", "unit", "month"]
Era = Literal["legacy", "2025"]
VALUABLE = ["valuable", "converted"]
WARD_DEPTH = 2  # unit_path is [province, district, ward]
DECISION_DAYS = 20  # BLTTHS Art. 147: a tip is decided within 20 days of receipt
_FIELDS = {"channel": "$channel", "programme": "$programme_code", "category": "$category",
           "month": "$received_month"}
_LINKED = {"$eq": ["$case_linked", True]}
_CONVERTED = {"$or": [{"$eq": ["$status", "converted"]}, _LINKED]}
_VALUABLE = {"$or": [{"$in": ["$status", VALUABLE]}, _LINKED]}
# each group's counts of received, valuable and converted tips (`$group` accumulators)
_TIP_SUMS = {"received": {"$sum": 1}, "valuable": {"$sum": {"$cond": [_VALUABLE, 1, 0]}},
             "converted": {"$sum": {"$cond": [_CONVERTED, 1, 0]}}}


def era_of(code: str, requested: Era | None = None) -> Era | None:
    """The era a code is read in: as requested, else legacy if it is a legacy code, else 2025;
    None if the code is no unit of that era."""
    if requested == "2025" or (requested is None and units.get(code) is None):
        return "2025" if code in units.units_2025() else None
    return "legacy" if units.get(code) is not None else None


def unit_field(era: Era) -> str:
    return "unit_path_2025" if era == "2025" else "unit_path"


def year_period(year: int) -> tuple[datetime, datetime]:
    """A calendar year in Vietnam's time."""
    return datetime(year, 1, 1, tzinfo=VIETNAM), datetime(year + 1, 1, 1, tzinfo=VIETNAM)


def _period(start: datetime | None, end: datetime | None) -> dict:
    period: dict = {"$exists": True}
    if start:
        period["$gte"] = start
    if end:
        period["$lt"] = end
    return period


def tip_pipeline(unit_code: str, group_by: GroupBy | None, received_from: datetime | None,
                 received_to: datetime | None, *, era: Era = "legacy", channel: str | None = None,
                 programme_code: str | None = None, category: str | None = None) -> list[dict]:
    if group_by == "unit" and era == "2025":  # [province, ward]: a province's wards, a ward itself
        key: object = {"$arrayElemAt": ["$unit_path_2025", 1]}
    elif group_by == "unit":  # the units one level below unit_code (a ward: the ward itself)
        depth = min(len(units.path(unit_code)), WARD_DEPTH)
        key = {"$arrayElemAt": ["$unit_path", depth]}
    else:
        key = _FIELDS[group_by] if group_by else None
    match = {unit_field(era): unit_code, "received_at": _period(received_from, received_to)}
    filters = {"channel": channel, "programme_code": programme_code, "category": category}
    match.update({k: v for k, v in filters.items() if v is not None})
    return [
        {"$match": match},
        {"$group": {"_id": key, **_TIP_SUMS}},
        {"$sort": {"_id": 1}},
    ]


async def tip_stats(facts: AsyncCollection, unit_code: str, group_by: GroupBy | None,
                    received_from: datetime | None, received_to: datetime | None,
                    **filters) -> dict:
    """`filters`: era, channel, programme_code, category (see `tip_pipeline`)."""
    cursor = await facts.aggregate(tip_pipeline(unit_code, group_by, received_from, received_to, **filters))
    rows = await cursor.to_list()
    total = _total(rows)
    groups = [{"key": r["_id"], "received": r["received"], "valuable": r["valuable"],
               "converted": r["converted"]} for r in rows] if group_by else []
    return {"unit_code": unit_code, "total": total, "groups": groups}


def camera_filters(unit_code: str, start: datetime | None, end: datetime | None,
                   era: Era) -> dict[str, dict]:
    """The filter of each camera figure: cameras installed before the period's end (of which
    `cameras_broken` counts those broken now, their last known status), extractions
    in the period, cases clarified in the period with the help of at least one extraction."""
    where = unit_field(era)
    cameras: dict = {where: unit_code}
    if end:
        cameras["installed_at"] = {"$lt": end}
    return {"cameras": cameras,
            "extractions": {where: unit_code, "extracted_at": _period(start, end)},
            "cases_clarified": {where: unit_code, "clarified_at": _period(start, end),
                                "camera_help": True}}


async def camera_stats(db: AsyncDatabase, unit_code: str, start: datetime | None,
                       end: datetime | None, era: Era = "legacy") -> dict:
    where = camera_filters(unit_code, start, end, era)
    cameras = db[readmodels.CAMERA_FACTS]
    cursor = await cameras.aggregate([{"$match": {**where["cameras"], "programme_code": {"$ne": None}}},
                                      {"$group": {"_id": "$programme_code"}}])
    programmes = len(await cursor.to_list())
    return {"unit_code": unit_code, "cameras": await cameras.count_documents(where["cameras"]),
            "cameras_broken": await cameras.count_documents({**where["cameras"], "status": "broken"}),
            "camera_programmes": programmes,
            "extractions": await db[readmodels.EXTRACTION_FACTS].count_documents(where["extractions"]),
            "cases_clarified": await db[readmodels.CASE_FACTS].count_documents(where["cases_clarified"])}


def report_tip_pipeline(unit_code: str, year: int, era: Era, now: datetime) -> list[dict]:
    """One pass over the tips of the year and the previous one: per (year, channel, programme),
    the counts of `tip_pipeline`, and the open tips (not decided, not in a case) and the overdue
    ones among them (past the decision deadline)."""
    start, end = year_period(year)
    open_ = {"$and": [{"$eq": ["$status", "received"]}, {"$ne": ["$case_linked", True]}]}
    overdue = {"$and": [open_, {"$lt": ["$received_at", now - timedelta(days=DECISION_DAYS)]}]}
    return [
        {"$match": {unit_field(era): unit_code, "received_at": _period(year_period(year - 1)[0], end)}},
        {"$group": {"_id": {"current": {"$gte": ["$received_at", start]}, "channel": "$channel",
                            "programme": "$programme_code"},
                    **_TIP_SUMS,
                    "open": {"$sum": {"$cond": [open_, 1, 0]}},
                    "overdue": {"$sum": {"$cond": [overdue, 1, 0]}}}},
    ]


_TIP_COUNTS = tuple(_TIP_SUMS)


def _total(rows: list[dict], counts: tuple[str, ...] = _TIP_COUNTS) -> dict[str, int]:
    return {c: sum(r[c] for r in rows) for c in counts}


def _sum_by(rows: list[dict], key: str) -> list[dict]:
    """Rows summed per `_id[key]`, sorted by key as the database sorts (no key first)."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(row["_id"][key], []).append(row)
    return [{"key": k, **_total(groups[k])} for k in sorted(groups, key=lambda k: (k is not None, k or ""))]


async def report_figures(db: AsyncDatabase, unit_code: str, year: int, era: Era = "legacy",
                         now: datetime | None = None) -> dict:
    """Every figure of the yearly report (see `report.py`), this year and the previous one."""
    start, end = year_period(year)
    prev_start, prev_end = year_period(year - 1)
    unit = units.get(unit_code) if era == "legacy" else units.units_2025()[unit_code]
    cursor = await db[readmodels.TIP_FACTS].aggregate(
        report_tip_pipeline(unit_code, year, era, now or datetime.now(timezone.utc)))
    rows = await cursor.to_list()
    current = [r for r in rows if r["_id"]["current"]]
    previous = [r for r in rows if not r["_id"]["current"]]
    by_programme = _sum_by(current, "programme")
    return {"unit_code": unit_code, "unit_name": unit.name, "year": year, "era": era,
            "tips": _total(current, (*_TIP_COUNTS, "open", "overdue")),
            "by_channel": _sum_by(current, "channel"), "by_programme": by_programme,
            "programmes": await programme_names(db, [g["key"] for g in by_programme]),
            "cameras": _camera_figures(await camera_stats(db, unit_code, start, end, era)),
            "previous": {"tips": _total(previous),
                         "cameras": _camera_figures(await camera_stats(db, unit_code, prev_start, prev_end, era))}}


async def programme_names(db: AsyncDatabase, codes: list[str | None]) -> dict[str, dict]:
    """The registered name and kind of each programme code (aggregation's programme facts);
    codes nobody registered are left out."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    cursor = db[readmodels.PROGRAMME_FACTS].find({"_id": {"$in": wanted}}, {"name": 1, "kind": 1})
    return {d["_id"]: {"name": d["name"], "kind": d["kind"]} async for d in cursor}


def named_groups(groups: list[dict], names: dict[str, dict]) -> list[dict]:
    """Groups by programme with the programme's `name` and `kind` (None if not registered)."""
    return [{**g, "name": names.get(g["key"], {}).get("name"), "kind": names.get(g["key"], {}).get("kind")}
            for g in groups]


REPORT_CAMERA_FIGURES = ("cameras", "camera_programmes", "extractions", "cases_clarified")


def _camera_figures(stats: dict) -> dict:
    """The camera figures of a year (`cameras_broken` is today's, not the year's)."""
    return {k: stats[k] for k in REPORT_CAMERA_FIGURES}

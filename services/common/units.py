"""Administrative units (province > district > ward/commune) with their official codes.

Source: the legacy (pre-2025) unit table shipped by the PyPI package `vietnamadminunits`.
Codes are strings: province "38", district "380", ward "14767".
"""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str  # province | district | ward
    parent: str | None
    lat: float | None
    lon: float | None


@cache
def all_units() -> dict[str, Unit]:
    path = resources.files("vietnamadminunits") / "data" / "dataset.db"
    with resources.as_file(path) as db_path:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        rows = con.execute(
            "SELECT provinceCode, province, provinceLat, provinceLon, districtCode, district, "
            "districtLat, districtLon, wardCode, ward, wardLat, wardLon FROM admin_units_legacy").fetchall()
        con.close()
    units: dict[str, Unit] = {}
    for (pc, pn, plat, plon, dc, dn, dlat, dlon, wc, wn, wlat, wlon) in rows:
        units.setdefault(pc, Unit(pc, pn, "province", None, plat, plon))
        units.setdefault(dc, Unit(dc, dn, "district", pc, dlat, dlon))
        if wc:
            units.setdefault(wc, Unit(wc, wn, "ward", dc, wlat, wlon))
    return units


def get(code: str) -> Unit | None:
    return all_units().get(code)


def path(code: str) -> list[str]:
    """Codes from the province down to `code`, e.g. ["38", "380", "14767"]."""
    out: list[str] = []
    unit = get(code)
    while unit is not None:
        out.append(unit.code)
        unit = get(unit.parent) if unit.parent else None
    return out[::-1]


def covers(scope: str, code: str) -> bool:
    """True if `code` is the unit `scope` or lies below it."""
    return scope in path(code)


def nearest_ward(lat: float, lon: float) -> Unit | None:
    """The ward or commune whose centre is nearest to a point (equirectangular distance)."""
    scale = math.cos(math.radians(lat))
    best, best_d = None, math.inf
    for unit in all_units().values():
        if unit.level != "ward" or unit.lat is None or unit.lon is None:
            continue
        d = (unit.lat - lat) ** 2 + ((unit.lon - lon) * scale) ** 2
        if d < best_d:
            best, best_d = unit, d
    return best

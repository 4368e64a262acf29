"""Administrative units (province > district > ward/commune) with their official codes.

Source: the legacy (pre-2025) unit table shipped by the PyPI package `vietnamadminunits`.
Codes are strings: province "38", district "380", ward "14767".
"""
from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path


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
    with resources.as_file(_data_path("dataset.db")) as db_path:
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


def preload() -> None:
    """Read the unit tables now (a second or more), not on the first tip that needs them."""
    all_units()
    units_2025()
    _parts_2025()


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


# --- The 2025 reform: two-tier units (province > ward/commune) and the crosswalk to them ---
# Source: the 2025 table (`admin_units`) and the converter data (`converter_2025.json`) of
# `vietnamadminunits`. Legacy and 2025 codes share one number space (a merged ward usually
# keeps the code of one of its parts), so a code is read in one era or the other, never both.


def _data_path(name: str) -> Path:
    """A data file of `vietnamadminunits`, found without importing the package: its code (an
    address parser) imports Unidecode (GPL-2.0+), shapely and geopy, which the image leaves out
    (the package is installed there without its dependencies; see pyproject's `data-only`)."""
    spec = find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the package vietnamadminunits (the unit table) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / name


@cache
def units_2025() -> dict[str, Unit]:
    """The units in force since 2025-07-01: provinces and their wards/communes."""
    with resources.as_file(_data_path("dataset.db")) as db_path:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        rows = con.execute("SELECT provinceCode, province, provinceLat, provinceLon, wardCode, ward, "
                           "wardLat, wardLon FROM admin_units").fetchall()
        con.close()
    out: dict[str, Unit] = {}
    for pc, pn, plat, plon, wc, wn, wlat, wlon in rows:
        out.setdefault(pc, Unit(pc, pn, "province", None, plat, plon))
        out.setdefault(wc, Unit(wc, wn, "ward", pc, wlat, wlon))
    return out


@cache
def crosswalk_2025() -> dict[str, str]:
    """Legacy province and ward codes → the 2025 province or ward that took them over (a
    legacy ward split between several new wards goes to the converter's default one)."""
    with resources.as_file(_data_path("dataset.db")) as db_path:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        legacy = con.execute("SELECT provinceCode, provinceKey, wardCode, "
                             "provinceKey || '_' || districtKey || '_' || wardKey FROM admin_units_legacy").fetchall()
        new = con.execute("SELECT provinceCode, provinceKey, wardCode, wardKey FROM admin_units").fetchall()
        con.close()
    with resources.as_file(_data_path("converter_2025.json")) as json_path:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    new_province = {key: code for code, key, _, _ in new}
    new_ward = {(pkey, wkey): wcode for _, pkey, wcode, wkey in new}
    legacy_ward = {key: code for _, _, code, key in legacy if code}
    out: dict[str, str] = {}
    for new_key, old_keys in data["DICT_PROVINCE"].items():
        for code, key, _, _ in legacy:
            if key in old_keys:
                out[code] = new_province[new_key]
    for pkey, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, old_keys in wards.items():
            for old in old_keys:
                if old in legacy_ward and (pkey, wkey) in new_ward:
                    out[legacy_ward[old]] = new_ward[(pkey, wkey)]
    for pkey, divided in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in divided.items():
            default = next((p["newWardKey"] for p in parts if p["isDefaultNewWard"]), None)
            if old in legacy_ward and (pkey, default) in new_ward:
                out.setdefault(legacy_ward[old], new_ward[(pkey, default)])
    return out


def path_2025(legacy_code: str) -> list[str]:
    """The 2025 province and ward of a legacy unit, e.g. "14767" → ["38", "14797"]; a legacy
    district gives its 2025 province only (districts were abolished)."""
    codes = path(legacy_code)
    if not codes:
        return []
    province = crosswalk_2025().get(codes[0])
    out = [province] if province else []
    if len(codes) == 3 and codes[2] in crosswalk_2025():
        out.append(crosswalk_2025()[codes[2]])
    return out


@cache
def _parts_2025() -> dict[str, tuple[str, ...]]:
    """The crosswalk inverted once: each 2025 unit → its legacy parts of the same level."""
    parts: dict[str, list[str]] = {}
    for old, new in crosswalk_2025().items():
        if get(old) is not None and new in units_2025() and get(old).level == units_2025()[new].level:
            parts.setdefault(new, []).append(old)
    return {new: tuple(sorted(olds)) for new, olds in parts.items()}


def legacy_parts(code_2025: str) -> list[str]:
    """The legacy provinces or wards that went into a 2025 unit (sorted)."""
    return list(_parts_2025().get(code_2025, ()))


@dataclass(frozen=True)
class Placement:
    """Where a tip belongs: `code` as given, read in `era` ("legacy" or "2025"), with both
    paths. `path` holds the legacy units down to the deepest one that covers the place (for a
    2025 unit, the common ancestor of its legacy parts), so legacy scopes keep working;
    `path_2025` is the mapping to today's units, kept beside it."""
    code: str
    era: str
    path: list[str]
    path_2025: list[str]

    @property
    def scope(self) -> str:
        """The deepest legacy unit covering the place: what access checks and labels use."""
        return self.path[-1] if self.path else self.code

    def covered_by(self, scope: str) -> bool:
        return covers(scope, self.code) if self.era == "legacy" else covers_2025(scope, self.code)


def place(code: str, era: str | None = None) -> Placement | None:
    """The placement of a unit code in `era`; without one, a legacy code is read as legacy
    (the contract's codes), any other as a 2025 code. None if no unit of that era has it."""
    if era is None:
        era = "legacy" if get(code) is not None else "2025"
    if era == "legacy":
        return Placement(code, era, path(code), path_2025(code)) if get(code) is not None else None
    unit = units_2025().get(code)
    if unit is None:
        return None
    common: list[str] = []
    for level in zip(*(path(part) for part in legacy_parts(code))):
        if len(set(level)) > 1:
            break
        common.append(level[0])
    return Placement(code, era, common, [unit.parent, code] if unit.parent else [code])


def covers_2025(scope: str, code_2025: str) -> bool:
    """A user of legacy unit `scope` may read a 2025 unit if it lies in the same 2025 province
    (provincial users) or if every legacy part of it is within `scope`."""
    unit = units_2025().get(code_2025)
    if unit is None:
        return False
    if scope in (code_2025, unit.parent) and scope in units_2025():
        return True
    parts = legacy_parts(code_2025)
    return bool(parts) and all(covers(scope, p) for p in parts)

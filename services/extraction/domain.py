"""Pure logic of camera-extraction: what cameras and extractions may contain, who sees and does
what, which cameras still hold footage of a moment, and the event data. No I/O."""
from __future__ import annotations

import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.common import units
from services.common.auth import Principal
from services.common.errors import ApiError
from services.common.times import iso, zoned

OwnerKind = Literal["household", "business", "public_body"]
CameraStatus = Literal["working", "broken"]
ExportMethod = Literal["usb", "sd_card", "network", "cloud", "screen_recording", "other"]
REGISTERING_ROLES = ("camera_operator", "commander", "admin")
VIEWING_ROLES = ("camera_operator", "officer", "commander", "admin")
CONTACT_ROLES = ("camera_operator", "admin")  # the owner's contact is for the operator only
EXTRACTING_ROLES = ("camera_operator", "officer", "admin")
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Owner(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: OwnerKind
    name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(None, max_length=200, description="phone or e-mail; operators only")


class CameraIn(BaseModel):
    """The body of `POST /cameras` (and one row of an import)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    camera_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    unit_code: str = Field(pattern=r"^[0-9]{2,5}$")
    location: Location
    owner: Owner
    programme_code: str | None = Field(None, max_length=64)
    retention_days: int = Field(ge=1, le=3650)
    status: CameraStatus = "working"
    installed_at: datetime

    _vietnam_time_by_default = field_validator("installed_at")(zoned)


CHANGEABLE = ("status", "retention_days", "programme_code", "owner")


class CameraChange(BaseModel):
    """The body of `PATCH /cameras/{camera_id}`: the fields to change, at least one;
    `programme_code: null` takes the camera out of its programme, `owner` is replaced whole."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: CameraStatus | None = None
    retention_days: int | None = Field(None, ge=1, le=3650)
    programme_code: str | None = Field(None, min_length=1, max_length=64)
    owner: Owner | None = None
    version: int | None = Field(None, ge=1, description="optional: the version you read; 409 if the camera "
                                                        "changed since (a lost update otherwise)")


class FileRef(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=255, pattern=r"^[^/\\\x00]+$")
    size: int = Field(ge=0)
    sha256: str = Field(pattern=SHA256_PATTERN, description="64 lowercase hex digits")

    @field_validator("sha256", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class ExtractionIn(BaseModel):
    """The body of `POST /extractions`."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    camera_id: str = Field(min_length=1, max_length=64)
    case_id: str | None = Field(None, min_length=1, max_length=64)
    tip_id: str | None = Field(None, min_length=1, max_length=64)
    time_from: datetime
    time_to: datetime
    reason: str = Field(min_length=1, max_length=4000)
    extracted_at: datetime | None = None
    clock_offset_s: int = Field(0, ge=-86400 * 366, le=86400 * 366,
                                description="device clock minus true time, as the operator noted it")
    export_method: ExportMethod = "usb"
    files: list[FileRef] = Field(default_factory=list, max_length=500)

    _vietnam_time_by_default = field_validator("time_from", "time_to", "extracted_at")(zoned)


Action = Literal["viewed", "transferred", "exported", "disposed"]


class CustodyIn(BaseModel):
    """The body of `POST /extractions/{id}/custody`: one event in the footage's life."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    action: Action
    to_person: str | None = Field(None, min_length=1, max_length=200)
    to_unit_code: str | None = Field(None, pattern=r"^[0-9]{2,5}$")
    note: str | None = Field(None, max_length=4000)


def invalid(*fields: tuple[str, str]) -> ApiError:
    return ApiError(422, "the request has invalid fields",
                    fields=[{"field": f, "reason": r} for f, r in fields])


def check_camera(camera: CameraIn, user: Principal, now: datetime) -> list[str]:
    """The camera's unit path; 422/403 naming the field if it cannot be registered."""
    if units.get(camera.unit_code) is None:
        raise invalid(("unit_code", f"no administrative unit has code {camera.unit_code}"))
    if camera.installed_at > now:
        raise invalid(("installed_at", "is in the future"))
    if not user.covers(camera.unit_code):
        raise ApiError(403, f"unit {camera.unit_code} is outside your unit {user.unit_code}",
                       fields=[{"field": "unit_code", "reason": "outside your unit"}])
    return units.path(camera.unit_code)


def camera_doc(camera: CameraIn, unit_path: list[str], now: datetime) -> dict:
    return {"_id": camera.camera_id, "unit_code": camera.unit_code, "unit_path": unit_path,
            "location": {"type": "Point", "coordinates": [camera.location.lon, camera.location.lat]},
            "owner": camera.owner.model_dump(), "programme_code": camera.programme_code,
            "retention_days": camera.retention_days, "status": camera.status,
            "installed_at": camera.installed_at, "registered_at": now, "version": 1, "outbox": [],
            "search": search_key(camera.camera_id, camera.owner.name)}


def fold(text: str) -> str:
    """Lower case without diacritics ("đ" as "d"): what a search compares."""
    text = text.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def search_key(camera_id: str, owner_name: str) -> str:
    """What `GET /cameras?q=` looks in: the camera's id and its owner's name, folded."""
    return fold(f"{camera_id} {owner_name}")


def search_pattern(q: str) -> dict:
    """The query on `search` for the words of `q` (each must occur; typed with or without
    diacritics)."""
    words = fold(q).split()
    return {"$and": [{"search": {"$regex": re.escape(w)}} for w in words]} if words else {}


def camera_view(doc: dict, user: Principal) -> dict:
    """A camera as the caller may see it: the owner's contact only for operators."""
    lon, lat = doc["location"]["coordinates"]
    owner = dict(doc["owner"])
    if user.role not in CONTACT_ROLES:
        owner.pop("contact", None)
    unit = units.get(doc["unit_code"])
    view = {"camera_id": doc["_id"], "unit_code": doc["unit_code"], "unit_name": unit.name if unit else None, "location": {"lat": lat, "lon": lon},
            "owner": owner, "programme_code": doc.get("programme_code"),
            "retention_days": doc["retention_days"], "status": doc["status"],
            "installed_at": iso(doc["installed_at"]), "registered_at": iso(doc["registered_at"]),
            "version": doc.get("version", 1), "updated_at": iso(doc["updated_at"]) if doc.get("updated_at") else None}
    if "distance_m" in doc:
        view["distance_m"] = round(doc["distance_m"], 1)
    return view


def camera_registered_data(doc: dict) -> dict:
    """`camera.registered/1`: the registry fact without the owner's name or contact."""
    lon, lat = doc["location"]["coordinates"]
    return {"camera_id": doc["_id"], "unit_code": doc["unit_code"], "unit_path": doc["unit_path"],
            "location": {"lat": lat, "lon": lon}, "owner_kind": doc["owner"]["kind"],
            "programme_code": doc.get("programme_code"), "retention_days": doc["retention_days"],
            "status": doc["status"], "installed_at": iso(doc["installed_at"]),
            "registered_at": iso(doc["registered_at"])}


def check_change(change: CameraChange) -> list[str]:
    """The fields a change gives; 422 naming the body if none, or each one that is null but
    may not be."""
    given = [f for f in CHANGEABLE if f in change.model_fields_set]
    if not given:
        raise invalid(("body", f"give at least one of {', '.join(CHANGEABLE)}"))
    nulls = [f for f in given if f != "programme_code" and getattr(change, f) is None]
    if nulls:
        raise invalid(*((f, "may not be null") for f in nulls))
    return given


def check_version(doc: dict, change: CameraChange) -> None:
    """409 if the change names the version it was made from and the camera is past it."""
    current = doc.get("version", 1)
    if change.version is not None and change.version != current:
        raise ApiError(409, f"the camera changed since version {change.version}: it is at version {current}",
                       fields=[{"field": "version", "reason": f"is {current} now; read the camera again"}])


def camera_changes(doc: dict, change: CameraChange, now: datetime) -> dict:
    """The fields to set on the camera `doc` for `change`, with its next version (registration
    is version 1); nothing if the change repeats the camera's values."""
    values = change.model_dump(include=set(check_change(change)))
    changed = {k: v for k, v in values.items() if doc.get(k) != v}
    if not changed:
        return {}
    if "owner" in changed:
        changed["search"] = search_key(doc["_id"], changed["owner"]["name"])
    return {**changed, "version": doc.get("version", 1) + 1, "updated_at": now}


def camera_updated_data(doc: dict, changed: list[str]) -> dict:
    """`camera.updated/1`: the camera's whole registry fact after the change (as registered:
    without the owner's name or contact), its version and which fields changed."""
    return {**camera_registered_data(doc), "version": doc["version"], "updated_at": iso(doc["updated_at"]),
            "changed": [f for f in CHANGEABLE if f in changed]}


def parse_near(near: str | None, radius_m: float | None) -> tuple[float, float] | None:
    """`near=lat,lon` and `radius_m` go together; 422 naming the bad one."""
    if near is None and radius_m is None:
        return None
    if near is None or radius_m is None:
        raise invalid(("near" if near is None else "radius_m", "near and radius_m go together"))
    try:
        lat, lon = (float(x) for x in near.split(","))
    except ValueError:
        raise invalid(("near", "must be 'lat,lon'")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise invalid(("near", "latitude or longitude out of range"))
    return lat, lon


@dataclass(frozen=True)
class AtRisk:
    camera: dict
    expires_at: datetime


def footage_at_risk(cameras: list[dict], at: datetime, now: datetime) -> list[AtRisk]:
    """Cameras that recorded `at` and still keep it, soonest overwritten first: installed at or
    before `at`, working, and `at + retention_days` strictly after `now`."""
    found = []
    for cam in cameras:
        expires = at + timedelta(days=cam["retention_days"])
        if cam["status"] == "working" and cam["installed_at"] <= at and expires > now:
            found.append(AtRisk(cam, expires))
    return sorted(found, key=lambda r: (r.expires_at, r.camera["_id"]))


def check_extraction(body: ExtractionIn, camera: dict | None, user: Principal, now: datetime) -> datetime:
    """The extraction time; 422 (or 403 for another unit's camera) naming every bad field."""
    extracted_at = body.extracted_at or now
    bad = []
    if camera is None:
        bad.append(("camera_id", f"no camera {body.camera_id}"))
    if body.time_to <= body.time_from:
        bad.append(("time_to", "must be after time_from"))
    if body.time_from > extracted_at:
        bad.append(("time_from", "is after extracted_at"))
    if extracted_at > now + timedelta(minutes=5):
        bad.append(("extracted_at", "is in the future"))
    if not body.case_id and not body.tip_id:
        bad.append(("case_id", "give the case_id or the tip_id the footage is for"))
    names = [f.name for f in body.files]
    if len(set(names)) != len(names):
        bad.append(("files", "two files have the same name"))
    if bad:
        raise invalid(*bad)
    if not user.covers(camera["unit_code"]):
        raise ApiError(403, f"camera {body.camera_id} is in unit {camera['unit_code']}, outside your unit "
                       f"{user.unit_code}", fields=[{"field": "camera_id", "reason": "outside your unit"}])
    return extracted_at


def new_extraction_id(now_ms: int | None = None) -> str:
    """Time-ordered: 12 hex digits of milliseconds, 16 random."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return f"X-{ms:012X}{secrets.token_hex(8).upper()}"


def extraction_record(body: ExtractionIn, *, extraction_id: str, camera: dict, user: Principal,
                      extracted_at: datetime, now: datetime) -> dict:
    """What the `created` custody entry commits to (strings only, so its hash is stable)."""
    return {"extraction_id": extraction_id, "camera_id": camera["_id"], "unit_code": camera["unit_code"],
            "case_id": body.case_id, "tip_id": body.tip_id, "time_from": iso(body.time_from),
            "time_to": iso(body.time_to), "reason": body.reason, "extracted_at": iso(extracted_at),
            "clock_offset_s": body.clock_offset_s, "export_method": body.export_method,
            "extracted_by": user.username, "logged_at": iso(now)}


def extraction_logged_data(record: dict, unit_path: list[str], file_count: int) -> dict:
    """`extraction.logged/1`: no reason text and no person's name."""
    keep = ("extraction_id", "camera_id", "unit_code", "case_id", "tip_id", "time_from", "time_to",
            "extracted_at", "clock_offset_s", "export_method", "logged_at")
    return {**{k: record[k] for k in keep}, "unit_path": unit_path, "file_count": file_count}


def check_open(chain: list[dict]) -> None:
    """Nothing follows a disposal: 409."""
    if chain and chain[-1]["action"] == "disposed":
        raise ApiError(409, "the footage was disposed of; its custody log is closed")


def check_custody(body: CustodyIn) -> None:
    if body.action == "transferred" and not (body.to_person or body.to_unit_code):
        raise invalid(("to_person", "a transfer names the person or the unit (to_unit_code)"))
    if body.to_unit_code and units.get(body.to_unit_code) is None:
        raise invalid(("to_unit_code", f"no administrative unit has code {body.to_unit_code}"))

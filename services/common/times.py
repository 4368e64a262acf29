"""Time handling shared by all services: UTC inside, Vietnam's zone for naive input."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def iso(dt: datetime) -> str:
    """RFC 3339 in UTC with a Z, as events carry times."""
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def now_utc() -> str:
    return iso(datetime.now(timezone.utc))


def zoned(value: datetime | None) -> datetime | None:
    """A time without a zone is Vietnam's (API contract)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=VIETNAM)
    return value


def parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None

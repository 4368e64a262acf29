"""Pure rules of a unit's work queue: the tips awaiting a verdict, most urgent first, each with
its clock state, its claim and the duplicates proposed against recent tips of its ward.

Order: priority (high, normal, low), then the nearest legal deadline (a stopped clock last),
then the oldest receipt. A claimed tip stays in the queue, showing who holds it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from . import domain, duplicates, legal

PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}
DUPLICATE_WINDOW = timedelta(hours=72)
MAX_PROPOSALS = 3


def sort_key(tip: dict) -> tuple:
    due = tip.get("clock_due")
    return (PRIORITY_RANK.get(tip.get("priority"), len(PRIORITY_RANK)),
            due is None, due.timestamp() if due else 0.0, tip["received_at"].timestamp(), tip["_id"])


def order(tips: list[dict]) -> list[dict]:
    return sorted(tips, key=sort_key)


def candidates_window(tips: list[dict]) -> tuple[datetime, datetime] | None:
    """The receipt times that may hold a duplicate of any of `tips`."""
    if not tips:
        return None
    times = [t["received_at"] for t in tips]
    return min(times) - DUPLICATE_WINDOW, max(times) + DUPLICATE_WINDOW


def proposals(tip: dict, recent: list[dict]) -> list[dict]:
    """Duplicates of `tip` among tips of its ward received within the window either side."""
    near = [c for c in recent if c["unit_code"] == tip["unit_code"]
            and abs(c["received_at"] - tip["received_at"]) <= DUPLICATE_WINDOW]
    return [p.as_dict() for p in duplicates.propose(tip, near)[:MAX_PROPOSALS]]


def item(tip: dict, recent: list[dict], now: datetime, near: timedelta) -> dict:
    view = domain.public_view(tip)
    for heavy in ("history", "legal_steps", "alerted"):
        view.pop(heavy, None)
    return {**view, "clock": legal.clock_view(tip, now, near),
            "claimed_by": (tip.get("claim") or {}).get("username"),
            "duplicates": proposals(tip, recent)}

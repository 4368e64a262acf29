"""Pure rules of a unit's work queue: which tips are in it, the order that puts what needs
action first, the buckets, the filters and the counters that make it a query. No I/O.

Order: priority (high, normal, low), then the nearest legal deadline (a stopped clock last in
its priority), then the receipt time and the id. The order is stored on each open tip as one
sortable string per level of its unit path (`qk0` province, `qk1` district, `qk2` ward):
`<unit>|<status>|<rank>|<deadline, UTC>|<received, UTC>|<tip id>`, so the queue of a unit is a
range of one indexed field, read in order, and the last key of a page is the cursor of the next
(keyset paging: tips that arrive meanwhile take their place without moving the pages already
read). Buckets: `action` (the deadline is ahead, or the clock is stopped) and `overdue` (the
deadline has passed); within a priority, a bucket is a range of the key too.

Counters (`queue_counts`): the open tips per unit, status, priority and day of their deadline,
kept with every write that moves a tip (`counter_delta`), so the totals of a unit's queue and
of its buckets are sums over a few hundred small documents instead of a count of every tip.
A claimed tip stays in the queue, showing who holds it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from . import domain, duplicates, legal
from .text import fold

PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}
QUEUE_STATUSES = ("received", "valuable")  # awaiting a verdict; awaiting the legal decision
LEVELS = 3  # province, district, ward
KEY_FIELDS = domain.QUEUE_KEY_FIELDS
STOPPED = "~"  # the deadline part of a stopped clock: after every time
END = "\x7f"   # above every character of a key
DUPLICATE_WINDOW = timedelta(hours=72)
MAX_PROPOSALS = 3
MAX_SEARCH_WORDS = 8
Bucket = Literal["action", "overdue", "all"]


def stamp(at: datetime) -> str:
    """A time as a fixed-width UTC string that sorts as the time does (milliseconds, as stored)."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23]


def rank(tip: dict) -> int:
    return PRIORITY_RANK.get(tip.get("priority"), len(PRIORITY_RANK) - 1)


def in_queue(tip: dict) -> bool:
    """Received (awaiting a verdict) or valuable, until the legal decision (prosecute or not)."""
    return tip.get("status") in QUEUE_STATUSES and not tip.get("legal_decision")


def due_part(tip: dict) -> str:
    due = tip.get("clock_due")
    return stamp(due) if due else STOPPED


def prefix(unit: str, status: str, priority_rank: int) -> str:
    return f"{unit}|{status}|{priority_rank}|"


def key_fields(tip: dict) -> dict:
    """The queue keys of a tip (None where it is not in the queue or has no such level) and
    the folded words of its content, to be `$set` with every change of status or clock."""
    path = tip.get("unit_path") or [tip["unit_code"]]
    keys: dict = {name: None for name in KEY_FIELDS}
    if in_queue(tip):
        tail = f"{due_part(tip)}|{stamp(tip['received_at'])}|{tip['_id']}"
        for level, unit in enumerate(path[:LEVELS]):
            keys[KEY_FIELDS[level]] = prefix(unit, tip["status"], rank(tip)) + tail
    return {**keys, "content_words": content_words(tip.get("content") or "")}


def stale_keys(tip: dict) -> dict | None:
    """The key fields to `$set` on a tip whose stored keys are missing or not those it should
    have (written before the queue had keys, or by an older rule); None if they are right."""
    keys = key_fields(tip)
    if all(name in tip and tip[name] == keys[name] for name in KEY_FIELDS):
        return None
    return keys


def content_words(text: str) -> list[str]:
    """The distinct folded words of a text (search with or without diacritics)."""
    return sorted(set(fold(text).split()))


def search_words(q: str | None) -> list[str]:
    return fold(q or "").split()[:MAX_SEARCH_WORDS]


def key_field(level: int) -> str:
    return KEY_FIELDS[min(level, LEVELS - 1)]


# --- counters ---------------------------------------------------------------------------

OWN = "own:"  # the counters of a tip's own unit (as the clock gauges count them)


def counter_ids(tip: dict) -> list[str]:
    """The counters a tip is counted in, if it is in the queue: one per unit of its path, and
    one of its own unit (`own:<unit_code>`, for the clock gauges)."""
    if not in_queue(tip):
        return []
    day = due_part(tip)[:10]
    units = [*(tip.get("unit_path") or [tip["unit_code"]])[:LEVELS], OWN + tip["unit_code"]]
    return [f"{prefix(unit, tip['status'], rank(tip))}{day}" for unit in units]


def gauge_counts(rows: list[dict], today_overdue: dict[str, int], now: datetime) -> dict[str, dict[str, int]]:
    """Open and overdue tips per unit from the own-unit counters (`scope`, `day`, `n`): days
    before today are overdue; today's overdue tips (`today_overdue`) are counted apart."""
    today = stamp(now)[:10]
    open_: Counter = Counter()
    overdue: Counter = Counter(today_overdue)
    for row in rows:
        unit = row["scope"].split("|")[0].removeprefix(OWN)
        open_[unit] += row["n"]
        if row["day"] != STOPPED and row["day"] < today:
            overdue[unit] += row["n"]
    return {"open": dict(open_), "overdue": dict(overdue)}


def counter_delta(before: dict | None, after: dict | None) -> Counter:
    """+1 / -1 per counter for a tip that moved from `before` to `after` (None: absent)."""
    delta: Counter = Counter(counter_ids(after) if after else [])
    delta.subtract(counter_ids(before) if before else [])
    return Counter({k: n for k, n in delta.items() if n})


def counter_doc(counter_id: str) -> dict:
    unit, status, priority_rank, day = counter_id.split("|")
    return {"scope": f"{unit}|{status}", "rank": int(priority_rank), "day": day}


def recount(tips: list[dict]) -> Counter:
    """Every counter from the open tips (at start-up, so a crash between a tip's write and
    its counter's leaves nothing wrong)."""
    total: Counter = Counter()
    for tip in tips:
        total.update(counter_ids(tip))
    return total


# --- the query ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """One range of one key field: a priority's tips with deadlines in [lo, hi) (parts)."""
    prefix: str
    lo: str  # deadline part, "" = from the first
    hi: str  # deadline part, END = to the last

    @property
    def start(self) -> str:
        return self.prefix + self.lo

    @property
    def stop(self) -> str:
        return self.prefix + self.hi


def spans(unit: str, status: str, bucket: Bucket, now: datetime, ranks: list[int],
          near: timedelta | None = None) -> list[Span]:
    """The key ranges of a bucket, in queue order; `near`: only deadlines within it."""
    now_s = stamp(now)
    lo, hi = {"action": (now_s, END), "overdue": ("", now_s), "all": ("", END)}[bucket]
    if near is not None:
        lo, hi = max(lo, now_s), min(hi, stamp(now + near))
    return [Span(prefix(unit, status, r), lo, hi) for r in ranks if lo < hi]


def windows(span: Span, days: list[tuple[str, int]], after: str | None, need: int) -> list[tuple[str, str]]:
    """The span cut into key windows that each hold about `need` tips by the counters' days
    ([(day, n)] sorted), so each read touches about a page of documents; the first window
    starts after the cursor. Days the counters do not know (a race) fall in the last window."""
    start = max(span.start, after) if after else span.start
    out, lo, held = [], start, 0
    for day, n in days:
        day_stop = span.prefix + _next_day(day)
        if day_stop <= lo or span.prefix + day >= span.stop:
            continue
        held += n
        if held >= need:
            hi = min(day_stop, span.stop)
            out.append((lo, hi))
            lo, held = hi, 0
            need *= 2  # sparse filters: read more at a time as we go
    if lo < span.stop:
        out.append((lo, span.stop))
    return out


def _next_day(day: str) -> str:
    if day == STOPPED:
        return END
    return (datetime.fromisoformat(day) + timedelta(days=1)).strftime("%Y-%m-%d")


def bucket_of(key: str, now: datetime) -> str:
    due = key.split("|")[3]
    return "overdue" if due != STOPPED and due < stamp(now) else "action"


@dataclass
class Counts:
    action: int = 0
    overdue: int = 0

    def total(self, bucket: Bucket) -> int:
        return self.action + self.overdue if bucket == "all" else getattr(self, bucket)

    def as_dict(self) -> dict:
        return {"action": self.action, "overdue": self.overdue}


def counts_from_counters(rows: list[dict], ranks: list[int], today_overdue: int, now: datetime) -> Counts:
    """Action and overdue totals from counter rows (`rank`, `day`, `n`): days before today are
    overdue, later days and stopped clocks are not; today's overdue tips are counted apart."""
    today = stamp(now)[:10]
    counts = Counts()
    for row in rows:
        if row["rank"] not in ranks or row["n"] <= 0:
            continue
        if row["day"] != STOPPED and row["day"] < today:
            counts.overdue += row["n"]
        else:
            counts.action += row["n"]
    counts.action -= today_overdue
    counts.overdue += today_overdue
    return counts


# --- the items ----------------------------------------------------------------------------

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


HIDDEN = ("history", "legal_steps", "alerted")


def item(tip: dict, now: datetime, near: timedelta) -> dict:
    """A queue row: the tip without its heavy parts, with its clock, claim and unread marker."""
    view = domain.public_view(tip)
    for heavy in HIDDEN:
        view.pop(heavy, None)
    return {**view, "clock": legal.clock_view(tip, now, near),
            "claimed_by": (tip.get("claim") or {}).get("username"),
            "unread": bool(tip.get("unread"))}

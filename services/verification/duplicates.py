"""Duplicate proposals: the same incident reported twice (e.g. by hotline and Zalo). Pure.

A pair's score (0..1) adds four signals: how near (full up to 300 m, none from 1.5 km), how
close in time (full up to 3 h, none from 24 h; the incident's time, else the receipt time),
the same category, and how alike the texts are (Jaccard of character 3-grams of the folded
text). The last two count only as far as the tips are near in both place and time: a repeated
complaint about the same bar a week later, or the same wording from across the city, is
another incident. An officer confirms; the score only orders the proposals.

A tip here is a state document: `_id`, `content`, `category`, `location` {lat, lon} or None,
`occurred_at` and/or `received_at` (aware datetimes).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from .text import fold

THRESHOLD = 0.65
WEIGHTS = {"distance": 0.25, "time": 0.25, "category": 0.25, "text": 0.25}
NEAR_M, FAR_M = 300.0, 1500.0
SOON_H, LATE_H = 3.0, 24.0
TEXT_NONE, TEXT_FULL = 0.15, 0.4  # 3-gram Jaccard of unrelated texts, and of paraphrases
CATEGORY_NAMES = {"theft": "trộm cắp", "drugs": "ma túy", "gambling": "cờ bạc",
                  "fight": "đánh nhau", "illegal_lending": "tín dụng đen", "weapons": "vũ khí",
                  "traffic": "giao thông", "fire_risk": "cháy nổ", "disorder": "mất trật tự",
                  "fraud": "lừa đảo", "other": "khác"}


@dataclass(frozen=True)
class Proposal:
    tip_id: str
    score: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"tip_id": self.tip_id, "score": self.score, "reasons": list(self.reasons)}


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def text_similarity(a: str, b: str) -> float:
    """Jaccard of the character 3-grams of the folded texts (diacritics do not matter)."""
    grams_a, grams_b = _trigrams(fold(a)), _trigrams(fold(b))
    union = grams_a | grams_b
    return len(grams_a & grams_b) / len(union) if union else 0.0


def _trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


def _ramp(value: float, full: float, none: float) -> float:
    """1 up to `full`, 0 from `none`, linear between."""
    return max(0.0, min(1.0, (none - value) / (none - full)))


def _when(tip: dict, other: dict) -> datetime:
    return tip["occurred_at"] if tip.get("occurred_at") and other.get("occurred_at") else tip["received_at"]


def score(a: dict, b: dict) -> tuple[float, list[str]]:
    """How likely two tips report one incident (0..1), and why, in Vietnamese / English."""
    reasons, near = [], 0.0
    if a.get("location") and b.get("location"):
        metres = haversine_m(a["location"]["lat"], a["location"]["lon"],
                             b["location"]["lat"], b["location"]["lon"])
        near = _ramp(metres, NEAR_M, FAR_M)
        reasons.append(f"cách {_metres(metres)} / {_metres(metres)} apart")
    else:
        reasons.append("không rõ vị trí / location unknown")
    hours = abs((_when(a, b) - _when(b, a)).total_seconds()) / 3600
    soon = _ramp(hours, SOON_H, LATE_H)
    vi, en = _duration(hours)
    reasons.append(f"cách {vi} / {en} apart")
    same = bool(a.get("category")) and a.get("category") == b.get("category")
    if same:
        name = CATEGORY_NAMES.get(a["category"], a["category"])
        reasons.append(f"cùng loại: {name} / same category: {a['category']}")
    similarity = text_similarity(a["content"], b["content"])
    reasons.append(f"nội dung giống {similarity:.2f} / text similarity {similarity:.2f}")
    content = WEIGHTS["category"] * same + WEIGHTS["text"] * _ramp(-similarity, -TEXT_FULL, -TEXT_NONE)
    total = WEIGHTS["distance"] * near + WEIGHTS["time"] * soon + min(near, soon) * content
    return round(total, 3), reasons


def propose(tip: dict, candidates: list[dict], threshold: float = THRESHOLD) -> list[Proposal]:
    """Candidates scoring at least `threshold` against `tip`, best first."""
    out = []
    for other in candidates:
        if other["_id"] != tip["_id"]:
            value, reasons = score(tip, other)
            if value >= threshold:
                out.append(Proposal(other["_id"], value, tuple(reasons)))
    return sorted(out, key=lambda p: (-p.score, p.tip_id))


def _metres(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def _duration(hours: float) -> tuple[str, str]:
    """Vietnamese and English wording of a time gap."""
    if hours < 1:
        return f"{hours * 60:.0f} phút", f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{round(hours, 1):g} giờ", f"{round(hours, 1):g} h"
    return f"{hours / 24:.0f} ngày", f"{hours / 24:.0f} days"

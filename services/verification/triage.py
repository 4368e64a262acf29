"""Triage of a tip's Vietnamese text: category and priority, with a confidence and reasons. Pure.

A linear model learned from labelled tips (`make triage-model`, on the dev batches of tests/data
only; triage_model.json.gz is shipped and read once, in pure Python) reads the text's words,
word pairs and character n-grams (text.features), the summed weights of each category's sure phrases and the urgent situations found (phrases.py). A category
the model gives less than `UNSURE_BELOW` is shown to the officer as "chưa rõ" (uncertain), not as
a wrong label. The priority model reads the same features and the category; every weapons tip
is high, and a tip is high from `HIGH_FROM` probability of high: an urgent tip must not sink in
the queue, so the threshold trades some precision of "high" for its recall.

Categories: theft (incl. snatching and robbery), drugs, gambling, fight (incl. domestic
violence), illegal_lending, weapons (weapons, explosives, fireworks), traffic, fire_risk,
disorder (noise, prostitution, gatherings), fraud, other. Priority: high, normal, low.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import linear, phrases
from .text import features, fold

CATEGORIES = ("theft", "drugs", "gambling", "fight", "illegal_lending", "weapons", "traffic",
              "fire_risk", "disorder", "fraud", "other")
PRIORITIES = ("high", "normal", "low")
MODEL_PATH = Path(__file__).with_name("triage_model.json.gz")
UNSURE_BELOW = 0.35
HIGH_FROM = 0.25
LOW_FROM = 0.3


@dataclass(frozen=True)
class Triage:
    category: str  # triage's own reading of the text
    priority: str
    confidence: float  # the model's probability of `category`
    matched: tuple[str, ...]  # the phrases behind `category`, as spelled with diacritics
    reasons: tuple[str, ...]  # the urgent situations found (phrases.SITUATIONS)

    @property
    def certain(self) -> bool:
        return self.confidence >= UNSURE_BELOW

    def as_dict(self) -> dict:
        return {"category": self.category, "priority": self.priority,
                "confidence": round(self.confidence, 3), "certain": self.certain,
                "matched": list(self.matched), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Reading:
    """What the models read of one text."""
    text: phrases.Text
    features: dict[str, float]
    situations: tuple[str, ...]


def read(text: str) -> Reading:
    folded = fold(text)
    matched = phrases.Text.of(text, folded)
    found = features(text, folded)
    for name, terms in phrases.CATEGORY.items():
        score = terms.score(matched)
        if score:
            found["r " + name] = score / 3
    situations = tuple(reason for reason, terms in phrases.SITUATIONS.items() if terms.found(matched))
    found.update({"s " + reason: 1.0 for reason in situations})
    if any(terms.found(matched) for terms in phrases.LOW.values()):
        found["s nuisance"] = 1.0
    return Reading(matched, found, situations)


def priority_features(reading: Reading, category: str) -> dict[str, float]:
    """The text's features, its category, and the category with each situation found."""
    crossed = {f"k {category} {f[2:]}": 1.0 for f in reading.features if f.startswith("s ")}
    return {**reading.features, **crossed, "k " + category: 1.0}


@cache
def models() -> tuple[linear.LinearModel, linear.LinearModel]:
    """The category and the priority model (read once)."""
    return linear.load(MODEL_PATH, "category"), linear.load(MODEL_PATH, "priority")


def decide_priority(category: str, probabilities: dict[str, float]) -> str:
    if category == "weapons" or probabilities["high"] >= HIGH_FROM:
        return "high"
    return "low" if probabilities["low"] >= LOW_FROM else "normal"


def triage(text: str, category: str | None = None,
           using: tuple[linear.LinearModel, linear.LinearModel] | None = None) -> Triage:
    """Category and priority of a tip's text; the priority is for `category` when the tip
    came with one (its sender knew better), else for the category read from the text.
    `using`: other (category, priority) models than the shipped ones (training's cross-check)."""
    reading = read(text)
    category_model, priority_model = using or models()
    chances = category_model.probabilities(reading.features)
    found = max(chances, key=chances.__getitem__)
    level = decide_priority(category or found, priority_model.probabilities(priority_features(reading, category or found)))
    terms = phrases.CATEGORY[found]
    return Triage(found, level, chances[found], tuple(terms.spelling[p] for p in terms.found(reading.text)),
                  reading.situations)

"""Measures triage and duplicate proposals on the labelled data in tests/data and prints tables.

    python -m services.verification.evaluate

Tips whose id ends in an even digit are the "dev" half (the triage phrases were tuned looking at
them only); odd ones are the "test" half. A pair belongs to the half of its first tip. Duplicates
are scored with the categories triage gives (as officers would see them), and also over every
pair of tips in the data set within a day of each other, where any proposal that is not a
labelled duplicate counts as wrong.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path

from . import duplicates
from .triage import CATEGORIES, PRIORITIES, triage

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
TARGET_MACRO_F1 = 0.8
TARGET_DUPLICATE_PRECISION = 0.9


@dataclass(frozen=True)
class Classification:
    per_label: dict[str, tuple[float, float, float, int]]  # precision, recall, F1, support
    macro_f1: float
    accuracy: float
    n: int


@dataclass(frozen=True)
class Detection:
    precision: float
    recall: float
    proposed: int
    correct: int
    positives: int


def load(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def is_test(tip_id: str) -> bool:
    return int(tip_id[-1]) % 2 == 1


def classify(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> Classification:
    per_label = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        n_pred, n_gold = predicted.count(label), gold.count(label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = (precision, recall, f1, n_gold)
    present = [v[2] for v in per_label.values() if v[3]]
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    return Classification(per_label, sum(present) / len(present), accuracy, len(gold))


def detection(proposed: set, positives: set) -> Detection:
    correct = len(proposed & positives)
    return Detection(correct / len(proposed) if proposed else 1.0,
                     correct / len(positives) if positives else 1.0,
                     len(proposed), correct, len(positives))


def state(tip: dict) -> dict:
    """A labelled tip as verification's state document, with the category triage gives."""
    return {"_id": tip["id"], "content": tip["text"], "category": triage(tip["text"]).category,
            "location": {"lat": tip["lat"], "lon": tip["lon"]},
            "occurred_at": datetime.fromisoformat(tip["occurred_at"]),
            "received_at": datetime.fromisoformat(tip["occurred_at"])}


def evaluate(threshold: float = duplicates.THRESHOLD) -> dict:
    tips, pairs = load("tips_labelled.jsonl"), load("duplicate_pairs.jsonl")
    results = {t["id"]: triage(t["text"]) for t in tips}
    out: dict = {"triage": {}, "priority": {}, "duplicates": {}}
    for half, chosen in (("test", [t for t in tips if is_test(t["id"])]), ("all", tips)):
        gold = [t["category"] for t in chosen]
        out["triage"][half] = classify(gold, [results[t["id"]].category for t in chosen], CATEGORIES)
        out["priority"][half] = classify([t["priority"] for t in chosen],
                                         [results[t["id"]].priority for t in chosen], PRIORITIES)
    docs = {t["id"]: state(t) for t in tips}
    for half, chosen in (("test", [p for p in pairs if is_test(p["a"])]), ("all", pairs)):
        proposed = {(p["a"], p["b"]) for p in chosen
                    if duplicates.score(docs[p["a"]], docs[p["b"]])[0] >= threshold}
        out["duplicates"][half] = detection(proposed, {(p["a"], p["b"]) for p in chosen if p["duplicate"]})
    out["duplicates"]["every pair"] = detection(
        _proposed_among(list(docs.values()), threshold),
        {frozenset((p["a"], p["b"])) for p in pairs if p["duplicate"]})
    return out


def _proposed_among(docs: list[dict], threshold: float) -> set:
    """Unordered pairs proposed among tips less than a day apart (as a store would query)."""
    day = duplicates.LATE_H * 3600
    return {frozenset((a["_id"], b["_id"])) for a, b in combinations(docs, 2)
            if abs((a["occurred_at"] - b["occurred_at"]).total_seconds()) < day
            and duplicates.score(a, b)[0] >= threshold}


def main() -> None:
    report = evaluate()
    for name, labels in (("triage", CATEGORIES), ("priority", PRIORITIES)):
        test, every = report[name]["test"], report[name]["all"]
        print(f"\n{name} ({test.n} test tips, {every.n} in all)")
        print(f"{'label':<16}{'P test':>8}{'R test':>8}{'F1 test':>9}{'n':>5}   {'P all':>7}{'R all':>7}{'F1 all':>8}{'n':>5}")
        for label in labels:
            p, r, f, n = test.per_label[label]
            pa, ra, fa, na = every.per_label[label]
            print(f"{label:<16}{p:>8.2f}{r:>8.2f}{f:>9.2f}{n:>5}   {pa:>7.2f}{ra:>7.2f}{fa:>8.2f}{na:>5}")
        print(f"{'macro F1':<16}{test.macro_f1:>25.2f}{'':>8}{every.macro_f1:>22.2f}")
        print(f"{'accuracy':<16}{test.accuracy:>25.2f}{'':>8}{every.accuracy:>22.2f}")
    print(f"\nduplicate proposals at score >= {duplicates.THRESHOLD}")
    print(f"{'pairs':<12}{'precision':>10}{'recall':>8}{'proposed':>10}{'correct':>9}{'duplicates':>12}")
    for half, d in report["duplicates"].items():
        print(f"{half:<12}{d.precision:>10.2f}{d.recall:>8.2f}{d.proposed:>10}{d.correct:>9}{d.positives:>12}")


if __name__ == "__main__":
    main()

"""Measures triage and duplicate proposals on the labelled batches of tests/data; prints tables.

    python -m services.verification.evaluate      (make eval)

The triage was trained and tuned on the `dev` batches only (labelled.py, train_triage.py); the
`test` batches were written apart and never seen while tuning, so their figures are the ones that
count (the dev figures here are in-sample). A pair belongs to the batch holding both its tips. Printed:
per-category and per-priority precision, recall and F1 on each split, the test split's
confusion table, macro F1 per batch, the share of tips shown as uncertain, duplicate precision
and recall per kind of pair, and the triage's CPU time per tip.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from . import duplicates, labelled
from .triage import CATEGORIES, PRIORITIES, Triage, triage

TARGET_MACRO_F1, TARGET_LABEL_F1 = 0.90, 0.80
TARGET_PRIORITY_F1, TARGET_HIGH_RECALL = 0.85, 0.95
TARGET_DUPLICATE_PRECISION, TARGET_DUPLICATE_RECALL = 0.9, 0.8
TARGET_CPU_MS = 2.0
HARD_KINDS = ("hard positive", "hard negative")


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
    pairs: int


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


def detection(proposed: set, positives: set, pairs: int) -> Detection:
    correct = len(proposed & positives)
    return Detection(correct / len(proposed) if proposed else 1.0,
                     correct / len(positives) if positives else 1.0,
                     len(proposed), correct, len(positives), pairs)


def confusion(gold: list[str], predicted: list[str]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for g, p in zip(gold, predicted):
        out[g, p] = out.get((g, p), 0) + 1
    return out


def state(tip: dict, found: Triage) -> dict:
    """A labelled tip as verification's state document, with the category triage gives."""
    return {"_id": tip["id"], "content": tip["text"], "category": found.category,
            "location": {"lat": tip["lat"], "lon": tip["lon"]},
            "occurred_at": datetime.fromisoformat(tip["occurred_at"]),
            "received_at": datetime.fromisoformat(tip["occurred_at"])}


def cpu_ms_per_tip(texts: list[str], rounds: int = 3) -> float:
    start = time.process_time()
    for _ in range(rounds):
        for text in texts:
            triage(text)
    return (time.process_time() - start) * 1000 / (rounds * len(texts))


def _pairs(batches, results: dict[str, Triage], threshold: float, kinds=None) -> Detection:
    docs = {t["id"]: state(t, results[t["id"]]) for b in batches for t in b.tips}
    chosen = [p for b in batches for p in b.pairs if kinds is None or p["kind"] in kinds]
    proposed = {(p["a"], p["b"]) for p in chosen if duplicates.score(docs[p["a"]], docs[p["b"]])[0] >= threshold}
    return detection(proposed, {(p["a"], p["b"]) for p in chosen if p["duplicate"]}, len(chosen))


def _among(batches, results: dict[str, Triage], threshold: float) -> Detection:
    """Every pair of the split's tips less than a day apart, as a store would query: any
    proposal that is not a labelled duplicate counts as wrong."""
    docs = [state(t, results[t["id"]]) for b in batches for t in b.tips]
    day = duplicates.LATE_H * 3600
    proposed = {frozenset((a["_id"], b["_id"])) for a, b in combinations(docs, 2)
                if abs((a["occurred_at"] - b["occurred_at"]).total_seconds()) < day
                and duplicates.score(a, b)[0] >= threshold}
    positives = {frozenset((p["a"], p["b"])) for b in batches for p in b.pairs if p["duplicate"]}
    return detection(proposed, positives, len(docs) * (len(docs) - 1) // 2)


def evaluate(threshold: float = duplicates.THRESHOLD) -> dict:
    everything = labelled.batches()
    results = {t["id"]: triage(t["text"]) for b in everything for t in b.tips}
    out: dict = {"triage": {}, "priority": {}, "uncertain": {}, "duplicates": {}, "batches": {}}
    for split in labelled.SPLITS:
        tips = labelled.tips(split)
        predicted = [results[t["id"]] for t in tips]
        out["triage"][split] = classify([t["category"] for t in tips], [r.category for r in predicted], CATEGORIES)
        out["priority"][split] = classify([t["priority"] for t in tips], [r.priority for r in predicted], PRIORITIES)
        out["uncertain"][split] = sum(not r.certain for r in predicted) / len(predicted)
        batches = labelled.split(split)
        out["duplicates"][split] = {kind: _pairs(batches, results, threshold, (kind,))
                                    for kind in sorted({p["kind"] for b in batches for p in b.pairs})}
        out["duplicates"][split]["hard kinds"] = _pairs(batches, results, threshold, HARD_KINDS)
        out["duplicates"][split]["every pair"] = _among(batches, results, threshold)
    test = labelled.tips("test")
    out["confusion"] = confusion([t["category"] for t in test], [results[t["id"]].category for t in test])
    for b in everything:
        out["batches"][b.name] = (b.split, b.voice, len(b.tips),
                                  classify([t["category"] for t in b.tips], [results[t["id"]].category for t in b.tips], CATEGORIES).macro_f1,
                                  classify([t["priority"] for t in b.tips], [results[t["id"]].priority for t in b.tips], PRIORITIES).macro_f1)
    out["cpu_ms_per_tip"] = cpu_ms_per_tip([t["text"] for t in test])
    return out


def _table(name: str, labels: tuple[str, ...], dev: Classification, test: Classification) -> None:
    print(f"\n{name}: {test.n} test tips (held out), {dev.n} dev tips (trained on: in-sample figures;"
          " `python -m services.verification.train_triage --cv` gives dev figures out of sample)")
    print(f"{'label':<16}{'P test':>8}{'R test':>8}{'F1 test':>9}{'n':>5}   {'P dev':>7}{'R dev':>7}{'F1 dev':>8}{'n':>5}")
    for label in labels:
        p, r, f, n = test.per_label[label]
        pd, rd, fd, nd = dev.per_label[label]
        print(f"{label:<16}{p:>8.2f}{r:>8.2f}{f:>9.2f}{n:>5}   {pd:>7.2f}{rd:>7.2f}{fd:>8.2f}{nd:>5}")
    print(f"{'macro F1':<16}{test.macro_f1:>25.2f}{'':>8}{dev.macro_f1:>22.2f}")
    print(f"{'accuracy':<16}{test.accuracy:>25.2f}{'':>8}{dev.accuracy:>22.2f}")


def main() -> None:
    report = evaluate()
    _table("category", CATEGORIES, report["triage"]["dev"], report["triage"]["test"])
    _table("priority", PRIORITIES, report["priority"]["dev"], report["priority"]["test"])
    print(f"\nshown as uncertain ('chưa rõ'): test {report['uncertain']['test']:.1%}, dev {report['uncertain']['dev']:.1%}")
    print("\nconfusion on the test split (rows: label, columns: triage)")
    short = [c[:6] for c in CATEGORIES]
    print(f"{'':<16}" + "".join(f"{s:>7}" for s in short))
    for g in CATEGORIES:
        print(f"{g:<16}" + "".join(f"{report['confusion'].get((g, p), 0) or '.':>7}" for p in CATEGORIES))
    print("\nper batch")
    print(f"{'batch':<6}{'split':<6}{'tips':>6}{'cat F1':>8}{'prio F1':>9}  voice")
    for name, (split, voice, n, cf, pf) in report["batches"].items():
        print(f"{name:<6}{split:<6}{n:>6}{cf:>8.2f}{pf:>9.2f}  {voice}")
    print(f"\nduplicate proposals at score >= {duplicates.THRESHOLD}")
    print(f"{'split':<6}{'pairs':<16}{'precision':>10}{'recall':>8}{'proposed':>10}{'correct':>9}{'duplicates':>12}{'of':>9}")
    for split in labelled.SPLITS:
        for kind, d in report["duplicates"][split].items():
            recall = f"{d.recall:.2f}" if d.positives else "-"  # a kind of negatives only
            print(f"{split:<6}{kind[:16]:<16}{d.precision:>10.2f}{recall:>8}{d.proposed:>10}{d.correct:>9}{d.positives:>12}{d.pairs:>9}")
    print(f"\ntriage CPU time per tip: {report['cpu_ms_per_tip']:.2f} ms (target < {TARGET_CPU_MS} ms)")


if __name__ == "__main__":
    main()

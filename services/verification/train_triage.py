"""Trains the triage's two models on the dev batches of tests/data; writes triage_model.json.gz.

    python -m services.verification.train_triage         (make triage-model)
    python -m services.verification.train_triage --cv    (leave one dev batch out: for tuning)

Needs scikit-learn (a dev dependency, like the data): the services only read the file
(linear.py, pure Python). The test batches are never read here: tuning (the constants below and
triage.py's thresholds) looks at `--cv` only, which trains on all dev batches but one and
measures on that one. Training is deterministic: the same data gives the same file, whose `meta`
names the batches and a digest of the tips it was trained on.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from collections import Counter

import numpy as np
import sklearn
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from . import labelled, linear
from .triage import CATEGORIES, MODEL_PATH, PRIORITIES, priority_features, read, triage

MIN_DF = 2  # a feature seen in one training tip only is noise
C_CATEGORY, C_PRIORITY = 20.0, 10.0
DIGITS = 5  # of the weights written: enough for the same decisions, half the file


def fit(rows: list[dict[str, float]], labels: list[str], c: float) -> linear.LinearModel:
    df = Counter(f for row in rows for f in row)
    names = sorted(f for f, n in df.items() if n >= MIN_DF)
    idf = {f: round(math.log((1 + len(rows)) / (1 + df[f])) + 1, DIGITS) for f in names}
    shell = linear.LinearModel((), (), {f: (idf[f], ()) for f in names})
    column = {f: i for i, f in enumerate(names)}
    data, cols, indptr = [], [], [0]
    for row in rows:
        for f, v in shell.vector(row).items():
            cols.append(column[f])
            data.append(v)
        indptr.append(len(cols))
    matrix = csr_matrix((data, cols, indptr), shape=(len(rows), len(names)))
    model = LogisticRegression(C=c, max_iter=5000).fit(matrix, labels)
    weights = np.round(model.coef_, DIGITS)
    return linear.LinearModel(tuple(str(c) for c in model.classes_),
                              tuple(round(float(b), DIGITS) for b in model.intercept_),
                              {f: (idf[f], tuple(float(w) for w in weights[:, i])) for f, i in column.items()})


def train(tips: list[dict]) -> tuple[linear.LinearModel, linear.LinearModel]:
    readings = [read(t["text"]) for t in tips]
    category = fit([r.features for r in readings], [t["category"] for t in tips], C_CATEGORY)
    priority = fit([priority_features(r, t["category"]) for r, t in zip(readings, tips)],
                   [t["priority"] for t in tips], C_PRIORITY)
    return category, priority


def digest(tips: list[dict]) -> str:
    """sha256 of the training tips' ids, texts and labels, in order."""
    rows = [[t["id"], t["text"], t["category"], t["priority"]] for t in tips]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def meta(tips: list[dict]) -> dict:
    batches = labelled.split("dev")
    return {"split": "dev", "batches": {b.name: len(b.tips) for b in batches}, "tips": len(tips),
            "tips_sha256": digest(tips), "min_df": MIN_DF, "c_category": C_CATEGORY,
            "c_priority": C_PRIORITY, "scikit_learn": sklearn.__version__}


def cross_check() -> None:
    """Leave one dev batch out: train on the others, measure on it (the test batches stay unread)."""
    from .evaluate import classify  # evaluate reads the shipped model only when asked
    batches = labelled.split("dev")
    print(f"{'left out':<10}{'tips':>6}{'cat F1':>8}{'prio F1':>9}{'high R':>8}{'unsure':>8}{'unsure wrong':>14}")
    for out in batches:
        models = train([t for b in batches if b is not out for t in b.tips])
        found = [triage(t["text"], using=models) for t in out.tips]
        cat = classify([t["category"] for t in out.tips], [r.category for r in found], CATEGORIES)
        prio = classify([t["priority"] for t in out.tips], [r.priority for r in found], PRIORITIES)
        unsure = [r for r, t in zip(found, out.tips) if not r.certain]
        wrong = sum(r.category != t["category"] for r, t in zip(found, out.tips) if not r.certain)
        print(f"{out.name:<10}{len(out.tips):>6}{cat.macro_f1:>8.2f}{prio.macro_f1:>9.2f}"
              f"{prio.per_label['high'][1]:>8.2f}{len(unsure) / len(found):>8.1%}"
              f"{(wrong / len(unsure) if unsure else 0):>14.1%}")


def main() -> None:
    if "--cv" in sys.argv[1:]:
        cross_check()
        return
    tips = labelled.tips("dev")
    category, priority = train(tips)
    linear.save(MODEL_PATH, {"category": category, "priority": priority}, meta(tips))
    print(f"trained on {len(tips)} dev tips ({', '.join(b.name for b in labelled.split('dev'))}): "
          f"{len(category.features)} category features, {len(priority.features)} priority features "
          f"-> {MODEL_PATH.name} ({MODEL_PATH.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

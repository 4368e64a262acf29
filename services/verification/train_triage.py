"""Trains the triage's two models on the dev batches of tests/data and writes triage_model.npz.

    python -m services.verification.train_triage      (make train-triage)

Needs scikit-learn (a dev dependency, like the data): the services only read the archive
(linear.py). The test batches are never read here. Training is deterministic: the same data
gives the same archive.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from . import labelled
from .linear import LinearModel
from .triage import MODEL_PATH, priority_features, read

MIN_DF = 2  # a feature seen in one training tip only is noise
C_CATEGORY, C_PRIORITY = 20.0, 10.0


def fit(rows: list[dict[str, float]], labels: list[str], c: float) -> LinearModel:
    df = Counter(f for row in rows for f in row)
    names = sorted(f for f, n in df.items() if n >= MIN_DF)
    index = {f: i for i, f in enumerate(names)}
    idf = np.array([math.log((1 + len(rows)) / (1 + df[f])) + 1 for f in names])
    shell = LinearModel((), index, idf, np.zeros((0, len(names))), np.zeros(0))
    data, cols, indptr = [], [], [0]
    for row in rows:
        c_, v = shell.vector(row)
        cols.extend(c_.tolist())
        data.extend(v.tolist())
        indptr.append(len(cols))
    matrix = csr_matrix((data, cols, indptr), shape=(len(rows), len(names)))
    model = LogisticRegression(C=c, max_iter=5000).fit(matrix, labels)
    return LinearModel(tuple(model.classes_), index, idf, model.coef_.astype(np.float32),
                       model.intercept_.astype(np.float32))


def train(tips: list[dict]) -> tuple[LinearModel, LinearModel]:
    readings = [read(t["text"]) for t in tips]
    category = fit([r.features for r in readings], [t["category"] for t in tips], C_CATEGORY)
    priority = fit([priority_features(r, t["category"]) for r, t in zip(readings, tips)],
                   [t["priority"] for t in tips], C_PRIORITY)
    return category, priority


def main() -> None:
    tips = labelled.tips("dev")
    category, priority = train(tips)
    archive: dict = {}
    category.save(archive, "category")
    priority.save(archive, "priority")
    np.savez_compressed(MODEL_PATH, **archive)
    print(f"trained on {len(tips)} dev tips: {len(category.index)} category features, "
          f"{len(priority.index)} priority features -> {MODEL_PATH.name} ({MODEL_PATH.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

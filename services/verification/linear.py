"""A linear classifier over sparse named features, read from a NumPy archive. Pure.

The archive holds, per model: the feature names (one string, newline-separated), their inverse
document frequencies, the class names, the weights (classes × features) and the intercepts, as
`train_triage` wrote them with scikit-learn's logistic regression. Only plain arrays: the file is
loaded with `allow_pickle=False`, so it cannot run code. Scoring one tip is a dictionary look-up
per feature and one small matrix product.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    index: dict[str, int]
    idf: np.ndarray  # (features,)
    weights: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)

    def vector(self, features: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Column indexes and tf-idf values (unit length) of the known ones of `features`."""
        found = [(self.index[f], v) for f, v in features.items() if f in self.index]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter((c for c, _ in found), dtype=np.int64, count=len(found))
        vals = np.fromiter((v for _, v in found), dtype=np.float64, count=len(found)) * self.idf[cols]
        return cols, vals / math.sqrt(float(vals @ vals))

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        cols, vals = self.vector(features)
        logits = self.weights[:, cols] @ vals + self.intercept
        exp = np.exp(logits - logits.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist()))

    def save(self, archive: dict, prefix: str) -> None:
        names = sorted(self.index, key=self.index.__getitem__)
        archive.update({f"{prefix}_features": np.array("\n".join(names)), f"{prefix}_idf": self.idf,
                        f"{prefix}_classes": np.array(self.classes), f"{prefix}_weights": self.weights,
                        f"{prefix}_intercept": self.intercept})


def load(path: Path, prefix: str) -> LinearModel:
    with np.load(path, allow_pickle=False) as data:
        names = str(data[f"{prefix}_features"]).split("\n")
        return LinearModel(tuple(str(c) for c in data[f"{prefix}_classes"]),
                           {name: i for i, name in enumerate(names)},
                           data[f"{prefix}_idf"].astype(np.float64),
                           data[f"{prefix}_weights"].astype(np.float64),
                           data[f"{prefix}_intercept"].astype(np.float64))

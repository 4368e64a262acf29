"""A linear classifier over sparse named features, read from a gzipped JSON file. Pure Python.

The file holds, per model: the class names, the intercepts, and per feature its inverse document
frequency and one weight per class, as `train_triage` wrote them from scikit-learn's logistic
regression; and `meta`, what the models were trained on. Plain data, no pickle: loading cannot
run code, and the services need neither NumPy nor scikit-learn. Scoring one tip is a dictionary
look-up per feature and a few hundred multiply-adds.
"""
from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    features: dict[str, tuple[float, tuple[float, ...]]]  # name -> (idf, weight per class)

    def vector(self, features: dict[str, float]) -> dict[str, float]:
        """The tf-idf values (unit length) of the known ones of `features`."""
        found = {f: v * self.features[f][0] for f, v in features.items() if f in self.features}
        norm = math.sqrt(sum(v * v for v in found.values()))
        return {f: v / norm for f, v in found.items()} if norm else {}

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        logits = list(self.intercept)
        for name, value in self.vector(features).items():
            for i, weight in enumerate(self.features[name][1]):
                logits[i] += weight * value
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp)}

    def as_json(self) -> dict:
        return {"classes": list(self.classes), "intercept": list(self.intercept),
                "features": {f: [idf, list(w)] for f, (idf, w) in sorted(self.features.items())}}

    @classmethod
    def of_json(cls, data: dict) -> "LinearModel":
        return cls(tuple(data["classes"]), tuple(data["intercept"]),
                   {f: (idf, tuple(w)) for f, (idf, w) in data["features"].items()})


def save(path: Path, models: dict[str, LinearModel], meta: dict) -> None:
    """Writes the models and `meta`; the same models give the same bytes (no time in the gzip)."""
    text = json.dumps({"meta": meta, **{name: m.as_json() for name, m in models.items()}},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def read(path: Path) -> dict:
    return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))


def load(path: Path, name: str) -> LinearModel:
    return LinearModel.of_json(read(path)[name])

"""The labelled tips and duplicate pairs of tests/data, by batch and by split.

Each batch was written by another writer, in another voice, without sight of the others or of
the triage (tests/data/README.md). `tests/data/batches.json` names each batch's files and its
split: the triage is trained and tuned on the `dev` batches only; the `test` batches measure it.
A pair belongs to the batch that holds both of its tips, so no tip or pair is on both sides.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Batch:
    name: str
    split: str
    voice: str
    tips: tuple[dict, ...]  # every labelled tip of the batch, those behind its pairs included
    pairs: tuple[dict, ...]  # {"a", "b", "duplicate", "kind"}


def _lines(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@cache
def batches() -> tuple[Batch, ...]:
    manifest = json.loads((DATA / "batches.json").read_text(encoding="utf-8"))
    out = []
    for name, spec in manifest.items():
        if spec["split"] not in SPLITS:
            raise ValueError(f"batch {name}: split must be one of {SPLITS}, not {spec['split']!r}")
        tips = [t for file in spec["tips"] for t in _lines(file)]
        out.append(Batch(name, spec["split"], spec["voice"], tuple(tips), tuple(_lines(spec["pairs"]))))
    return tuple(out)


def split(name: str) -> tuple[Batch, ...]:
    return tuple(b for b in batches() if b.split == name)


def tips(split_name: str) -> list[dict]:
    return [t for b in split(split_name) for t in b.tips]

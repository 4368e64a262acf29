"""A tip's text as the triage and the duplicate scorer read it. Pure.

`fold` gives one spelling for the many ways a phrase is typed: lower case, "đ" as "d", no
diacritics, common chat abbreviations expanded, so "ma túy", "ma tuy" and "MA TÚY" are one
phrase. `features` turns a text into the sparse features of the learned triage: words and word
pairs of the folded text, character 3- to 5-grams inside its words (they carry a stem through
abbreviations and typos), and the words as typed with their diacritics, which separate what
folding merges ("cháy" and "chạy" both fold to "chay").
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

_ABBREVIATIONS = {"ko": "khong", "k": "khong", "hok": "khong", "kh": "khong", "kg": "khong",
                  "dc": "duoc", "dk": "duoc", "dt": "dien thoai", "sdt": "so dien thoai",
                  "mn": "moi nguoi", "ng": "nguoi", "bh": "bao hiem", "oto": "o to", "cty": "cong ty",
                  "ae": "anh em", "tp": "thanh pho", "kcn": "khu cong nghiep", "vs": "voi", "j": "gi",
                  "bn": "bao nhieu", "z": "vay", "r": "roi", "lm": "lam", "tr": "trieu", "ck": "chong",
                  "vk": "vo", "tn": "thanh nien", "cs": "canh sat", "ca": "cong an", "xm": "xe may"}
_WORD = re.compile(r"\w+")
CHAR_NGRAMS = (3, 4, 5)


def fold(text: str) -> str:
    """Lower case, no diacritics, "đ" as "d", words separated by one space, abbreviations expanded."""
    text = text.lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(_ABBREVIATIONS.get(w, w) for w in re.findall(r"[a-z0-9]+", text))


def features(text: str, folded: str) -> dict[str, float]:
    """Sparse features of `text` (and `folded`, its `fold`), each weighted 1 + log(count)."""
    words = folded.split()
    counts: Counter[str] = Counter()
    for i, word in enumerate(words):
        counts["w " + word] += 1
        if i:
            counts[f"b {words[i - 1]} {word}"] += 1
        padded = f"<{word}>"
        for n in CHAR_NGRAMS:
            for j in range(len(padded) - n + 1):
                counts["c " + padded[j:j + n]] += 1
    for word in _WORD.findall(text.lower()):
        if not word.isascii():
            counts["u " + word] += 1
    return {f: 1.0 + math.log(c) for f, c in counts.items()}

"""Vietnamese alphabetical order, for lists people read (ward pickers, names).

Letters compare in the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …), the whole text
first without its tones; only texts equal without tones are then ordered by their tones, letter by
letter, in the dictionaries' order: none, huyền, hỏi, ngã, sắc, nặng. So "Hàm Rồng" comes before
"Hoằng Quang", "Đông Hòa" before "Đông Hoàng", "Điện Biên" after every "D…" and before "E…".
Code-point order (Python's `sorted`) puts every accented letter after "z".
"""
from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: i for i, letter in enumerate(ALPHABET)}
# the marks that make a letter of its own (ă â ê ô ơ ư), as combining characters
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# the five tones: huyền (grave), hỏi (hook above), ngã (tilde), sắc (acute), nặng (dot below)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_OTHER = len(ALPHABET)  # digits, spaces, punctuation: before letters, by code point


def _letters(text: str) -> list[tuple[str, int]]:
    """Each base letter of `text` (lower case, with its letter marks) and its tone."""
    out: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFC", text.lower()):
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0] + "".join(m for m in decomposed[1:] if m in _LETTER_MARKS)
        tone = max((_TONES.get(m, 0) for m in decomposed[1:]), default=0)
        out.append((unicodedata.normalize("NFC", base), tone))
    return out


def vi_key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """A sort key giving Vietnamese alphabetical order: `sorted(names, key=vi_key)`."""
    letters = _letters(text)
    primary = tuple((1, _RANK[c]) if c in _RANK else (0, ord(c[0])) for c, _ in letters)
    return primary, tuple(tone for _, tone in letters)

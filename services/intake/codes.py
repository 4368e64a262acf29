"""Receipt codes: what a tipster keeps, how it is read back, and what intake stores of it.

A code is 16 digits from `secrets` shown in four groups, `1234 5678 9012 3456` (19 characters,
10^16 codes, 53 bits): a clerk reads it out, a caller writes it down, a leaflet's stub holds
it. Online guessing is stopped by the lock-outs (receipts.py). Intake keeps no code, only its
lookup key: Argon2id of the digits with the deployment's secret pepper as salt (the
parameters below, versioned by the key's prefix). A stolen database without the pepper gives
nothing to guess against; with the pepper every guess still costs one Argon2id.

Codes issued before (36 characters: an 8-character reference and a 26-character secret in
Crockford's base 32) keep opening: stored under their reference with the SHA-256 of the secret.
Pure logic and CPU only, no I/O."""
from __future__ import annotations

import hmac
import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from services.common.crypto import sha256_hex

from .domain import CROCKFORD

DIGITS = 16
# OWASP's minimum for Argon2id (m = 19 MiB, t = 2, p = 1): ~25 ms of one core here (make bench).
# Changing them orphans every issued code: add a new version (a new prefix) and look up both.
ARGON2 = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1, "hash_len": 32, "type": Type.ID}
KEY_PREFIX = "R1-"
_SEPARATORS = re.compile(r"[\s\-–—.]+")
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class Code:
    """A receipt code of today: 16 digits."""
    digits: str

    @property
    def text(self) -> str:
        """As shown and printed: four groups of four."""
        return " ".join(self.digits[i:i + 4] for i in range(0, DIGITS, 4))


@dataclass(frozen=True)
class LegacyCode:
    """A code issued before the 16-digit ones: `ref` is its document's key."""
    ref: str     # "ABCD-EFGH"
    secret: str  # 26 Crockford characters

    def matches(self, secret_sha256: str | None) -> bool:
        return secret_sha256 is not None and hmac.compare_digest(sha256_hex(self.secret), secret_sha256)


def new_code() -> Code:
    return code_of(secrets.randbelow(10 ** DIGITS))


def code_of(number: int) -> Code:
    """The code of a number (reduced to 16 digits): for codes derived from a secret (imports)."""
    return Code(f"{number % 10 ** DIGITS:0{DIGITS}d}")


def parse(typed: str) -> Code | LegacyCode | None:
    """Read a code as people type it: with or without spaces, dashes or dots between the
    groups; a legacy code in any case, O, I, L taken for 0, 1, 1."""
    chars = _SEPARATORS.sub("", typed)
    if len(chars) == DIGITS and chars.isascii() and chars.isdigit():
        return Code(chars)
    chars = chars.upper().translate(_LOOKALIKES)
    if len(chars) != 34 or any(c not in CROCKFORD for c in chars):
        return None
    return LegacyCode(ref=f"{chars[:4]}-{chars[4:8]}", secret=chars[8:])


class ReceiptHasher:
    """The lookup key of a code: deterministic for one pepper, so it finds the receipt."""

    def __init__(self, pepper: str):
        self._salt = pepper.encode()

    def key(self, code: Code) -> str:
        return KEY_PREFIX + hash_secret_raw(code.digits.encode(), self._salt, **ARGON2).hex()

    def keys(self, many: list[Code]) -> list[str]:
        """The keys of many codes (an import's batch) on every core: Argon2 releases the GIL."""
        if len(many) < 2:
            return [self.key(code) for code in many]
        with ThreadPoolExecutor(max_workers=min(len(many), os.cpu_count() or 1)) as pool:
            return list(pool.map(self.key, many))

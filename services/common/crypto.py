"""Encryption of the few secrets a service must read back (contact details, replayable
responses): Fernet (AES-128-CBC + HMAC-SHA256) with a key from the environment."""
from __future__ import annotations

import hashlib

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["Sealer", "InvalidToken", "sha256_hex"]


def sha256_hex(value: str | bytes) -> str:
    return hashlib.sha256(value.encode() if isinstance(value, str) else value).hexdigest()


class Sealer:
    def __init__(self, key: str):
        self._fernet = Fernet(key.encode())

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

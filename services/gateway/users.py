"""Users of the platform (officers, clerks, operators...), with argon2 password hashes."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.common.auth import Principal

_hasher = PasswordHasher()
# Verifying against this keeps an unknown username as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-password")


class UserExists(Exception):
    pass


class UserStore:
    def __init__(self, db: AsyncDatabase):
        self._users = db["users"]

    async def create(self, *, username: str, password: str, role: str, unit_code: str) -> None:
        try:
            await self._users.insert_one({"_id": username, "password_hash": _hasher.hash(password),
                                          "role": role, "unit_code": unit_code})
        except DuplicateKeyError:
            raise UserExists(username) from None

    async def set_admin(self, password: str) -> None:
        await self._users.update_one(
            {"_id": "admin"},
            {"$set": {"password_hash": _hasher.hash(password), "role": "admin", "unit_code": "38"}},
            upsert=True)

    async def authenticate(self, username: str, password: str) -> Principal | None:
        user = await self._users.find_one({"_id": username})
        try:
            _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password)
        except VerifyMismatchError:
            return None
        return Principal(username, user["role"], user["unit_code"]) if user else None

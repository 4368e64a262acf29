"""Users of the platform (officers, clerks, operators...), with argon2 password hashes, their
revocation, and the login lock-out.

Lock-out: every failed login is recorded (TTL LOGIN_LOCK_S) under a keyed hash of the username
and one of the client's address (no address is stored); a username, existing or not, with
LOGIN_FAILURES_PER_USER failures in the window, or a client with LOGIN_FAILURES_PER_CLIENT,
gets 429 with Retry-After before any password is checked, so a locked account tells nothing
about whether it exists. Each earlier failure of the username delays the next failed answer
by LOGIN_DELAY_S. An attempt is recorded before its password is checked (and removed if it
was right), so parallel guesses count too."""
from __future__ import annotations

import asyncio
import hmac
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.common.auth import Principal
from services.common.errors import ApiError

from .settings import GatewaySettings

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
                                          "role": role, "unit_code": unit_code, "revoked": False})
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
        if not user or user.get("revoked"):
            return None
        return Principal(username, user["role"], user["unit_code"])

    async def get(self, username: str) -> dict | None:
        return await self._users.find_one({"_id": username}, {"password_hash": 0})

    async def revoke(self, username: str) -> None:
        await self._users.update_one({"_id": username}, {"$set": {"revoked": True}})

    async def is_current(self, principal: Principal) -> bool:
        """The token's user exists, is not revoked, and still has the token's role and unit."""
        user = await self.get(principal.username)
        return bool(user) and not user.get("revoked") and (user["role"], user["unit_code"]) == (
            principal.role, principal.unit_code)


class LoginGuard:
    def __init__(self, db: AsyncDatabase, settings: GatewaySettings):
        self._failures = db["login_failures"]
        self._settings = settings
        self._key = settings.jwt_secret.encode()

    async def create_indexes(self) -> None:
        await self._failures.create_index([("at", ASCENDING)], expireAfterSeconds=self._settings.login_lock_s)
        await self._failures.create_index([("user", ASCENDING), ("at", ASCENDING)])
        await self._failures.create_index([("client", ASCENDING), ("at", ASCENDING)])

    def _hash(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), "sha256").hexdigest()

    async def begin(self, username: str, client: str) -> int:
        """429 if the username or the client is locked out; else the attempt is recorded as a
        failure, and the username's earlier failures in the window are returned."""
        s = self._settings
        user, client = self._hash("user", username.lower()), self._hash("client", client)
        since = datetime.now(timezone.utc) - timedelta(seconds=s.login_lock_s)
        for_user = await self._failures.count_documents({"user": user, "at": {"$gte": since}})
        for_client = await self._failures.count_documents({"client": client, "at": {"$gte": since}})
        if for_user >= s.login_failures_per_user or for_client >= s.login_failures_per_client:
            raise ApiError(429, "too many failed logins; try again later",
                           headers={"Retry-After": str(s.login_lock_s)})
        await self._failures.insert_one({"user": user, "client": client, "at": datetime.now(timezone.utc)})
        return for_user

    async def succeeded(self, username: str) -> None:
        await self._failures.delete_many({"user": self._hash("user", username.lower())})

    async def failed(self, earlier_failures: int) -> None:
        await asyncio.sleep(self._settings.login_delay_s * earlier_failures)

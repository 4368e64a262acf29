"""The audit log: every read of an informant's identity, every decision, every export and every
custody event, appended to the collection `audit` of the acting service's own database.

Entries are `{seq, at, who, role, unit, action, object, details, prev_sha256, sha256}`, hash
chained: `sha256` covers every other field, `prev_sha256` is the previous entry's `sha256`
(64 zeros for the first). `seq` is the document's `_id`, so two writers that read the same
head cannot both append after it: the second gets a duplicate key, reads the new head and
tries again. Nothing updates or deletes an entry. `details` never carries personal data.

Verify a chain: `python -m services.common.audit verify --db antt_intake` (MONGO_URI as the
services use it); it prints the first broken entry and exits 1, or the number of entries.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from datetime import datetime, timezone

from fastapi import Request
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError

from . import mongo
from .auth import Principal
from .crypto import sha256_hex
from .errors import unavailable
from .settings import ServiceSettings

COLLECTION = "audit"
GENESIS = "0" * 64
APPEND_ATTEMPTS = 50
HASHED = ("seq", "at", "who", "role", "unit", "action", "object", "details", "prev_sha256")


def entry_hash(entry: dict) -> str:
    body = {k: entry[k] for k in HASHED}
    return sha256_hex(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def stamp(at: datetime) -> str:
    """Times as entries carry them: UTC, milliseconds, so strings sort as times."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def next_entry(head: dict | None, *, at: datetime, who: Principal, action: str, obj: str,
               details: dict) -> dict:
    """The entry that follows `head` (None: the first). Pure; `details` made JSON-plain so the
    hash reads the same after a round trip through the database."""
    entry = {"seq": head["seq"] + 1 if head else 1,
             "at": stamp(at),
             "who": who.username, "role": who.role, "unit": who.unit_code, "action": action,
             "object": obj, "details": json.loads(json.dumps(details, default=str)),
             "prev_sha256": head["sha256"] if head else GENESIS}
    return {**entry, "sha256": entry_hash(entry)}


def broken_link(previous: dict | None, entry: dict) -> str | None:
    """Why `entry` does not follow `previous` (None: the first entry), or None if it does."""
    expected_seq = previous["seq"] + 1 if previous else 1
    if entry.get("seq") != expected_seq:
        return f"seq {entry.get('seq')} where {expected_seq} was expected (an entry is missing)"
    if entry.get("prev_sha256") != (previous["sha256"] if previous else GENESIS):
        return "prev_sha256 does not match the previous entry's sha256"
    if any(k not in entry for k in HASHED) or entry.get("sha256") != entry_hash(entry):
        return "sha256 does not match the entry's content (it was changed)"
    return None


def first_broken(entries) -> tuple[dict, str] | None:
    """The first entry (in seq order) that breaks the chain, and why; None if it holds."""
    previous = None
    for entry in entries:
        if why := broken_link(previous, entry):
            return entry, why
        previous = entry
    return None


class AuditLog:
    def __init__(self, collection: AsyncCollection):
        self._entries = collection

    async def append(self, who: Principal, action: str, obj: str, details: dict) -> dict:
        for _ in range(APPEND_ATTEMPTS):
            head = await self._entries.find_one({}, sort=[("_id", DESCENDING)])
            entry = next_entry(head, at=datetime.now(timezone.utc), who=who, action=action,
                               obj=obj, details=details)
            try:
                await self._entries.insert_one({"_id": entry["seq"], **entry})
                return entry
            except DuplicateKeyError:  # another writer took this seq: chain after theirs
                await asyncio.sleep(random.uniform(0, 0.02))
        raise unavailable("the audit log (too many concurrent writers)", 1)

    def entries(self):
        return self._entries.find({}, {"_id": 0}).sort("_id", ASCENDING)


async def record(request: Request, service: str, who: Principal, action: str, obj: str,
                 details: dict | None = None) -> dict:
    """Append one entry to `service`'s audit log; 503 (and nothing done after it) if the
    database does not take it."""
    state = request.app.state
    log = AuditLog(state.service.mongo[state.settings.database_name(service)][COLLECTION])
    try:
        return await log.append(who, action, obj, details or {})
    except PyMongoError:
        raise unavailable("the audit log") from None


async def verify(db_name: str, settings: ServiceSettings) -> int:
    """Check the chain of `db_name`.audit entry by entry; print the first break (exit code 1)."""
    client = mongo.client(settings)
    count, previous = 0, None
    try:
        async for entry in AuditLog(client[db_name][COLLECTION]).entries():
            if why := broken_link(previous, entry):
                print(f"BROKEN at seq {entry.get('seq')}: {why}")
                print(json.dumps(entry, ensure_ascii=False, default=str))
                return 1
            count, previous = count + 1, entry
    finally:
        await client.close()
    print(f"ok: {count} entries in {db_name}.{COLLECTION}, the chain holds")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.common.audit")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="verify one service's audit chain")
    check.add_argument("--db", required=True, help="the service's database, e.g. antt_intake")
    args = parser.parse_args()
    sys.exit(asyncio.run(verify(args.db, ServiceSettings())))


if __name__ == "__main__":
    main()

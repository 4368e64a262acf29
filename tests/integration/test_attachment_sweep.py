"""Intake's attachment sweep on the real database: expired uploads go, then the files that no
attachment names (older than the upload grace) and partial uploads a killed process left; a
file that any attachment still names, or that is young, stays."""
from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import datetime, timedelta, timezone

from pymongo import AsyncMongoClient

from services.intake.attachments import Attachments

NOW = datetime.now(timezone.utc)
OLD = (NOW - timedelta(hours=30)).timestamp()


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_the_sweep_removes_expired_uploads_and_the_files_nobody_names(stack, tmp_path):
    contents = {name: f"ảnh {name}".encode() for name in
                ("claimed", "pending", "expired", "orphan", "young", "shared")}

    def doc(_id, name, **fields):
        return {"_id": _id, "name": name, "size": len(contents[name]), "sha256": sha(contents[name]),
                "content_type": "image/jpeg", "created_at": NOW - timedelta(hours=30),
                "tip_id": None, "unit_code": None, **fields}

    async def run():
        client = AsyncMongoClient(stack.uri, tz_aware=True)
        try:
            store = Attachments(client[f"{stack.service_env()['MONGO_DB_PREFIX']}_sweep"], tmp_path)
            await store._docs.drop()
            await store.create_indexes()
            for name, content in contents.items():
                (tmp_path / sha(content)).write_bytes(content)
            (tmp_path / ".upload-0123abcd").write_bytes(b"cut off")
            for path in tmp_path.iterdir():
                if path.name != sha(contents["young"]):
                    os.utime(path, (OLD, OLD))
            await store._docs.insert_many([
                doc("A-1", "claimed", tip_id="T-1", unit_code="14767"),
                doc("A-2", "pending", expires_at=NOW + timedelta(hours=2)),
                doc("A-3", "expired", expires_at=NOW - timedelta(minutes=5)),
                doc("A-4", "shared", expires_at=NOW - timedelta(minutes=5)),  # expired, but the
                doc("A-5", "shared", tip_id="T-2", unit_code="14767"),         # same bytes are attached
            ])
            removed = await store.sweep(NOW)
            ids = sorted(d["_id"] for d in await store._docs.find({}, {"_id": 1}).to_list())
            again = await store.sweep(NOW)
            return removed, ids, again
        finally:
            await client.close()

    removed, ids, again = asyncio.run(run())
    assert removed == 3 and again == 0
    assert ids == ["A-1", "A-2", "A-5"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        sha(contents[n]) for n in ("claimed", "pending", "young", "shared"))

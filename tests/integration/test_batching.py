"""Group commit on the real database: concurrent inserts share writes, and each caller learns
the outcome of its own document."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from services.common.batching import InsertBatcher


def test_concurrent_inserts_each_get_their_own_outcome(stack, tmp_path):
    async def scenario():
        client = AsyncMongoClient(stack.uri)
        collection = client["antt_test_batching"][f"docs_{tmp_path.name}"]
        try:
            await collection.insert_one({"_id": "taken"})
            batcher = InsertBatcher(collection, max_batch=7)
            ids = [f"doc-{i}" for i in range(40)] + ["taken", "doc-3"]
            outcomes = await asyncio.gather(*(batcher.insert({"_id": i, "n": n}) for n, i in enumerate(ids)),
                                            return_exceptions=True)
            stored = {d["_id"]: d.get("n") async for d in collection.find()}
        finally:
            await client.close()
        return ids, outcomes, stored

    ids, outcomes, stored = asyncio.run(scenario())
    failed = [i for i, outcome in zip(ids, outcomes) if isinstance(outcome, DuplicateKeyError)]
    assert failed == ["taken", "doc-3"]  # the existing key, and the second of two equal ones
    assert all(o is None for i, o in zip(ids, outcomes) if i not in failed)
    assert len(stored) == 41 and stored["taken"] is None  # the earlier document is untouched
    assert [stored[f"doc-{i}"] for i in range(40)] == list(range(40))


def test_a_receipt_write_applied_before_a_retry_counts_as_written(stack, tmp_path):
    """A database that applied the insert but lost its answer sees the driver's retry as a
    duplicate: a receipt of the same tip under the same reference is ours, not a collision."""
    from services.intake.store import IntakeStore, ReceiptTaken

    async def scenario():
        client = AsyncMongoClient(stack.uri, tz_aware=True)
        store = IntakeStore(client[f"antt_test_receipts_{tmp_path.name}"])
        await store.create_indexes(60)
        now = datetime.now(timezone.utc)
        fields = dict(unit_code="380", created_at=now, sealed_contact=None,
                      idempotency_key=None, sealed_answer="")
        try:
            await store.reserve(ref="AAAA-BBBB", tip_id="T-1", **fields)
            await store.reserve(ref="AAAA-BBBB", tip_id="T-1", **fields)  # the retry: no error
            try:
                await store.reserve(ref="AAAA-BBBB", tip_id="T-2", **fields)
                return "no collision"
            except ReceiptTaken:
                return (await store.receipt("AAAA-BBBB"))["tip_id"]
        finally:
            await client.close()

    assert asyncio.run(scenario()) == "T-1"  # another tip's draw of the same reference is refused

"""Group commit on the real database: concurrent inserts share writes, and each caller learns
the outcome of its own document."""
from __future__ import annotations

import asyncio

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

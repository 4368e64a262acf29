"""`python -m services.aggregation.rebuild`: replay every topic aggregation reads, from the
beginning, into an empty database, with the same handler as the live consumer; print progress.

    python -m services.aggregation.rebuild --target-db antt_aggregation_rebuilt
    MONGO_DB_PREFIX=antt_new python -m services.aggregation.rebuild   # into antt_new_aggregation
    python -m services.aggregation.rebuild --target-db antt_check --drop --compare
        # ... and say whether it equals the live read models (exit 1 if not)

The topics are read with kafka-python's plain consumer (common/replay.py, in a worker thread):
no consumer group is used (nothing is committed, the live consumer is not disturbed). Each
batch goes through the live agent's processing (`BatchProcessor`, common/consume.py) with the
same handler; what the live agent dead-letters (invalid, not carried by its topic, rejected by
the handler) is skipped and counted instead.
"""
from __future__ import annotations

import argparse
import asyncio
import sys

from services.common import mongo, readmodels
from services.common.consume import BatchProcessor, Record
from services.common.contracts import Topic
from services.common.replay import Replay, partitions_of
from services.common.settings import ServiceSettings

from . import agents
from .store import FactStore


class _Skipped:
    """The rebuild's stand-in for the dead-letter topics: what the live agent dead-letters (and
    has dead-lettered already) is counted, not sent again."""

    def __init__(self) -> None:
        self.count = 0

    async def send(self, topic: Topic, record: Record, kind: str, reason: str) -> None:
        self.count += 1


async def rebuild(settings: ServiceSettings, target_db: str, *, drop: bool = False,
                  progress=print, idle_s: float = 10.0) -> dict[str, int]:
    """Replay into `target_db` (which must be empty unless `drop`); return the counts."""
    client = mongo.client(settings)
    db = client[target_db]
    try:
        existing = [n for n in await db.list_collection_names() if n in readmodels.COLLECTIONS]
        if existing and not drop:
            raise SystemExit(f"{target_db} is not empty ({', '.join(existing)}); use --drop")
        for name in existing:
            await db.drop_collection(name)
        store = FactStore(db)
        await store.create_indexes()
        skipped = _Skipped()
        processor = BatchProcessor(agents.CONSUMES, agents.facts_handler(store), skipped)
        replay = await asyncio.to_thread(Replay, settings.kafka_bootstrap, partitions_of(agents.CONSUMES))
        counts = {"applied": 0, "skipped": 0}
        idle = 0.0
        try:
            while (records := await asyncio.to_thread(replay.next_batch)) is not None and idle < idle_s:
                idle = 0.0 if records else idle + 0.5
                if not records:
                    continue
                counts["applied"] += (await processor.process(records)).applied
                counts["skipped"] = skipped.count
                progress(f"replayed {counts['applied'] + counts['skipped']}/{replay.total} records "
                         f"({counts['skipped']} skipped)")
        finally:
            await asyncio.to_thread(replay.close)
        return counts
    finally:
        await client.close()


async def differences(settings: ServiceSettings, live_db: str, rebuilt_db: str) -> list[str]:
    """How the read models of `rebuilt_db` differ from `live_db`'s: per collection, the ids
    missing on either side and those whose documents differ (empty: identical)."""
    client = mongo.client(settings)
    out: list[str] = []
    try:
        for name in readmodels.COLLECTIONS:
            live = {d["_id"]: d async for d in client[live_db][name].find()}
            rebuilt = {d["_id"]: d async for d in client[rebuilt_db][name].find()}
            only_live = sorted(set(live) - set(rebuilt), key=str)
            only_rebuilt = sorted(set(rebuilt) - set(live), key=str)
            changed = sorted((k for k in set(live) & set(rebuilt) if live[k] != rebuilt[k]), key=str)
            for label, ids in (("only live", only_live), ("only rebuilt", only_rebuilt), ("different", changed)):
                if ids:
                    out.append(f"{name}: {len(ids)} {label} (e.g. {', '.join(map(str, ids[:3]))})")
    finally:
        await client.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.aggregation.rebuild", description=__doc__.split("\n")[0])
    parser.add_argument("--target-db", help="database to fill (default: <MONGO_DB_PREFIX>_aggregation)")
    parser.add_argument("--drop", action="store_true", help="empty the target's read models first")
    parser.add_argument("--compare", action="store_true",
                        help="then compare with the live read models (<MONGO_DB_PREFIX>_aggregation); exit 1 if they differ")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    live = settings.database_name(readmodels.OWNER)
    target = args.target_db or live
    if args.compare and target == live:
        parser.error("--compare needs a --target-db other than the live one")
    counts = asyncio.run(rebuild(settings, target, drop=args.drop, progress=lambda m: print(m, flush=True)))
    print(f"done: {counts['applied']} events applied, {counts['skipped']} skipped, into {target}", file=sys.stderr)
    if args.compare:
        found = asyncio.run(differences(settings, live, target))
        print("\n".join(found) or f"{target} holds the same documents as {live}")
        sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()

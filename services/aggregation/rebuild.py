"""`python -m services.aggregation.rebuild`: replay every topic aggregation reads, from the
beginning, into an empty database, with the same handler as the live consumer; print progress.

    python -m services.aggregation.rebuild --target-db antt_aggregation_rebuilt
    MONGO_DB_PREFIX=antt_new python -m services.aggregation.rebuild   # into antt_new_aggregation

No consumer group is used (nothing is committed, the live consumer is not disturbed). Events
the live loop dead-letters (invalid, or not carried by their topic) are skipped and counted.
"""
from __future__ import annotations

import argparse
import asyncio
import sys

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.common import mongo, readmodels
from services.common.contracts import ContractError, decode
from services.common.settings import ServiceSettings

from . import agents
from .store import FactStore


async def _consumer(settings: ServiceSettings) -> tuple[AIOKafkaConsumer, dict[TopicPartition, int]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                enable_auto_commit=False, isolation_level="read_committed",
                                max_poll_records=1000)
    await consumer.start()
    try:  # topics are created with the partitions of their definitions
        partitions = [TopicPartition(t.name, p) for t in agents.CONSUMES for p in range(t.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        return consumer, await consumer.end_offsets(partitions)
    except BaseException:
        await consumer.stop()
        raise


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    return any([await consumer.position(tp) < end for tp, end in ends.items()])


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
        handle = agents.facts_handler(store)
        consumer, ends = await _consumer(settings)
        topics = {t.name: t for t in agents.CONSUMES}
        counts = {"applied": 0, "skipped": 0}
        total, idle = sum(ends.values()), 0.0
        try:
            while await _behind(consumer, ends) and idle < idle_s:
                batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                idle = idle + 0.5 if not batches else 0.0
                events = []
                for tp, records in batches.items():
                    for record in records:
                        if record.offset >= ends[tp]:
                            continue
                        try:
                            event = decode(record.value)
                        except ContractError:
                            counts["skipped"] += 1
                            continue
                        if event.schema in topics[tp.topic].events:
                            events.append(event)
                        else:
                            counts["skipped"] += 1
                await handle(events)
                counts["applied"] += len(events)
                if batches:
                    progress(f"replayed {counts['applied'] + counts['skipped']}/{total} records "
                             f"({counts['skipped']} skipped)")
        finally:
            await consumer.stop()
        return counts
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.aggregation.rebuild", description=__doc__.split("\n")[0])
    parser.add_argument("--target-db", help="database to fill (default: <MONGO_DB_PREFIX>_aggregation)")
    parser.add_argument("--drop", action="store_true", help="empty the target's read models first")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    target = args.target_db or settings.database_name(readmodels.OWNER)
    counts = asyncio.run(rebuild(settings, target, drop=args.drop, progress=lambda m: print(m, flush=True)))
    print(f"done: {counts['applied']} events applied, {counts['skipped']} skipped, into {target}", file=sys.stderr)


if __name__ == "__main__":
    main()

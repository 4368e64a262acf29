"""Aggregation: the one writer of the read models behind statistics, built from the tip and
verification topics with idempotent upserts, so replays and rebuilds give the same documents."""

"""Aggregation: the one writer of the read models behind statistics (tip, camera, extraction
and case facts), built from the topics with idempotent upserts, so replays and rebuilds give
the same documents."""

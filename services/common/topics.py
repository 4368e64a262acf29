"""`python -m services.common.topics`: create the topics of schemas/ (and their dead-letter
topics) on KAFKA_BOOTSTRAP; topics that exist are left alone."""
from __future__ import annotations

import asyncio

from .kafka import ensure_topics
from .settings import ServiceSettings


def main() -> None:
    created = asyncio.run(ensure_topics(ServiceSettings()))
    print("created: " + (", ".join(created) if created else "nothing (all topics exist)"))


if __name__ == "__main__":
    main()

"""docs/ARCHITECTURE.md stays true: its topic table is the contracts' (writer, events) and the
consumer groups the services run; each collection it names is one its service's code names."""
from __future__ import annotations

import re
from pathlib import Path

from services.aggregation import agents as aggregation
from services.common import contracts, readmodels
from services.intake import agents as intake
from services.verification import agents as verification

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text()


def table(heading: str) -> list[list[str]]:
    section = DOC.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # less header and rule
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def groups() -> dict[str, set[str]]:
    """topic -> the consumer groups that read it."""
    out: dict[str, set[str]] = {}
    for group, topics in (("verification", verification.CONSUMES), (verification.RECORDED_GROUP, verification.RECORDED),
                          ("intake", intake.CONSUMES), (aggregation.GROUP, aggregation.CONSUMES)):
        for topic in topics:
            out.setdefault(topic.name, set()).add(group)
    return out


def test_the_topic_table_is_the_contracts_and_the_consumers():
    rows = {names(r[0])[0]: r for r in table("Topics")}
    assert set(rows) == set(contracts.topics())
    readers = groups()
    for name, (_, writer, events, consumers) in rows.items():
        topic = contracts.topic(name)
        assert (writer, tuple(names(events))) == (topic.writer, topic.events), name
        assert {c.strip() for c in consumers.split(",")} == readers.get(name, set()), name


def test_every_collection_named_is_named_by_its_service():
    for service, collections, _ in table("Who writes what"):
        code = "\n".join(p.read_text() for p in (ROOT / "services" / service).rglob("*.py"))
        if service == readmodels.OWNER:
            code += "\n".join(f'"{c}"' for c in readmodels.COLLECTIONS)
        missing = [c for c in names(collections) if f'"{c}"' not in code]
        assert not missing, f"{service}: {missing} not in its code"

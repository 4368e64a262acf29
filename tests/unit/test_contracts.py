import json
from pathlib import Path

import pytest

from services.common import contracts
from services.common.contracts import SCHEMAS_DIR, ContractError

EXAMPLES = sorted(p for p in (SCHEMAS_DIR / "examples").rglob("*.json") if p.parent.name != "invalid")
INVALID = sorted((SCHEMAS_DIR / "examples").rglob("invalid/*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(SCHEMAS_DIR)))
def test_every_example_validates_and_is_filed_under_its_schema(path: Path):
    event = contracts.validate(json.loads(path.read_text()))
    event_type, version = path.parent.parent.name, path.parent.name
    assert event.schema == f"{event_type}/{version}"


@pytest.mark.parametrize("path", INVALID, ids=lambda p: str(p.relative_to(SCHEMAS_DIR)))
def test_every_invalid_example_is_refused(path: Path):
    with pytest.raises(ContractError) as err:
        contracts.validate(json.loads(path.read_text()))
    assert err.value.fields and all(f["field"] and f["reason"] for f in err.value.fields)


def test_each_schema_has_examples_and_a_topic_and_no_file_is_unused():
    schemas = set(contracts.event_schemas())
    carried = {e for t in contracts.topics().values() for e in t.events}
    assert carried == schemas, "every schema is carried by a topic, every topic's event has a schema"
    with_examples = {f"{p.parent.parent.name}/{p.parent.name}" for p in EXAMPLES}
    assert with_examples == schemas
    assert INVALID, "there is at least one example that must fail"
    known = {p.name for p in (SCHEMAS_DIR / "events").iterdir()}
    assert known == {f"{s.replace('/', '.v')}.schema.json" for s in schemas}


def test_missing_field_is_named():
    with pytest.raises(ContractError) as err:
        contracts.make_event("tip.status_changed/1", subject="T-1", source="test",
                             data={"tip_id": "T-1", "status": "valuable"})
    names = {f["field"] for f in err.value.fields}
    assert {"data.previous_status", "data.version", "data.changed_at", "data.actor"} <= names


def test_time_without_offset_is_refused():
    doc = json.loads((SCHEMAS_DIR / "examples/tip.received/1/web.json").read_text())
    doc["data"]["received_at"] = "2026-03-14T02:15:00"
    with pytest.raises(ContractError) as err:
        contracts.validate(doc)
    assert err.value.fields[0]["field"] == "data.received_at"


def test_decode_refuses_non_json_and_tombstones():
    for raw in (b"\xff\xfe not json", b"{", None):
        with pytest.raises(ContractError):
            contracts.decode(raw)


def test_topics_have_dead_letter_topics_and_sane_settings():
    for topic in contracts.topics().values():
        assert topic.dlq == f"{topic.name}.dlq"
        assert topic.partitions >= 1
        for schema in topic.events:  # the key names a field every event of the topic carries
            assert topic.key in contracts.event_schemas()[schema].schema["required"], (topic.name, schema)


@pytest.mark.parametrize("path", EXAMPLES + INVALID, ids=lambda p: str(p.relative_to(SCHEMAS_DIR)))
def test_the_fast_and_the_full_validator_agree(path: Path):
    doc = json.loads(path.read_text())
    full = contracts.event_schemas()[doc["schema"]] if doc["schema"] in contracts.event_schemas() else None
    full_ok = (not list(contracts._envelope().iter_errors(doc)) and full is not None
               and doc["schema"].split("/")[0] == doc["type"] and full.is_valid(doc["data"]))
    assert contracts._passes_fast(doc) == full_ok

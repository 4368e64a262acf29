"""The one loader of `schemas/`: topics, the envelope, event schemas, validation.

Every producer builds events with `make_event` and every consumer decodes them with `decode`,
so both sides apply the same JSON Schemas.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml
from jsonschema import Draft202012Validator, FormatChecker

from .times import now_utc

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
DLQ_SUFFIX = ".dlq"
DLQ_RETENTION_MS = 30 * 24 * 3600 * 1000


class ContractError(ValueError):
    """An event does not satisfy its contract; `fields` names each bad field and why."""

    def __init__(self, fields: list[dict[str, str]]):
        self.fields = fields
        super().__init__("; ".join(f"{f['field']}: {f['reason']}" for f in fields))


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    writer: str
    key: str
    partitions: int
    retention_ms: int
    events: tuple[str, ...]

    @property
    def dlq(self) -> str:
        return self.name + DLQ_SUFFIX


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    source: str
    time: str
    subject: str
    schema: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "source": self.source, "time": self.time,
                "subject": self.subject, "schema": self.schema, "data": self.data}

    def encode(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


_formats = FormatChecker(formats=("uuid",))


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        raise ValueError("not an RFC 3339 date-time")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("an event's time must carry its offset")
    return True


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def _compiled(path: Path):
    """The fast check of a schema: compiled to Python once (fastjsonschema), about twenty times
    quicker than jsonschema. It only says valid or not; when not, `validate` runs the full
    validator, which names every bad field. The keywords we use mean the same in draft 7."""
    schema = {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if k != "$id"}
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(schema, formats={"date-time": _datetime_ok, "uuid": _is_uuid})


def _datetime_ok(value: object) -> bool:
    try:
        return _is_datetime(value)
    except ValueError:
        return False


def _validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_formats)


@cache
def topics() -> dict[str, Topic]:
    """Topic definitions by their logical name (the file name), e.g. `tips.received`."""
    found = {}
    for path in sorted((SCHEMAS_DIR / "topics").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        topic = Topic(name=raw["name"], description=raw["description"], writer=raw["writer"],
                      key=raw["key"], partitions=int(raw["partitions"]),
                      retention_ms=int(raw["retention_ms"]), events=tuple(raw["events"]))
        if path.stem != topic.name:
            raise RuntimeError(f"{path}: file name and topic name differ")
        found[topic.name] = topic
    return found


def topic(name: str) -> Topic:
    return topics()[name]


@cache
def _envelope() -> Draft202012Validator:
    return _validator(SCHEMAS_DIR / "envelope.schema.json")


@cache
def event_schemas() -> dict[str, Draft202012Validator]:
    """Validators for `data`, by schema id, e.g. `tip.received/1`."""
    found = {}
    for path in sorted((SCHEMAS_DIR / "events").glob("*.schema.json")):
        name = path.name.removesuffix(".schema.json")  # tip.received.v1
        event_type, _, version = name.rpartition(".v")
        found[f"{event_type}/{version}"] = _validator(path)
    return found


@cache
def _fast_checks() -> dict[str, Any]:
    """Compiled checks: the envelope under "", each event's data under its schema id."""
    checks = {"": _compiled(SCHEMAS_DIR / "envelope.schema.json")}
    for path in sorted((SCHEMAS_DIR / "events").glob("*.schema.json")):
        event_type, _, version = path.name.removesuffix(".schema.json").rpartition(".v")
        checks[f"{event_type}/{version}"] = _compiled(path)
    return checks


def _passes_fast(doc: Any) -> bool:
    checks = _fast_checks()
    try:
        checks[""](doc)
        if doc["schema"].split("/")[0] != doc["type"]:
            return False
        checks[doc["schema"]](doc["data"])
    except (fastjsonschema.JsonSchemaException, KeyError):
        return False
    return True


def _errors(validator: Draft202012Validator, doc: Any, prefix: str) -> list[dict[str, str]]:
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        path = ".".join(str(p) for p in err.absolute_path)
        if err.validator == "required":
            missing = err.message.split("'")[1]
            path = f"{path}.{missing}" if path else missing
            reason = "is required"
        elif err.validator == "additionalProperties":
            reason = err.message
        else:
            reason = err.message
        out.append({"field": f"{prefix}{path}" if path else prefix.rstrip(".") or "$", "reason": reason})
    return out


def validate(doc: Any) -> Event:
    """Check a decoded event against the envelope and its data schema; return it as an Event."""
    if _passes_fast(doc):
        return Event(**doc)
    errors = _errors(_envelope(), doc, "")
    if errors:
        raise ContractError(errors)
    schema_id = doc["schema"]
    if schema_id.split("/")[0] != doc["type"]:
        raise ContractError([{"field": "schema", "reason": f"{schema_id!r} is not a schema of type {doc['type']!r}"}])
    validator = event_schemas().get(schema_id)
    if validator is None:
        raise ContractError([{"field": "schema", "reason": f"unknown schema {schema_id!r}"}])
    errors = _errors(validator, doc["data"], "data.")
    if errors:
        raise ContractError(errors)
    return Event(**doc)  # the full validator is the reference (a test keeps the two in step)


def decode(raw: bytes | None) -> Event:
    """Bytes from Kafka to a validated Event, or ContractError."""
    if raw is None:
        raise ContractError([{"field": "$", "reason": "empty message (tombstone)"}])
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError([{"field": "$", "reason": f"not JSON: {exc}"}]) from None
    return validate(doc)


def make_event(schema: str, *, subject: str, data: dict[str, Any], source: str,
               event_id: str | None = None, time: str | None = None) -> Event:
    """Build and validate an event; a producer never sends what its consumers would refuse."""
    doc = {"id": event_id or str(uuid.uuid4()), "type": schema.split("/")[0], "source": source,
           "time": time or now_utc(), "subject": subject, "schema": schema, "data": data}
    return validate(doc)

"""The programme registry's pure rules: what a registration may contain, the scope of the
caller, the event it makes, and the read model's upsert (newer registrations win)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from services.aggregation import facts
from services.common import commands, contracts
from services.common.auth import Principal
from services.common.errors import ApiError
from services.common.times import VIETNAM
from services.gateway import report
from services.intake import programmes_domain as domain

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
COMMANDER = Principal("chihuy.380", "commander", "380")
GOOD = {"code": "CNMT-380", "name": "Công nhân môi trường - chiến sĩ tuần tra", "kind": "environment_workers",
        "unit_code": "380", "launched_at": "2019-03-26", "members": 850}


def fields_of(error) -> dict[str, str]:
    if isinstance(error, ValidationError):
        return {".".join(map(str, e["loc"])): e["msg"] for e in error.errors()}
    return {f["field"]: f["reason"] for f in error.fields}


def test_a_good_registration_gives_its_unit_path_and_a_valid_event():
    body = commands.ProgrammeIn.model_validate(GOOD)
    assert body.launched_at == datetime(2019, 3, 26, tzinfo=VIETNAM)  # no zone: Vietnam's time
    path = domain.check_programme(body, COMMANDER, NOW)
    assert path == ["38", "380"]
    doc = domain.programme_doc(body, path, COMMANDER, NOW)
    event = contracts.make_event("programme.registered/1", subject=body.code, source="intake",
                                 data=domain.registered_data(doc))
    assert event.data["launched_at"] == "2019-03-25T17:00:00Z" and event.data["members"] == 850
    assert "registered_by" not in event.data and "chihuy" not in event.encode().decode()
    assert domain.programme_view(doc)["code"] == "CNMT-380"


@pytest.mark.parametrize("field, value, reason", [
    ("code", "cnmt-380", "capital letters"),
    ("code", "CNMT 380", "capital letters"),
    ("code", "C", "at least 2"),
    ("code", "X" * 41, "at most 40"),
    ("name", "  ", "at least 3"),
    ("kind", "football_club", "environment_workers"),
    ("unit_code", "38a", "pattern"),
    ("launched_at", "last spring", "datetime"),
    ("members", -1, "greater than or equal to 0"),
    ("members", "12", "valid integer"),
    ("members", 2.5, "valid integer"),
    ("members", True, "valid integer"),
])
def test_each_bad_field_is_named_with_its_reason(field, value, reason):
    with pytest.raises(ValidationError) as err:
        commands.ProgrammeIn.model_validate({**GOOD, field: value})
    found = fields_of(err.value)
    assert list(found) == [field] and reason in found[field]


def test_unknown_fields_and_missing_ones_are_refused():
    with pytest.raises(ValidationError) as err:
        commands.ProgrammeIn.model_validate({**GOOD, "status": "active", "members": None})
    assert set(fields_of(err.value)) == {"status", "members"}
    with pytest.raises(ValidationError) as err:
        commands.ProgrammeIn.model_validate({k: v for k, v in GOOD.items() if k != "kind"})
    assert set(fields_of(err.value)) == {"kind"}


def test_rules_across_fields_name_every_field():
    body = commands.ProgrammeIn.model_validate({**GOOD, "unit_code": "99999", "launched_at": "2027-01-01"})
    with pytest.raises(ApiError) as err:
        domain.check_programme(body, COMMANDER, NOW)
    assert err.value.status == 422
    assert fields_of(err.value) == {"unit_code": "no administrative unit has code 99999",
                                    "launched_at": "is in the future"}
    body = commands.ProgrammeIn.model_validate({**GOOD, "launched_at": "1900-01-01"})
    with pytest.raises(ApiError) as err:
        domain.check_programme(body, COMMANDER, NOW)
    assert fields_of(err.value) == {"launched_at": "is before 1945-09-02"}


def test_a_unit_outside_the_callers_is_forbidden():
    body = commands.ProgrammeIn.model_validate({**GOOD, "unit_code": "381"})  # Bỉm Sơn, not below 380
    with pytest.raises(ApiError) as err:
        domain.check_programme(body, COMMANDER, NOW)
    assert err.value.status == 403 and fields_of(err.value) == {"unit_code": "outside your unit"}
    ward = commands.ProgrammeIn.model_validate({**GOOD, "unit_code": "15922"})
    assert domain.check_programme(ward, COMMANDER, NOW) == ["38", "380", "15922"]


def test_kinds_are_the_schemas_kinds():
    schema = contracts.event_schemas()["programme.registered/1"].schema
    assert tuple(schema["properties"]["kind"]["enum"]) == commands.PROGRAMME_KINDS


def test_the_read_model_keeps_the_newest_registration():
    data = {"code": "CNMT-380", "name": "A", "kind": "environment_workers", "unit_code": "380",
            "unit_path": ["38", "380"], "launched_at": "2019-03-26T00:00:00Z", "members": 1,
            "registered_at": "2026-03-10T02:00:00Z"}
    update = facts.programme(data)
    assert update._filter == {"_id": "CNMT-380", "registered_at": {"$lt": datetime(2026, 3, 10, 2, tzinfo=timezone.utc)}}
    assert update._doc["$set"]["name"] == "A" and update._upsert
    assert update._doc["$set"]["unit_path_2025"][0] == "38"


def test_reports_name_registered_programmes_first():
    registered = {"CNMT-380": {"name": "Công nhân môi trường TP Thanh Hóa", "kind": "environment_workers"}}
    assert report.programme_name("CNMT-380", registered) == "Công nhân môi trường TP Thanh Hóa"
    assert report.programme_name("CNMT-381", registered) == report.PROGRAMMES["CNMT"]
    assert report.programme_name("XYZ-1", registered) == "XYZ-1"
    assert report.programme_name(None, registered) == "Không thuộc mô hình"

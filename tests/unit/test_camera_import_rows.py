"""Rows of a camera import: the header, each row checked as `POST /cameras` checks it with
errors named by column, repeated ids, and what an existing camera means for a row (the
database part is tested in tests/integration/test_camera_import.py)."""
from datetime import datetime, timezone

import pytest

from services.common import contracts
from services.common.auth import Principal
from services.extraction import camera_import as ci

WARD = "16384"
OPERATOR = Principal("op", "camera_operator", WARD)
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
ROW = {"camera_id": "CAM-1", "unit_code": WARD, "lat": "19.8165", "lon": "105.6676", "owner_kind": "household",
       "owner_name": "Lê Thị Hoa", "owner_contact": "0912 000 111", "programme_code": "CAMERA-ANTT",
       "retention_days": "30", "status": None, "installed_at": "2025-01-01 08:00"}


def test_the_header_names_unknown_repeated_and_missing_columns():
    assert ci.check_columns(list(ci.COLUMNS)) == []
    assert ci.check_columns([*ci.REQUIRED, ""]) == []  # an unnamed trailing column is ignored
    problems = ci.check_columns(["camera_id", "camera_id", "unit", "lat", "lon", "owner_kind", "owner_name",
                                 "retention_days"])
    assert {(p["field"], p["reason"].split(";")[0]) for p in problems} == {
        ("unit", "is not a known column"), ("camera_id", "appears twice"),
        ("unit_code", "is a required column"), ("installed_at", "is a required column")}


def test_a_good_row_is_the_camera_of_post_cameras():
    camera, unit_path = ci.check_row(2, ROW, OPERATOR, NOW)
    assert unit_path == ["38", "380", WARD]
    assert (camera.location.lat, camera.owner.contact, camera.status) == (19.8165, "0912 000 111", "working")
    assert camera.installed_at == datetime(2025, 1, 1, 1, 0, tzinfo=timezone.utc)  # 08:00 in Vietnam


def test_spreadsheet_numbers_are_read_as_the_text_they_show():
    cells = {**ROW, "camera_id": 1024, "unit_code": 16384.0, "owner_contact": 912000111, "lat": 19.8,
             "retention_days": 30, "installed_at": datetime(2025, 1, 1)}
    camera, _ = ci.check_row(2, cells, OPERATOR, NOW)
    assert (camera.camera_id, camera.unit_code, camera.owner.contact) == ("1024", WARD, "912000111")


@pytest.mark.parametrize("cells, field", [
    ({"lat": "95"}, "lat"),
    ({"lon": None}, "lon"),
    ({"owner_kind": "shop"}, "owner_kind"),
    ({"owner_name": None}, "owner_name"),
    ({"camera_id": "CAM 1"}, "camera_id"),
    ({"retention_days": "0"}, "retention_days"),
    ({"status": "lost"}, "status"),
    ({"installed_at": "2099-01-01"}, "installed_at"),
    ({"installed_at": "hôm qua"}, "installed_at"),
    ({"unit_code": "99999"}, "unit_code"),
    ({"unit_code": "16390"}, "unit_code"),  # another ward: outside the uploader's unit
])
def test_a_bad_row_is_reported_by_row_and_column(cells, field):
    errors = ci.check_row(7, {**ROW, **cells}, OPERATOR, NOW)
    assert [(e["row"], e["field"]) for e in errors] == [(7, field)] and errors[0]["reason"]


def test_every_bad_field_of_a_row_is_named():
    errors = ci.check_row(3, {**ROW, "lat": "x", "owner_kind": None, "retention_days": None}, OPERATOR, NOW)
    assert {e["field"] for e in errors} == {"lat", "owner_kind", "retention_days"}


def test_a_batch_gives_each_new_camera_its_event_and_refuses_a_repeated_id():
    batch = [(2, ROW), (3, {**ROW, "lat": "x"}), (4, {**ROW, "camera_id": "CAM-2"}), (5, ROW)]
    good, errors = ci.prepare("IC-1", batch, OPERATOR, NOW)
    assert [(row, doc["_id"]) for row, doc in good] == [(2, "CAM-1"), (4, "CAM-2")]
    assert errors == [{"row": 3, "field": "lat", "reason": errors[0]["reason"]},
                      {"row": 5, "field": "camera_id", "reason": "repeats row 2"}]
    doc = good[0][1]
    assert doc["imported"] == {"job": "IC-1", "row": 2}
    event = contracts.validate(doc["outbox"][0])
    assert (event.schema, event.subject, event.data["unit_code"]) == ("camera.registered/1", "CAM-1", WARD)
    assert "Lê Thị Hoa" not in event.encode().decode()  # no owner name in the event


def test_an_existing_camera_is_a_replay_an_earlier_import_or_an_error():
    mine = {"unit_code": WARD, "imported": {"job": "IC-1", "row": 2}}
    assert ci.judge_existing(2, mine, "IC-1", OPERATOR) == "done"
    assert ci.judge_existing(9, mine, "IC-1", OPERATOR)["reason"] == "repeats row 2"
    assert ci.judge_existing(2, mine, "IC-2", OPERATOR) == "already"
    assert ci.judge_existing(2, {"unit_code": WARD}, "IC-2", OPERATOR) == "already"  # from POST /cameras
    assert ci.judge_existing(2, {"unit_code": "16390"}, "IC-2", OPERATOR) == {
        "row": 2, "field": "camera_id", "reason": "is registered in another unit"}

"""Pure logic around issue 6's additions: a camera change (what it sets, its event), the merge of
several tips' "footage at risk" into one row per camera, and the path → body-limit table."""
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from services.common import contracts, http
from services.common.errors import ApiError
from services.extraction import domain
from services.gateway.cameras import merge_at_risk

NOW = datetime(2026, 4, 2, 3, 15, tzinfo=timezone.utc)
OWNER = {"kind": "household", "name": "Lê Thị Hoa", "contact": "0912 000 111"}


def camera(**fields) -> dict:
    return {"_id": "CAM-1", "unit_code": "15850", "unit_path": ["38", "380", "15850"],
            "location": {"type": "Point", "coordinates": [105.74, 19.86]}, "owner": OWNER,
            "programme_code": "CAMERA-ANTT", "retention_days": 30, "status": "working",
            "installed_at": datetime(2025, 1, 1, tzinfo=timezone.utc),
            "registered_at": datetime(2026, 1, 1, tzinfo=timezone.utc), **fields}


def change(**body) -> domain.CameraChange:
    return domain.CameraChange.model_validate(body)


def test_a_change_sets_only_what_differs_and_the_next_version():
    fields = domain.camera_changes(camera(), change(status="broken", retention_days=30), NOW)
    assert fields == {"status": "broken", "version": 2, "updated_at": NOW}
    assert domain.camera_changes(camera(version=4), change(programme_code=None), NOW)["version"] == 5


def test_a_change_that_repeats_the_camera_sets_nothing():
    assert domain.camera_changes(camera(), change(status="working", owner=OWNER), NOW) == {}


def test_the_event_of_a_change_is_the_whole_fact_without_the_owner_and_validates():
    fields = domain.camera_changes(camera(), change(owner={**OWNER, "name": "Trần Văn B"}, programme_code=None), NOW)
    data = domain.camera_updated_data({**camera(), **fields}, list(fields))
    event = contracts.make_event("camera.updated/1", subject="CAM-1", source="test", data=data)
    assert (event.data["changed"], event.data["version"], event.data["programme_code"]) == (
        ["programme_code", "owner"], 2, None)
    assert event.data["location"] == {"lat": 19.86, "lon": 105.74}
    assert "Trần" not in str(event.to_dict()) and "0912" not in str(event.to_dict())


@pytest.mark.parametrize("body, field", [({}, "body"), ({"status": None}, "status"),
                                         ({"retention_days": None, "owner": None}, "retention_days")])
def test_an_empty_or_null_change_is_422_naming_the_field(body, field):
    with pytest.raises(ApiError) as err:
        domain.check_change(change(**body))
    assert err.value.status == 422 and err.value.fields[0]["field"] == field


@pytest.mark.parametrize("body", [{"status": "stolen"}, {"retention_days": 0}, {"unit_code": "15859"},
                                  {"programme_code": ""}, {"owner": {"kind": "household"}}])
def test_a_bad_change_is_refused_by_the_model(body):
    with pytest.raises(ValidationError):
        change(**body)


def test_a_change_made_from_an_older_version_is_409_naming_the_version():
    domain.check_version(camera(version=3), change(status="broken", version=3))
    domain.check_version(camera(), change(status="broken", version=1))  # registered: version 1
    domain.check_version(camera(version=3), change(status="broken"))  # no precondition given
    with pytest.raises(ApiError) as err:
        domain.check_version(camera(version=3), change(status="broken", version=2))
    assert err.value.status == 409 and err.value.fields[0]["field"] == "version"


def row(camera_id, expires_at, distance_m=10.0):
    return {"camera_id": camera_id, "status": "working", "expires_at": expires_at, "distance_m": distance_m}


def test_the_case_list_has_one_row_per_camera_with_its_earliest_expiry_and_the_tips_it_covers():
    merged = merge_at_risk([
        ("T-1", [row("A", "2026-04-20T00:00:00Z", 40.0), row("B", "2026-04-25T00:00:00Z")]),
        ("T-2", [row("A", "2026-04-10T00:00:00.500000Z", 5.0), row("C", "2026-04-10T00:00:00Z")]),
        ("T-3", []),
    ])
    assert [(r["camera_id"], r["expires_at"], r["tip_ids"]) for r in merged] == [
        ("C", "2026-04-10T00:00:00Z", ["T-2"]),
        ("A", "2026-04-10T00:00:00.500000Z", ["T-2", "T-1"]),
        ("B", "2026-04-25T00:00:00Z", ["T-1"])]
    assert merged[1]["covers"][1] == {"tip_id": "T-1", "expires_at": "2026-04-20T00:00:00Z", "distance_m": 40.0}
    assert "distance_m" not in merged[1]


def test_a_body_limit_table_matches_route_paths_segment_by_segment():
    limit_of = http.body_limits(100, [http.BodyLimit("/api/v1/extractions/{extraction_id}/files", 2000, "file", 64),
                                      http.BodyLimit("/api/v1/tips/import", 500, "file")])
    assert limit_of("/api/v1/extractions/X-12/files").body_bytes == 2064
    assert limit_of("/api/v1/tips/import").max_bytes == 500
    for other in ("/api/v1/extractions/X-12/files/register", "/api/v1/extractions/a/b/files",
                  "/api/v1/extractions//files", "/api/v1/tips/import/x", "/api/v1/tips"):
        assert limit_of(other) == http.BodyLimit("*", 100), other
    refused = limit_of("/api/v1/extractions/X-12/files").too_large()
    assert refused.status == 413 and refused.fields == [{"field": "file", "reason": "at most 2000 bytes"}]

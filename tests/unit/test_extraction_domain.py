"""Pure logic of camera-extraction: footage at risk at the retention edges, input checks."""
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.common.auth import Principal
from services.common.errors import ApiError
from services.extraction import domain

AT = datetime(2026, 3, 1, 20, 0, tzinfo=timezone.utc)
OPERATOR = Principal("op", "camera_operator", "14797")


def cam(camera_id, retention_days=30, status="working", installed_at=AT - timedelta(days=100)):
    return {"_id": camera_id, "retention_days": retention_days, "status": status, "installed_at": installed_at}


def ids(found):
    return [r.camera["_id"] for r in found]


def test_footage_expiring_exactly_now_is_gone_and_one_microsecond_later_is_not():
    now = AT + timedelta(days=30)
    assert ids(domain.footage_at_risk([cam("a")], AT, now)) == []
    assert ids(domain.footage_at_risk([cam("a")], AT, now - timedelta(microseconds=1))) == ["a"]


def test_camera_installed_at_the_moment_counts_and_one_second_after_does_not():
    now = AT + timedelta(days=1)
    cams = [cam("on-time", installed_at=AT), cam("late", installed_at=AT + timedelta(seconds=1))]
    assert ids(domain.footage_at_risk(cams, AT, now)) == ["on-time"]


def test_broken_cameras_are_left_out_and_the_rest_sorted_by_expiry():
    now = AT + timedelta(days=5)
    cams = [cam("long", 90), cam("broken", 60, status="broken"), cam("short", 7), cam("mid", 30)]
    found = domain.footage_at_risk(cams, AT, now)
    assert ids(found) == ["short", "mid", "long"]
    assert found[0].expires_at == AT + timedelta(days=7)


def extraction(**fields):
    body = {"camera_id": "CAM-1", "case_id": "C-1", "time_from": "2026-03-01T20:00:00+07:00",
            "time_to": "2026-03-01T20:30:00+07:00", "reason": "vụ trộm xe máy", **fields}
    return domain.ExtractionIn(**body)


def camera_in(unit_code="14797"):
    return {"_id": "CAM-1", "unit_code": unit_code}


def reasons(exc) -> dict:
    return {f["field"]: f["reason"] for f in exc.value.fields}


def test_a_time_range_ending_before_it_starts_and_an_unknown_camera_are_both_named():
    body = extraction(time_to="2026-03-01T19:00:00+07:00")
    with pytest.raises(ApiError) as exc:
        domain.check_extraction(body, None, OPERATOR, AT + timedelta(days=1))
    assert exc.value.status == 422
    assert set(reasons(exc)) == {"camera_id", "time_to"}


def test_a_camera_outside_the_operators_unit_is_403_naming_camera_id():
    with pytest.raises(ApiError) as exc:
        domain.check_extraction(extraction(), camera_in("14800"), OPERATOR, AT + timedelta(days=1))
    assert exc.value.status == 403 and reasons(exc) == {"camera_id": "outside your unit"}


def test_naive_times_are_vietnam_time_and_extracted_at_defaults_to_now():
    body = extraction(time_from="2026-03-01T20:00:00", time_to="2026-03-01T20:10:00")
    assert body.time_from == datetime(2026, 3, 1, 13, 0, tzinfo=timezone.utc)
    now = AT + timedelta(days=1)
    assert domain.check_extraction(body, camera_in(), OPERATOR, now) == now


@pytest.mark.parametrize("sha", ["abc", "g" * 64, "a" * 63, "a" * 65])
def test_a_hash_that_is_not_64_hex_digits_is_refused(sha):
    with pytest.raises(ValidationError) as exc:
        extraction(files=[{"name": "a.mp4", "size": 1, "sha256": sha}])
    assert exc.value.errors()[0]["loc"] == ("files", 0, "sha256")


def test_an_uppercase_hash_is_accepted_as_lowercase():
    body = extraction(files=[{"name": "a.mp4", "size": 1, "sha256": "AB" * 32}])
    assert body.files[0].sha256 == "ab" * 32


def test_an_extraction_needs_a_case_or_a_tip():
    with pytest.raises(ApiError) as exc:
        domain.check_extraction(extraction(case_id=None), camera_in(), OPERATOR, AT + timedelta(days=1))
    assert "case_id" in reasons(exc)


def test_owner_contact_is_for_operators_only_and_events_carry_no_owner():
    body = domain.CameraIn(camera_id="CAM-1", unit_code="14797", location={"lat": 19.8, "lon": 105.77},
                           owner={"kind": "household", "name": "Lê Thị B", "contact": "0912345678"},
                           retention_days=30, installed_at="2025-01-01T00:00:00+07:00")
    doc = domain.camera_doc(body, ["38", "380", "14797"], AT)
    assert domain.camera_view(doc, OPERATOR)["owner"]["contact"] == "0912345678"
    assert "contact" not in domain.camera_view(doc, Principal("o", "officer", "380"))["owner"]
    data = domain.camera_registered_data(doc)
    assert "Lê Thị B" not in str(data) and "0912345678" not in str(data)
    assert data["location"] == {"lat": 19.8, "lon": 105.77}


def test_registering_a_camera_outside_ones_unit_or_in_the_future_is_refused():
    body = domain.CameraIn(camera_id="CAM-2", unit_code="14800", location={"lat": 19.8, "lon": 105.77},
                           owner={"kind": "business", "name": "Cửa hàng X"}, retention_days=15,
                           installed_at="2025-01-01T00:00:00+07:00")
    with pytest.raises(ApiError) as exc:
        domain.check_camera(body, OPERATOR, AT)
    assert exc.value.status == 403
    with pytest.raises(ApiError) as exc:
        domain.check_camera(body, Principal("a", "admin", "38"), datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert reasons(exc) == {"installed_at": "is in the future"}


@pytest.mark.parametrize("near, radius, field", [("19.8", 100, "near"), ("19.8,105.7", None, "radius_m"),
                                                 (None, 100, "near"), ("95,105", 100, "near")])
def test_near_and_radius_are_checked_together(near, radius, field):
    with pytest.raises(ApiError) as exc:
        domain.parse_near(near, radius)
    assert list(reasons(exc)) == [field]


def test_nothing_follows_a_disposal():
    with pytest.raises(ApiError) as exc:
        domain.check_open([{"action": "created"}, {"action": "disposed"}])
    assert exc.value.status == 409
    domain.check_open([{"action": "created"}, {"action": "transferred"}])

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.common import commands, contracts
from services.common.auth import Principal
from services.common.errors import ApiError
from services.intake import domain

CLERK = Principal("clerk", "clerk", "380")
CAMERA = Principal("cam", "camera_operator", "380")


def tip(**fields) -> commands.TipSubmission:
    return commands.TipSubmission(**{"channel": "web", "content": "Có trộm xe", "unit_code": "14767", **fields})


def test_tip_ids_sort_by_time():
    assert domain.new_tip_id(1_000) < domain.new_tip_id(2_000) < domain.new_tip_id(10**12)


def test_public_may_only_use_web_and_not_set_received_at():
    domain.check_access(tip(), None)
    with pytest.raises(ApiError) as err:
        domain.check_access(tip(channel="hotline"), None)
    assert err.value.status == 401
    with pytest.raises(ApiError) as err:
        domain.check_access(tip(received_at=datetime(2026, 1, 1)), None)
    assert err.value.status == 422 and err.value.fields[0]["field"] == "received_at"


def test_clerk_records_hotline_but_camera_operator_may_not():
    domain.check_access(tip(channel="hotline", received_at=datetime(2026, 1, 1)), CLERK)
    with pytest.raises(ApiError) as err:
        domain.check_access(tip(channel="walk_in"), CAMERA)
    assert err.value.status == 403


def test_unit_from_code_or_nearest_ward():
    assert domain.resolve_unit(tip(), None).code == "14767"
    # the centre of phường Điện Biên, Thanh Hóa city
    located = tip(unit_code=None, location={"lat": 19.8101, "lon": 105.7756})
    placement = domain.resolve_unit(located, None)
    assert (placement.code, placement.era, placement.path_2025) == ("14767", "legacy", ["38", "14797"])
    for bad, field in ((tip(unit_code="99999"), "unit_code"), (tip(unit_code=None), "unit_code"),
                       (tip(unit_code="380", unit_era="2025"), "unit_code")):  # districts are gone in 2025
        with pytest.raises(ApiError) as err:
            domain.resolve_unit(bad, None)
        assert err.value.fields[0]["field"] == field


def test_a_2025_unit_keeps_its_code_and_the_legacy_units_covering_it():
    placement = domain.resolve_unit(tip(unit_code="14797", unit_era="2025"), None)
    assert (placement.code, placement.era) == ("14797", "2025")
    assert placement.path == ["38", "380"]  # its legacy wards all lie in Thanh Hóa city
    assert placement.path_2025 == ["38", "14797"]
    assert placement.scope == "380"
    data = domain.event_data(tip(unit_code="14797", unit_era="2025"), tip_id="T-1", placement=placement,
                             received_at=datetime.now(timezone.utc), recorded_at=datetime.now(timezone.utc))
    event = contracts.make_event("tip.received/1", subject="T-1", data=data, source="intake")
    assert (event.data["unit_era"], event.data["unit_path_2025"]) == ("2025", ["38", "14797"])


def test_a_clerk_records_for_a_2025_unit_only_if_all_of_it_is_theirs():
    whole_city = Principal("a", "clerk", "380")
    one_old_ward = Principal("b", "clerk", "14767")
    assert domain.resolve_unit(tip(channel="hotline", unit_code="14797", unit_era="2025"), whole_city).code == "14797"
    with pytest.raises(ApiError) as err:
        domain.resolve_unit(tip(channel="hotline", unit_code="14797", unit_era="2025"), one_old_ward)
    assert err.value.status == 403


def test_clerk_cannot_record_for_a_unit_outside_theirs():
    with pytest.raises(ApiError) as err:
        domain.resolve_unit(tip(channel="hotline", unit_code="03646"), CLERK)
    assert err.value.status == 403


def test_naive_times_are_vietnam_time():
    t = tip(occurred_at="2026-03-01T20:00:00")
    assert t.occurred_at.utcoffset() == timedelta(hours=7)


def test_cross_field_rules_name_each_field():
    now = datetime.now(timezone.utc)
    bad = tip(anonymous=True, contact={"name": "A"}, occurred_at=now + timedelta(days=1))
    with pytest.raises(ApiError) as err:
        domain.check_fields(bad, now)
    assert {f["field"] for f in err.value.fields} == {"contact", "occurred_at"}


def test_model_refuses_unknown_and_bad_fields():
    with pytest.raises(ValidationError) as err:
        commands.TipSubmission(channel="fax", content="", unit_code=5, extra=1)
    assert {e["loc"][0] for e in err.value.errors()} == {"channel", "content", "unit_code", "extra"}


def test_event_data_validates_and_carries_no_identity():
    now = datetime.now(timezone.utc)
    t = tip(anonymous=False, contact={"name": "Nguyễn Văn A", "phone": "0912345678"})
    data = domain.event_data(t, tip_id="T-1", placement=domain.resolve_unit(t, None), received_at=now, recorded_at=now)
    event = contracts.make_event("tip.received/1", subject="T-1", data=data, source="intake")
    assert event.data["has_contact"] is True
    assert event.data["unit_path"] == ["38", "380", "14767"]
    encoded = event.encode().decode()
    assert "0912345678" not in encoded and "Nguyễn Văn A" not in encoded

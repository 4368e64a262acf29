from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import ApiError
from services.verification import domain


def tip(status="received", version=0):
    return {"_id": "T-1", "status": status, "version": version}


@pytest.mark.parametrize("outcome", ["valuable", "not_valuable", "duplicate"])
def test_a_received_tip_can_be_decided(outcome):
    domain.check_transition(tip(), outcome, None)


@pytest.mark.parametrize("status", ["valuable", "not_valuable", "duplicate", "converted"])
def test_a_decided_tip_cannot_be_decided_again(status):
    with pytest.raises(ApiError) as err:
        domain.check_transition(tip(status, 1), "not_valuable", None)
    assert err.value.status == 409
    assert err.value.extra["current"] == {"status": status, "version": 1}


def test_stale_version_is_a_conflict():
    with pytest.raises(ApiError) as err:
        domain.check_transition(tip("received", 2), "valuable", 1)
    assert err.value.status == 409 and err.value.extra["current"]["version"] == 2


def test_duplicate_needs_the_original():
    with pytest.raises(ApiError) as err:
        domain.check_decision("T-1", domain.Decision(outcome="duplicate"))
    assert err.value.fields[0]["field"] == "duplicate_of"
    with pytest.raises(ApiError):
        domain.check_decision("T-1", domain.Decision(outcome="duplicate", duplicate_of="T-1"))
    with pytest.raises(ApiError):
        domain.check_decision("T-1", domain.Decision(outcome="valuable", duplicate_of="T-2"))
    domain.check_decision("T-1", domain.Decision(outcome="duplicate", duplicate_of="T-2"))


def test_state_from_event_and_view_hide_the_outbox():
    data = {"tip_id": "T-9", "channel": "web", "content": "x", "unit_code": "14767",
            "unit_path": ["38", "380", "14767"], "received_at": "2026-03-01T00:00:00Z", "anonymous": True}
    state = domain.tip_from_event(data)
    assert state["status"] == "received" and state["version"] == 0
    view = domain.public_view(state)
    assert view["tip_id"] == "T-9" and "outbox" not in view and "_id" not in view


def received(**extra):
    return {"tip_id": "T-7", "channel": "hotline", "unit_code": "14767", "anonymous": True,
            "content": "Đang có nhóm thanh niên đánh nhau, có người bị thương",
            "received_at": "2026-03-01T16:59:59Z", **extra}


def test_a_new_tip_carries_its_triage_and_deadlines():
    state = domain.tip_from_event(received())
    assert state["category"] == "fight" and state["priority"] == "high"
    assert state["triage"]["category"] == "fight" and "đánh nhau" in state["triage"]["matched"]
    assert state["triage"]["certain"] is True and "có người bị thương" in state["triage"]["reasons"]
    vietnam = timezone(timedelta(hours=7))
    assert state["deadlines"] == {"forward_by": datetime(2026, 3, 2, 16, 59, 59, tzinfo=timezone.utc),
                                  "decide_by": datetime(2026, 3, 21, tzinfo=vietnam)}
    assert state["deadlines"]["forward_by"] - state["received_at"] == timedelta(hours=24)
    assert (state["status"], state["version"], state["unit_path"]) == ("received", 0, ["14767"])


def test_a_given_category_is_kept_and_triage_still_reads_the_text():
    state = domain.tip_from_event(received(category="weapons", content="Có người lạ đứng trước cổng"))
    assert state["category"] == "weapons" and state["priority"] == "high"
    # the triage's own reading of a text that says little: not the clerk's, and marked uncertain
    assert state["triage"]["category"] != "weapons" and state["triage"]["certain"] is False


def test_remote_units_get_48_hours_to_forward():
    state = domain.tip_from_event(received(), remote=True)
    assert state["deadlines"]["forward_by"] - state["received_at"] == timedelta(hours=48)


def test_a_unit_marked_remote_or_below_one_gets_48_hours_to_forward():
    from datetime import timedelta
    from services.verification.settings import VerificationSettings
    codes = VerificationSettings(REMOTE_UNITS=" 382, 16381 ").remote_codes
    assert codes == {"382", "16381"}
    assert domain.is_remote(["38", "382", "15000"], codes) and domain.is_remote(["38", "380", "16381"], codes)
    assert not domain.is_remote(["38", "380", "14767"], codes)
    data = {"tip_id": "T-R", "channel": "hotline", "content": "x", "unit_code": "16381",
            "unit_path": ["38", "380", "16381"], "received_at": "2026-03-01T00:00:00Z", "anonymous": True}
    remote = domain.tip_from_event(data, remote=True)["deadlines"]["forward_by"]
    normal = domain.tip_from_event(data)["deadlines"]["forward_by"]
    assert remote - normal == timedelta(hours=24)

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

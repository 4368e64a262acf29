import pytest
from pydantic import ValidationError

from services.common import commands, contracts
from services.common.errors import ApiError
from services.verification import cases

ACTOR = {"username": "canbo.dongtho", "role": "officer", "unit_code": "14779"}


def tip(tip_id="T-1", status="valuable", unit="14779", case_id=None, version=1):
    return {"_id": tip_id, "status": status, "version": version, "unit_code": unit,
            "unit_path": ["38", "380", unit], "case_id": case_id}


@pytest.mark.parametrize("current, target", [("open", "clarified"), ("open", "closed"),
                                             ("clarified", "closed"), ("clarified", "open")])
def test_allowed_status_moves(current, target):
    cases.check_status_change({"status": current, "version": 1}, commands.CaseStatusChange(status=target))


@pytest.mark.parametrize("current, target", [("open", "open"), ("clarified", "clarified"), ("closed", "open"),
                                             ("closed", "clarified"), ("closed", "closed")])
def test_forbidden_status_moves_are_409_with_the_current_state(current, target):
    with pytest.raises(ApiError) as err:
        cases.check_status_change({"status": current, "version": 3}, commands.CaseStatusChange(status=target))
    assert err.value.status == 409 and err.value.extra["current"] == {"status": current, "version": 3}


def test_stale_case_version_is_a_conflict():
    with pytest.raises(ApiError) as err:
        cases.check_status_change({"status": "open", "version": 2}, commands.CaseStatusChange(status="closed", version=1))
    assert err.value.status == 409


@pytest.mark.parametrize("status", ["received", "not_valuable", "duplicate", "converted"])
def test_only_valuable_tips_can_be_linked(status):
    with pytest.raises(ApiError) as err:
        cases.check_tips(["T-1"], {"T-1": tip(status=status)}, "14779")
    assert err.value.status == 409
    assert err.value.extra["current"] == {"tip_id": "T-1", "status": status, "version": 1, "case_id": None}


def test_a_tip_reserved_by_another_case_is_a_conflict_and_a_valuable_one_passes():
    with pytest.raises(ApiError) as err:
        cases.check_tips(["T-1"], {"T-1": tip(case_id="C-OTHER")}, "14779")
    assert err.value.extra["current"]["case_id"] == "C-OTHER"
    cases.check_tips(["T-1"], {"T-1": tip()}, "380")  # a ward's tip in a district's case


def test_missing_tips_are_named_and_tips_of_other_units_are_forbidden():
    with pytest.raises(ApiError) as err:
        cases.check_tips(["T-1", "T-2"], {"T-1": tip()}, "14779")
    assert err.value.status == 422 and err.value.fields == [{"field": "tip_ids.1", "reason": "no such tip"}]
    with pytest.raises(ApiError) as err:
        cases.check_tips(["T-1"], {"T-1": tip(unit="14782")}, "14779")
    assert err.value.status == 403


def test_bodies_refuse_repeated_or_missing_tips():
    with pytest.raises(ValidationError):
        commands.NewCase(title="Đánh bạc", unit_code="14779", tip_ids=["T-1", "T-1"])
    with pytest.raises(ValidationError):
        commands.LinkTips(tip_ids=[])
    with pytest.raises(ValidationError):
        commands.CaseStatusChange(status="archived")


def test_linking_needs_an_open_case_with_no_operation_running():
    cases.check_linkable({"status": "open", "version": 1, "pending": None})
    for case in ({"status": "clarified", "version": 2}, {"status": "open", "version": 1, "pending": {"id": "x"}}):
        with pytest.raises(ApiError) as err:
            cases.check_linkable(case)
        assert err.value.status == 409


def test_events_satisfy_the_case_contracts():
    case = {"_id": "C-1", "unit_code": "14779", "unit_path": ["38", "380", "14779"], "status": "open", "version": 1}
    at = "2026-03-16T02:00:00Z"
    for event in (cases.opened_event(case, ["T-1"], ACTOR, at), cases.linked_event("C-1", ["T-2"], 2, ACTOR, at),
                  cases.status_event(case, commands.CaseStatusChange(status="clarified", note="x"), ACTOR, at),
                  cases.converted_event(tip(), "C-1", ACTOR, at)):
        contracts.validate(event)
    assert cases.status_event(case, commands.CaseStatusChange(status="closed"), ACTOR, at)["data"]["version"] == 2
    converted = cases.converted_event(tip(version=4), "C-1", ACTOR, at)["data"]
    assert converted["status"] == "converted" and converted["previous_status"] == "valuable" and converted["version"] == 5


def test_view_hides_outbox_and_pending():
    view = cases.public_view({"_id": "C-1", "outbox": [1], "pending": {"id": "x"}, "status": "open"})
    assert view == {"case_id": "C-1", "status": "open"}


def test_the_moves_offered_are_the_transitions_allowed():
    assert [cases.moves(s) for s in ("open", "clarified", "closed")] == [["clarified", "closed"], ["closed", "open"], []]

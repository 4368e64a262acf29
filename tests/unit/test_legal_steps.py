from datetime import datetime, timedelta

import pytest

from services.common import commands, contracts
from services.common.errors import ApiError
from services.common.times import VIETNAM
from services.verification import domain, legal

NEAR = timedelta(hours=48)
RECEIVED = datetime(2026, 3, 1, 9, 30, tzinfo=VIETNAM)


def tip(steps=(), decision=None, status="received", version=0):
    doc = domain.tip_from_event({"tip_id": "T-1", "channel": "hotline", "content": "trộm xe máy", "unit_code": "14779",
                                 "received_at": RECEIVED.isoformat(), "anonymous": True})
    doc.update(status=status, version=version, legal_decision=decision,
               legal_steps=[{"step": s, "at": at, "months": m} for s, at, m in steps])
    return doc


def at(day, hour=10):
    return datetime(2026, 3, day, hour, tzinfo=VIETNAM)


def step(name, **extra):
    return commands.LegalStep(step=name, legal_basis="Điều 147 BLTTHS", **extra)


def test_a_new_tip_runs_its_forward_clock():
    doc = tip()
    assert doc["clock_due"] == RECEIVED + timedelta(hours=24) and doc["clock_which"] == "forward"
    assert doc["next_alert_at"] == doc["clock_due"] - NEAR


def test_forward_then_extend_moves_the_decision_deadline():
    deadlines, decision = legal.apply_step(tip(), step("forward"), at(1, 12))
    assert deadlines.forwarded and decision is None
    assert legal.due(deadlines, "received", None) == (datetime(2026, 3, 21, tzinfo=VIETNAM), "decide")
    extended, _ = legal.apply_step(tip([("forward", at(1, 12), None)]), step("extend"), at(10))
    assert extended.decide_by == datetime(2026, 5, 2, tzinfo=VIETNAM)  # end of 1 May


def test_suspension_stops_the_clock_and_resumption_gives_a_month():
    suspended, _ = legal.apply_step(tip([("forward", at(1, 12), None)]), step("suspend"), at(5))
    assert legal.due(suspended, "received", None) == (None, None)
    resumed, _ = legal.apply_step(tip([("forward", at(1, 12), None), ("suspend", at(5), None)]), step("resume"), at(20))
    assert resumed.decide_by == datetime(2026, 4, 21, tzinfo=VIETNAM)


@pytest.mark.parametrize("steps, name", [
    ((), "resume"),                                   # not suspended
    ((), "procuracy_extend"),                         # before the 2-month extension
    ((("forward", at(1, 12), None),) * 2, "forward"),  # forwarded twice
    ((("suspend", at(2), None),), "prosecute"),       # decide a suspended tip
])
def test_forbidden_steps_are_409_with_the_current_state(steps, name):
    with pytest.raises(ApiError) as err:
        legal.apply_step(tip(steps[:1]), step(name), at(3))
    assert err.value.status == 409
    assert err.value.extra["current"]["status"] == "received" and "deadlines" in err.value.extra["current"]


def test_a_final_decision_stops_the_clock_and_nothing_follows_it():
    deadlines, decision = legal.apply_step(tip(), step("not_prosecute"), at(3))
    assert decision == "not_prosecute" and legal.due(deadlines, "received", decision) == (None, None)
    with pytest.raises(ApiError) as err:
        legal.apply_step(tip(decision="prosecute"), step("extend"), at(3))
    assert err.value.extra["current"]["legal_decision"] == "prosecute"


def test_months_only_for_the_procuracy_and_stale_versions_conflict():
    with pytest.raises(ApiError) as err:
        legal.check_body(step("extend", months=1))
    assert err.value.fields[0]["field"] == "months"
    with pytest.raises(ApiError) as err:
        legal.apply_step(tip(version=2), step("forward", version=1), at(2))
    assert err.value.status == 409


def test_settled_statuses_stop_the_clock():
    deadlines = legal.deadlines_of(tip())
    for status in ("not_valuable", "duplicate", "converted"):
        assert legal.due(deadlines, status, None) == (None, None)
    assert legal.due(deadlines, "valuable", None)[1] == "forward"


def test_alerts_once_per_deadline_near_then_passed():
    doc = tip()
    due = doc["clock_due"]
    assert legal.alert_due(doc, due - NEAR - timedelta(minutes=1), NEAR) is None
    assert legal.alert_due(doc, due - timedelta(hours=1), NEAR) == "deadline_near"
    doc["alerted"] = legal.alerted_after(doc, "deadline_near")
    assert legal.alert_due(doc, due - timedelta(minutes=1), NEAR) is None
    assert legal.next_alert_at(due, doc["alerted"], NEAR) == due
    assert legal.alert_due(doc, due, NEAR) == "deadline_passed"
    doc["alerted"] = legal.alerted_after(doc, "deadline_passed")
    assert legal.alert_due(doc, due + timedelta(days=3), NEAR) is None
    assert legal.next_alert_at(due, doc["alerted"], NEAR) is None


def test_a_tip_found_overdue_gets_only_the_passed_alert_and_a_new_deadline_alerts_again():
    doc = tip()
    assert legal.alert_due(doc, doc["clock_due"] + timedelta(hours=1), NEAR) == "deadline_passed"
    doc["alerted"] = legal.alerted_after(doc, "deadline_passed")
    assert doc["alerted"]["deadline_near"] == doc["alerted"]["deadline_passed"]
    doc["clock_due"] = doc["clock_due"] + timedelta(days=20)
    assert legal.alert_due(doc, doc["clock_due"] - timedelta(hours=2), NEAR) == "deadline_near"


def test_clock_view_states():
    doc = tip()
    due = doc["clock_due"]
    assert legal.clock_view(doc, due - timedelta(days=3), NEAR)["state"] == "ok"
    assert legal.clock_view(doc, due - timedelta(hours=3), NEAR)["state"] == "near"
    assert legal.clock_view(doc, due, NEAR) == {"state": "overdue", "deadline": due, "which": "forward"}
    assert legal.clock_view({**doc, "clock_due": None}, due, NEAR)["state"] == "stopped"


def test_legal_step_example_event_matches_what_the_api_builds():
    deadlines, _ = legal.apply_step(tip(), step("forward"), at(1, 12))
    contracts.make_event("tip.legal_step/1", subject="T-1", source="verification", data={
        "tip_id": "T-1", "step": "forward", "legal_basis": "Điều 147 BLTTHS", "note": None, "months": None,
        "at": "2026-03-01T05:00:00Z", "status": "received", "version": 1,
        "deadlines": legal.deadlines_event(deadlines), "legal_decision": None,
        "actor": {"username": "a", "role": "officer", "unit_code": "14779"}})

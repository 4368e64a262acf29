from services.aggregation import domain
from services.common import contracts


def received(received_at="2026-01-31T18:30:00Z"):
    return contracts.make_event("tip.received/1", subject="T-1", source="test", data={
        "tip_id": "T-1", "channel": "hotline", "content": "x", "unit_code": "14767",
        "unit_path": ["38", "380", "14767"], "received_at": received_at, "recorded_at": received_at,
        "anonymous": True, "has_contact": False})


def changed(version, status="valuable"):
    return contracts.make_event("tip.status_changed/1", subject="T-1", source="test", data={
        "tip_id": "T-1", "status": status, "previous_status": "received", "version": version,
        "changed_at": "2026-02-02T00:00:00Z", "actor": {"username": "u", "role": "officer", "unit_code": "380"}})


def test_day_and_month_are_counted_in_vietnam_time():
    fact = domain.fact_of_received(received().data)
    assert (fact["received_day"], fact["received_month"]) == ("2026-02-01", "2026-02")


def test_received_never_overwrites_a_status():
    new = domain.update_for(received())
    assert new.document()["status"] == "received" and new.document()["_id"] == "T-1"
    assert new.as_update()._doc["$setOnInsert"] == {"status": "received", "status_version": 0}
    assert "status" not in new.as_update()._doc["$set"]  # the tip existed: its status stays


def test_status_change_applies_only_to_older_versions():
    update = domain.update_for(changed(3))
    assert update._filter == {"_id": "T-1", "status_version": {"$lt": 3}}
    assert update._doc == {"$set": {"status": "valuable", "status_version": 3}}

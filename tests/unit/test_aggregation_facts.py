from services.aggregation import domain, facts
from services.common import contracts, readmodels

ACTOR = {"username": "u", "role": "officer", "unit_code": "380"}


def case_opened():
    return contracts.make_event("case.opened/1", subject="C-1", source="test", data={
        "case_id": "C-1", "unit_code": "14767", "unit_path": ["38", "380", "14767"], "tip_ids": ["T-1"],
        "opened_at": "2024-03-01T00:00:00Z", "version": 1, "actor": ACTOR})


def test_a_case_converts_its_tips_whatever_came_first():
    writes = domain.writes_for(case_opened())
    tip_updates = [u for name, u in writes if name == readmodels.TIP_FACTS]
    assert [u._doc for u in tip_updates] == [{"$set": {"case_linked": True}, "$setOnInsert": domain.NEW_TIP}]
    case = [u for name, u in writes if name == readmodels.CASE_FACTS]
    assert case[0]._doc["$set"]["unit_path_2025"] == ["38", "14797"]
    assert case[1]._filter == {"_id": "C-1", "status_version": {"$lt": 1}}


def test_clarification_keeps_the_earliest_time_and_status_follows_versions():
    writes = facts.case_status({"case_id": "C-1", "status": "clarified", "changed_at": "2024-05-01T00:00:00Z",
                                "version": 3})
    assert writes[0][1]._filter == {"_id": "C-1", "status_version": {"$lt": 3}}
    assert "$min" in writes[1][1]._doc and writes[1][1]._doc["$setOnInsert"] == {"status_version": 0}
    assert len(facts.case_status({"case_id": "C-1", "status": "closed", "changed_at": "2024-05-01T00:00:00Z",
                                  "version": 4})) == 1


def test_an_extraction_for_a_case_marks_camera_help():
    data = {"extraction_id": "X-1", "camera_id": "CAM-1", "unit_code": "14767", "case_id": "C-1",
            "tip_id": None, "extracted_at": "2024-05-01T00:00:00Z"}
    writes = facts.extraction(data)
    assert [name for name, _ in writes] == [readmodels.EXTRACTION_FACTS, readmodels.CASE_FACTS]
    assert writes[1][1]._doc["$set"] == {"camera_help": True}
    assert len(facts.extraction({**data, "case_id": None})) == 1


def test_a_camera_registration_replaces_only_an_older_one():
    update = facts.camera({"camera_id": "CAM-1", "unit_code": "14767", "status": "working",
                           "installed_at": "2023-01-01T00:00:00Z", "registered_at": "2024-01-01T00:00:00+07:00"})
    assert update._filter == {"_id": "CAM-1", "revision": {"$not": {"$gte": "2023-12-31T17:00:00.000Z/000000001"}}}
    assert update._doc["$set"]["status"] == "working" and update._doc["$set"]["version"] == 1


def test_a_camera_change_replaces_only_an_older_version_of_the_same_or_an_older_registration():
    event = contracts.make_event("camera.updated/1", subject="CAM-1", source="test", data={
        "camera_id": "CAM-1", "unit_code": "14767", "unit_path": ["38", "380", "14767"],
        "location": {"lat": 19.8, "lon": 105.77}, "owner_kind": "household", "programme_code": None,
        "retention_days": 15, "status": "broken", "installed_at": "2023-01-01T00:00:00Z",
        "registered_at": "2024-01-01T00:00:00Z", "version": 3, "updated_at": "2024-02-01T00:00:00Z",
        "changed": ["status"]})
    [(name, update)] = domain.writes_for(event)
    assert name == readmodels.CAMERA_FACTS
    assert {k: update._doc["$set"][k] for k in ("status", "version", "programme_code")} == {
        "status": "broken", "version": 3, "programme_code": None}
    registered = facts.parse("2024-01-01T00:00:00Z")
    later = facts.parse("2024-01-01T00:00:00.001Z")
    ordered = [facts.revision(registered, 2), facts.revision(registered, 3), facts.revision(registered, 10),
               facts.revision(later, 1)]
    assert sorted(ordered) == ordered and update._doc["$set"]["revision"] == ordered[1]
    # a registration's microseconds are not in the registry's later events: the same revision
    assert facts.revision(facts.parse("2024-01-01T00:00:00.000999Z"), 2) == ordered[0]


def test_events_no_read_model_uses_change_nothing():
    event = contracts.make_event("custody.recorded/1", subject="X-1", source="test", data={
        "extraction_id": "X-1", "unit_code": "14767", "seq": 1, "action": "viewed",
        "at": "2024-05-01T00:00:00Z", "sha256": "a" * 64, "prev_sha256": "b" * 64})
    assert domain.writes_for(event) == []

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
                           "installed_at": "2023-01-01T00:00:00Z", "registered_at": "2024-01-01T00:00:00Z"})
    assert set(update._filter) == {"_id", "registered_at"} and update._doc["$set"]["status"] == "working"


def test_events_no_read_model_uses_change_nothing():
    event = contracts.make_event("custody.recorded/1", subject="X-1", source="test", data={
        "extraction_id": "X-1", "unit_code": "14767", "seq": 1, "action": "viewed",
        "at": "2024-05-01T00:00:00Z", "sha256": "a" * 64, "prev_sha256": "b" * 64})
    assert domain.writes_for(event) == []

"""The rules of programme activities (intake's activities_domain.py and the import's rows) and
the report's sentences on them (gateway's report_activities.py): pure, no servers."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from services.aggregation import facts
from services.common.auth import Principal
from services.common.errors import ApiError, validation_fields
from services.gateway import report, report_activities
from services.intake import activities_domain as domain
from services.intake import activity_imports

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
WARD, DISTRICT = "15913", "380"
PROGRAMME = {"_id": "CNMT-380", "unit_code": DISTRICT}
CLERK = Principal(username="tiepnhan.15913", role="clerk", unit_code=WARD)


def body(**changes) -> dict:
    return {"programme_code": "CNMT-380", "kind": "patrol", "unit_code": WARD,
            "started_at": "2026-11-30T19:00:00", "ended_at": "2026-11-30T22:00:00", "participants": 4,
            "findings": {"disputes_settled": 1}, **changes}


def problems(**changes) -> list[dict]:
    """The fields a request is refused for, as the route checks it (model, then rules)."""
    try:
        activity = domain.ActivityIn.model_validate(body(**changes))
    except ValidationError as exc:
        return validation_fields(exc.errors())
    try:
        path = domain.check_fields(activity, NOW)
        domain.check_access(activity, CLERK)
        domain.check_programme(activity, path, PROGRAMME if activity.programme_code == "CNMT-380" else None)
    except ApiError as exc:
        return [{"status": exc.status, **f} for f in exc.fields]
    return []


def test_a_good_activity_passes_and_its_times_are_vietnams():
    assert problems() == []
    activity = domain.ActivityIn.model_validate(body())
    assert activity.started_at.utcoffset().total_seconds() == 7 * 3600
    assert activity.count == 1 and activity.findings.traffic == 0 and activity.findings.disputes_settled == 1


@pytest.mark.parametrize("changes, field", [
    ({"ended_at": "2026-11-30T18:00:00"}, "ended_at"),
    ({"participants": 0}, "participants"), ({"participants": "four"}, "participants"),
    ({"count": 0}, "count"),
    ({"findings": {"drugs": -1}}, "findings.drugs"), ({"findings": {"weapons": 1}}, "findings.weapons"),
    ({"programme_code": "NOPE-1"}, "programme_code"), ({"programme_code": "lower case"}, "programme_code"),
    ({"unit_code": "99999"}, "unit_code"), ({"kind": "football"}, "kind"),
    ({"started_at": "2027-01-01T00:00:00", "ended_at": "2027-01-01T02:00:00"}, "started_at"),
    ({"activity_id": "x"}, "activity_id"), ({"surprise": 1}, "surprise"),
])
def test_each_bad_field_is_named(changes, field):
    found = problems(**changes)
    assert field in [f["field"] for f in found], found
    assert all(f["reason"] and f.get("status", 422) == 422 for f in found)


def test_a_unit_outside_the_callers_or_the_programmes_is_refused():
    assert problems(unit_code="15922") == [{"status": 403, "field": "unit_code", "reason": "outside your unit"}]
    other = domain.ActivityIn.model_validate(body(unit_code="14767"))  # a ward of another district
    with pytest.raises(ApiError) as refused:
        domain.check_programme(other, ["38", "381", "14767"], PROGRAMME)
    assert refused.value.fields[0]["field"] == "programme_code"


def test_the_same_request_has_the_same_fingerprint_whatever_its_id():
    a = domain.ActivityIn.model_validate(body(activity_id="clerk-1"))
    b = domain.ActivityIn.model_validate(body(activity_id="clerk-2"))
    c = domain.ActivityIn.model_validate(body(participants=5))
    assert domain.fingerprint(a) == domain.fingerprint(b) != domain.fingerprint(c)
    assert domain.new_activity_id().startswith("ACT-") and len(domain.new_activity_id()) == 30


def test_the_event_and_the_fact_carry_the_activity_but_nobody():
    activity = domain.ActivityIn.model_validate(body(count=3, participants=9))
    doc = domain.activity_doc(activity, "ACT-1X", ["38", DISTRICT, WARD], CLERK, NOW)
    data = domain.logged_data(doc)
    assert "logged_by" not in data and "tiepnhan" not in str(data)
    fact = facts.activity(data).document()
    assert fact == {"_id": "ACT-1X", "unit_code": WARD, "unit_path": ["38", DISTRICT, WARD],
                    "unit_path_2025": fact["unit_path_2025"], "programme_code": "CNMT-380", "kind": "patrol",
                    "started_at": fact["started_at"], "started_month": "2026-11", "count": 3, "participants": 9,
                    "traffic": 0, "drugs": 0, "theft": 0, "disputes_settled": 1, "other": 0}


def test_import_rows_read_text_and_spreadsheet_numbers():
    cells = {"programme_code": "CNMT-380", "kind": "armed_patrol", "unit_code": 15913.0,
             "started_at": datetime(2026, 11, 2, 19), "ended_at": "2026-11-02T23:00:00", "count": "2",
             "participants": 16.0, "traffic": "3", "theft": 1}
    activity = activity_imports.submission(cells)
    assert (activity.unit_code, activity.count, activity.participants) == (WARD, 2, 16)
    assert (activity.findings.traffic, activity.findings.theft, activity.findings.drugs) == (3, 1, 0)
    with pytest.raises(ValidationError):
        activity_imports.submission({**cells, "drugs": "-2"})
    assert activity_imports.check_columns(["kind", "programme_code"])[0] == {"field": "unit_code",
                                                                               "reason": "is a required column",
                                                                               "code": "required_column"}
    assert activity_imports.row_id("ab" * 32, 7) == activity_imports.row_id("ab" * 32, 7) != activity_imports.row_id("ab" * 32, 8)


ARTICLE = {"patrol": {"activities": 8760, "participants": 21900, "traffic": 0, "drugs": 0, "theft": 0,
                      "disputes_settled": 26, "other": 0},
           "armed_patrol": {"activities": 2920, "participants": 23360, "traffic": 106, "drugs": 5, "theft": 2,
                            "disputes_settled": 0, "other": 0}}


def test_the_report_says_it_in_the_articles_words():
    assert report_activities.sentences(ARTICLE, report.number) == [
        "Tuần tra Nhân dân được tổ chức với 8.760 lượt, 21.900 lượt người tham gia, giải quyết 26 mâu thuẫn "
        "trong cộng đồng; tuần tra vũ trang 2.920 lượt với 23.360 lượt người tham gia, phát hiện 106 trường hợp "
        "vi phạm giao thông, 5 vụ ma túy, 2 vụ trộm cắp."]
    assert report_activities.sentences(ARTICLE, "{:,}".format, "en") == [
        "People's patrols went out 8,760 times with 21,900 participants, settling 26 disputes within the "
        "community; armed patrols went out 2,920 times with 23,360 participants, finding 106 traffic "
        "violations, 5 drug cases, 2 thefts."]


def test_the_report_names_only_what_happened_and_masks_small_figures_in_public():
    only_armed = {"armed_patrol": ARTICLE["armed_patrol"]}
    assert report_activities.sentences(only_armed, report.number)[0].startswith("Tuần tra vũ trang 2.920 lượt")
    assert report_activities.sentences({}, report.number) == []
    public = report_activities.sentences(ARTICLE, report.Figures("public").show)[0]
    assert "5 vụ ma túy, < 5 vụ trộm cắp" in public
    mediation = {"dispute_mediation": {**ARTICLE["patrol"], "activities": 12, "participants": 30}}
    assert report_activities.sentences(mediation, report.number) == [
        "Ngoài ra, các mô hình đã tổ chức 12 lượt hòa giải với 30 lượt người tham gia, giải quyết 26 mâu "
        "thuẫn trong cộng đồng."]


def test_the_report_formats_carry_the_activities():
    from tests.unit.test_report import figures
    text = " ".join(report.paragraphs({**figures(), "activities": ARTICLE}, "internal"))
    assert "Tuần tra Nhân dân được tổ chức với 8.760 lượt" in text
    assert ["hoat_dong", "armed_patrol", "Tuần tra vũ trang", "traffic", 106] in \
        report.long_rows({**figures(), "activities": ARTICLE}, "internal")
    assert "| patrol | Tuần tra Nhân dân | 8760 | 21900 |" in report.to_markdown({**figures(), "activities": ARTICLE}, "internal")
    assert "Tuần tra" not in " ".join(report.paragraphs(figures(), "internal"))

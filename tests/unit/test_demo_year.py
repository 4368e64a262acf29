"""The demo year `make run` loads is the seed article's (Thanh Hóa city, 2024): its events, counted
as the report counts them (the same computation the year-of-events integration test checks the
read models against), give the article's figures, each where it belongs."""
from services.devstack import demo_year
from tests.integration.test_aggregation_year import expected


def test_the_demo_year_gives_the_figures_of_the_seed_article():
    events = demo_year.year_events(2024, "380")
    want = expected(events, 2024, "380")
    assert (want["tips"]["received"], want["tips"]["valuable"]) == (692, 265)
    assert {g["key"]: g["received"] for g in want["by_channel"]} == {"tip_box": 5, "walk_in": 312, "hotline": 375}
    programmes = {g["key"]: (g["received"], g["converted"]) for g in want["by_programme"] if g["key"]}
    assert programmes == {"CNMT-380": (32, 12), "ANCN-380": (24, 9), "LGTQ-380": (18, 4)}
    assert want["cameras"] == {"cameras": 1911, "camera_programmes": 34, "extractions": 1028, "cases_clarified": 152}


def test_the_demo_years_patrols_are_the_seed_articles_through_the_activity_facts():
    """The activity events, as aggregation makes its facts of them and the report sums them by
    kind, give the article's patrol sentence."""
    from services.aggregation import domain
    from services.gateway import report, report_activities
    events = demo_year.year_events(2024, "380")["activities"]
    facts = [w.document() for e in events for _, w in domain.writes_for(e)]
    assert len({f["_id"] for f in facts}) == len(facts) == 2 * 47 * 12  # a ward's month per kind
    assert {f["started_month"][:4] for f in facts} == {"2024"} and all(f["unit_path"][1] == "380" for f in facts)
    sums = {"activities": "count", **{m: m for m in ("participants", "traffic", "drugs", "theft",
                                                     "disputes_settled", "other")}}
    by_kind = {k: {m: sum(f[field] for f in facts if f["kind"] == k) for m, field in sums.items()}
               for k in ("patrol", "armed_patrol")}
    assert by_kind["patrol"] == {"activities": 8760, "participants": 21900, "traffic": 0, "drugs": 0,
                                 "theft": 0, "disputes_settled": 26, "other": 0}
    assert by_kind["armed_patrol"] == {"activities": 2920, "participants": 23360, "traffic": 106, "drugs": 5,
                                       "theft": 2, "disputes_settled": 0, "other": 0}
    assert report_activities.sentences(by_kind, report.number) == [
        "Tuần tra Nhân dân được tổ chức với 8.760 lượt, 21.900 lượt người tham gia, giải quyết 26 mâu thuẫn "
        "trong cộng đồng; tuần tra vũ trang 2.920 lượt với 23.360 lượt người tham gia, phát hiện 106 trường hợp "
        "vi phạm giao thông, 5 vụ ma túy, 2 vụ trộm cắp."]

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


# --- the year's work as verification sees it: decided within the clocks, today's queue ---
from datetime import datetime  # noqa: E402

import pytest  # noqa: E402

from services.common import units  # noqa: E402
from services.common.times import VIETNAM, parse  # noqa: E402
from services.devstack import demo_backlog, demo_cameras  # noqa: E402
from services.verification import clocks, domain, history, legal  # noqa: E402
from services.verification.triage import triage  # noqa: E402

NEAR = clocks.NEAR
NOW = datetime(2026, 12, 3, 15, 30, tzinfo=VIETNAM)


def verification_state(events: dict) -> dict[str, dict]:
    """The tips as verification holds them after consuming the events: its consumer's fold of
    them into one write per tip (history.fold), applied here as the database would."""
    tips = {e.data["tip_id"]: domain.tip_from_event(e.data) for e in events["tips.received"]}
    updates, refused = history.fold(tips, events["tips.verification"], NEAR)
    assert refused == []
    for tip_id, update in updates.items():
        tip = tips[tip_id]
        assert tip["version"] == update.version
        tips[tip_id] = {**tip, **update.fields, **{k: tip.get(k, []) + v for k, v in update.push.items()}}
    return tips


@pytest.fixture(scope="module")
def year_2024():
    return demo_year.year_events(2024, "380")


def test_every_tip_of_the_year_is_forwarded_and_decided_within_its_legal_clock(year_2024):
    tips = verification_state(year_2024)
    assert len(tips) == 692
    for tip in tips.values():
        assert tip["status"] in ("not_valuable", "duplicate", "converted") or tip["legal_decision"] == "not_prosecute"
        assert tip["clock_due"] is None, tip["_id"]  # nothing of 2024 waits any more
        forward = tip["legal_steps"][0]
        assert forward["step"] == "forward" and forward["at"] < tip["deadlines"]["forward_by"]
        decide_by = legal.deadlines_of(tip).decide_by
        last = max([h["at"] for h in tip["history"]] + [s["at"] for s in tip["legal_steps"]])
        assert last < decide_by, tip["_id"]
    statuses = [t["status"] for t in tips.values()]
    assert statuses.count("converted") == 182 and statuses.count("valuable") == 265 - 182
    assert sum(t["deadlines"].get("extended", False) for t in tips.values()) > 10  # complex tips took 2 months


def test_the_decisions_are_those_the_verdicts_write_and_verification_takes_them_once(year_2024):
    tips = verification_state(year_2024)
    some = next(e for e in year_2024["tips.verification"] if e.type == "tip.status_changed")
    tip = tips[some.subject]
    assert history.changes(tip, some.type, some.data, NEAR) is None  # already applied: nothing
    duplicates = [t for t in tips.values() if t["status"] == "duplicate"]
    assert duplicates and all(tips[t["history"][-1]["duplicate_of"]]["unit_code"] == t["unit_code"] for t in duplicates)
    with pytest.raises(history.Refused):
        history.changes(tip, some.type, {**some.data, "version": tip["version"] + 2}, NEAR)


def backlog_state() -> list[dict]:
    return list(verification_state(demo_backlog.events(NOW)).values())


def test_todays_backlog_is_tens_of_open_tips_some_near_or_past_their_deadline():
    tips = backlog_state()
    states = [legal.clock_view(t, NOW, NEAR)["state"] for t in tips]
    assert 20 <= len(tips) <= 60 and all(t["status"] == "received" for t in tips)
    assert states.count("overdue") == demo_backlog.OVERDUE
    assert demo_backlog.NEAR <= states.count("near") <= demo_backlog.NEAR + demo_backlog.TODAY
    today = [t for t in tips if t["received_at"].astimezone(VIETNAM).date() == NOW.date()]
    assert sum(t["priority"] == "high" for t in today) >= 2
    assert all(triage(c).priority == "high" for c in demo_backlog.TODAY_HIGH)


def test_the_registry_has_the_articles_cameras_inside_the_wards_of_district_380():
    rows = demo_cameras.rows("380")
    assert len(rows) == 1911 and len({r["camera_id"] for r in rows}) == 1911
    assert len({r["programme_code"] for r in rows}) == 34
    assert all(units.path(r["unit_code"])[:2] == ["38", "380"] for r in rows)
    for r in rows[::5]:  # the real lookup takes ~10 ms a point
        assert units.nearest_ward(r["lat"], r["lon"]).code == r["unit_code"], r["camera_id"]
    assert all(parse(r["installed_at"]) < datetime(2024, 11, 1, tzinfo=VIETNAM) for r in rows)
    assert {r["owner_kind"] for r in rows} == {"household", "business", "public_body"}
    assert any(r["owner_name"].startswith("Trường") for r in rows) and any(r["owner_name"].startswith("Hộ") for r in rows)


def test_the_years_extractions_are_of_registered_cameras_of_their_cases_ward(year_2024):
    registry = {r["camera_id"]: r["unit_code"] for r in demo_cameras.rows("380")}
    extractions = [e.data for e in year_2024["extractions"]]
    assert all(registry.get(x["camera_id"]) == x["unit_code"] for x in extractions)
    cameras = {e.data["camera_id"]: e.data["unit_code"] for e in year_2024["cameras"]}
    assert cameras == registry  # the events a test produces are the registry's

"""Programme activities through the gateway on the real stack: logged once however often a
request is retried, each bad field named, roles and units enforced, sheets imported with
per-row errors (a re-upload adds nothing), counted by /stats/activities; and the demo year's
activities, produced to the real broker as `make run` loads them, give the seed article's patrol
sentence in the 2024 report of Thanh Hóa city, while another district's report counts only its
own. Ward 14755 (phường Hàm Rồng, district 380) is this module's; district 382 (Sầm Sơn) has
activities only in 2024 here (test_aggregation_year uses its 2022 and 2023 tips)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.devstack import demo_activities
from services.gateway import report, report_activities
from tests.conftest import eventually
from tests.integration.conftest import produce_events

WARD, OTHER_WARD, DISTRICT = "14755", "14758", "380"
RUN = uuid.uuid4().hex[:8].upper()
PROGRAMME = f"LGTQ-HR-{RUN}"
# a fixed day in the past, so the period of the statistics holds exactly this module's activities
DAY = (datetime.now(timezone.utc) - timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
PERIOD = {"unit_code": WARD, "from": (DAY - timedelta(days=1)).isoformat(), "to": (DAY + timedelta(days=1)).isoformat()}


@pytest.fixture(scope="module")
def people(make_user, admin, gateway):
    r = gateway.post("/api/v1/programmes", headers=admin, json={
        "code": PROGRAMME, "name": f"Tổ liên gia tự quản Hàm Rồng {RUN}", "kind": "neighbourhood",
        "unit_code": WARD, "launched_at": "2021-04-01", "members": 60})
    assert r.status_code == 201, r.text
    return {"clerk": make_user("tiepnhan.act.14755", "clerk", WARD),
            "commander": make_user("chihuy.act.380", "commander", DISTRICT),
            "officer": make_user("canbo.act.14755", "officer", WARD),
            "other_clerk": make_user("tiepnhan.act.14758", "clerk", OTHER_WARD)}


def activity(**changes) -> dict:
    return {"programme_code": PROGRAMME, "kind": "patrol", "unit_code": WARD,
            "started_at": DAY.isoformat(), "ended_at": (DAY + timedelta(hours=3)).isoformat(),
            "participants": 4, "findings": {"disputes_settled": 1, "theft": 1}, "note": "Tuần tra khu phố 3", **changes}


def stats(gateway, headers, **params) -> dict:
    r = gateway.get("/api/v1/stats/activities", params={**PERIOD, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_retried_post_is_logged_and_counted_once(gateway, people):
    wanted = activity(activity_id=f"HR-{RUN}-1", kind="armed_patrol", count=2, participants=16,
                      findings={"traffic": 3, "drugs": 1})
    first = gateway.post("/api/v1/activities", json=wanted, headers=people["clerk"])
    assert first.status_code == 201, first.text
    made = first.json()
    assert made["activity_id"] == wanted["activity_id"] and made["unit_path"] == ["38", DISTRICT, WARD]
    assert made["findings"] == {"traffic": 3, "drugs": 1, "theft": 0, "disputes_settled": 0, "other": 0}
    again = gateway.post("/api/v1/activities", json=wanted, headers=people["clerk"])
    assert again.status_code == 200 and again.json() == made  # the first answer, nothing new
    changed = gateway.post("/api/v1/activities", json={**wanted, "participants": 17}, headers=people["clerk"])
    assert changed.status_code == 409
    assert changed.json()["error"]["fields"] == [{"field": "activity_id", "reason": "is taken by another activity"}]
    plain = gateway.post("/api/v1/activities", json=activity(), headers=people["commander"])
    assert plain.status_code == 201 and plain.json()["activity_id"].startswith("ACT-")
    want = {"activities": 3, "records": 2, "participants": 20, "traffic": 3, "drugs": 1, "theft": 1,
            "disputes_settled": 1, "other": 0}
    got = eventually(lambda: (s := stats(gateway, people["commander"]))["total"] == want and s, 60)
    by_kind = {g["key"]: g["activities"] for g in stats(gateway, people["clerk"], group_by="kind")["groups"]}
    assert by_kind == {"armed_patrol": 2, "patrol": 1}
    by_programme = stats(gateway, people["clerk"], group_by="programme")["groups"]
    assert [(g["key"], g["name"], g["records"]) for g in by_programme] == [(PROGRAMME, f"Tổ liên gia tự quản Hàm Rồng {RUN}", 2)]
    month = DAY.astimezone(timezone(timedelta(hours=7))).strftime("%Y-%m")
    assert [g["key"] for g in stats(gateway, people["clerk"], group_by="month")["groups"]] == [month]
    assert got["unit_code"] == WARD


@pytest.mark.parametrize("changes, field", [
    ({"ended_at": (DAY - timedelta(hours=1)).isoformat()}, "ended_at"),
    ({"participants": 0}, "participants"), ({"programme_code": "NOPE-380"}, "programme_code"),
    ({"unit_code": "99999"}, "unit_code"), ({"findings": {"drugs": -1}}, "findings.drugs"),
    ({"kind": "football"}, "kind"),
])
def test_each_bad_field_is_named_and_nothing_is_logged(gateway, people, changes, field):
    key = f"HR-{RUN}-bad-{field}"
    r = gateway.post("/api/v1/activities", json=activity(activity_id=key, **changes), headers=people["clerk"])
    assert r.status_code == 422, r.text
    assert [f["field"] for f in r.json()["error"]["fields"]] == [field]
    good = gateway.post("/api/v1/activities", json=activity(activity_id=key, started_at="2020-01-01T08:00:00",
                                                             ended_at="2020-01-01T09:00:00"), headers=people["clerk"])
    assert good.status_code == 201  # the id was not taken by the refused request


def test_roles_and_units_are_enforced(gateway, people):
    assert gateway.post("/api/v1/activities", json=activity(), headers=people["officer"]).status_code == 403
    r = gateway.post("/api/v1/activities", json=activity(), headers=people["other_clerk"])
    assert r.status_code == 403 and r.json()["error"]["fields"] == [{"field": "unit_code", "reason": "outside your unit"}]
    assert gateway.post("/api/v1/activities", json=activity()).status_code == 401
    assert gateway.get("/api/v1/stats/activities", params=PERIOD, headers=people["other_clerk"]).status_code == 403


def _import(gateway, headers, data: bytes) -> dict:
    r = gateway.post("/api/v1/activities/import", headers=headers, files={"file": ("so-tuan-tra.csv", data)})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    assert job_id.startswith("IA-")
    return eventually(lambda: (j := gateway.get(f"/api/v1/imports/{job_id}", headers=headers).json())["status"]
                      in ("done", "failed") and j, 60)


def test_a_sheet_is_imported_with_per_row_errors_and_once(gateway, people):
    day = (DAY - timedelta(days=40)).strftime("%Y-%m-%d")
    sheet = ("programme_code;kind;unit_code;started_at;ended_at;count;participants;traffic;disputes_settled;note\n"
             f"{PROGRAMME};patrol;{WARD};{day}T19:00:00;{day}T22:00:00;30;75;0;2;Tháng {RUN}\n"
             f"{PROGRAMME};armed_patrol;{WARD};{day}T20:00:00;{day}T23:00:00;10;80;4;0;\n"
             f"{PROGRAMME};patrol;{WARD};{day}T19:00:00;{day}T18:00:00;1;3;0;0;\n"
             f"{PROGRAMME};patrol;{WARD};{day}T19:00:00;{day}T22:00:00;1;0;0;0;\n").encode()
    job = _import(gateway, people["clerk"], sheet)
    assert (job["status"], job["kind"], job["done"], job["failed"]) == ("done", "activities", 2, 2)
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(4, "ended_at"), (5, "participants")]
    assert "receipts" not in job
    again = _import(gateway, people["clerk"], sheet)
    assert (again["done"], again["already_imported"], again["failed"]) == (2, 2, 2)
    period = {"from": f"{day}T00:00:00", "to": f"{day}T23:59:59"}
    want = {"activities": 40, "records": 2, "participants": 155, "traffic": 4, "drugs": 0, "theft": 0,
            "disputes_settled": 2, "other": 0}
    eventually(lambda: stats(gateway, people["clerk"], **period)["total"] == want, 60)
    bad = gateway.post("/api/v1/activities/import", headers=people["clerk"],
                       files={"file": ("x.csv", b"kind;unit_code\npatrol;14755\n")})
    assert bad.status_code == 422 and {f["field"] for f in bad.json()["error"]["fields"]} >= {"programme_code", "participants"}


@pytest.fixture(scope="module")
def demo_year(stack):
    """The 2024 activities of Thanh Hóa city as the demo year carries them, and a few of Sầm Sơn's."""
    events = demo_activities.activity_events(2024, "380") + demo_activities.activity_events(2024, "382", 0.1, seed=5)
    produce_events(stack.bootstrap, "activities", events)
    produce_events(stack.bootstrap, "activities", events[:50])  # a redelivery counts nothing twice
    return events


def test_the_demo_years_report_has_the_articles_patrol_sentence(gateway, admin, demo_year):
    sentence = ("Tuần tra Nhân dân được tổ chức với 8.760 lượt, 21.900 lượt người tham gia, giải quyết 26 mâu "
                "thuẫn trong cộng đồng; tuần tra vũ trang 2.920 lượt với 23.360 lượt người tham gia, phát hiện "
                "106 trường hợp vi phạm giao thông, 5 vụ ma túy, 2 vụ trộm cắp.")

    def report_of(unit):
        r = gateway.get("/api/v1/reports/summary", params={"unit_code": unit, "year": 2024}, headers=admin)
        assert r.status_code == 200, r.text
        return r.json()
    got = eventually(lambda: sentence in (j := report_of(DISTRICT))["paragraphs"] and j, 90)
    assert got["activities"]["patrol"]["activities"] == 8760
    md = gateway.get("/api/v1/reports/summary", params={"unit_code": DISTRICT, "year": 2024, "format": "md"},
                     headers=admin).text
    assert sentence in md and "| armed_patrol | Tuần tra vũ trang | 2920 | 23360 | 106 | 5 | 2 | 0 | 0 |" in md
    own = [e.data for e in demo_year if e.data["unit_path"][1] == "382"]
    sums = {k: {"activities": sum(d["count"] for d in own if d["kind"] == k),
                "participants": sum(d["participants"] for d in own if d["kind"] == k),
                **{f: sum(d["findings"][f] for d in own if d["kind"] == k) for f in report_activities.FOUND + ("disputes_settled",)}}
            for k in ("patrol", "armed_patrol")}
    other = report_of("382")
    assert report_activities.sentences(sums, report.number)[0] in other["paragraphs"]
    assert other["activities"]["patrol"]["activities"] == sums["patrol"]["activities"] < 8760
    assert report_of(DISTRICT)["activities"]["patrol"]["activities"] == 8760  # still only its own

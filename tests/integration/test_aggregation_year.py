"""A whole (small) year of events through the real broker into the read models: every figure of
the yearly report and of /stats/cameras is checked against the events generated here."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from services.common import units
from services.common.times import VIETNAM, parse
from services.devstack import demo_year
from services.gateway import report
from tests.conftest import eventually
from tests.integration.conftest import produce_events

DISTRICT, YEAR = "382", 2023  # Sầm Sơn: no other test uses it
ORDER = ("cases", "extractions", "tips.verification", "cameras", "tips.received")  # effects first


def expected(events: dict, year: int, unit: str, era: str = "legacy") -> dict:
    """The report's figures computed from the events themselves."""
    start, end = datetime(year, 1, 1, tzinfo=VIETNAM), datetime(year + 1, 1, 1, tzinfo=VIETNAM)

    def inside(data):
        where = units.path_2025(data["unit_code"]) if era == "2025" else units.path(data["unit_code"])
        return unit in where
    status, linked = {}, set()
    for e in events["tips.verification"]:
        version, _ = status.get(e.data["tip_id"], (0, None))
        if e.data["version"] > version:
            status[e.data["tip_id"]] = (e.data["version"], e.data["status"])
    for e in events["cases"]:
        linked |= set(e.data.get("tip_ids", []))
    tips = [e.data for e in events["tips.received"] if inside(e.data) and start <= parse(e.data["received_at"]) < end]

    def counts(group):
        conv = [t for t in group if t["tip_id"] in linked or status.get(t["tip_id"], (0, ""))[1] == "converted"]
        val = [t for t in group if t in conv or status.get(t["tip_id"], (0, ""))[1] == "valuable"]
        return {"received": len(group), "valuable": len(val), "converted": len(conv)}

    def grouped(field):
        keys = sorted({t[field] for t in tips}, key=lambda k: (k is not None, k or ""))
        return [{"key": k, **counts([t for t in tips if t[field] == k])} for k in keys]
    cutoff = datetime.now(timezone.utc) - timedelta(days=20)
    open_ = [t for t in tips if t["tip_id"] not in linked and t["tip_id"] not in status]
    cams = [e.data for e in events["cameras"] if inside(e.data) and parse(e.data["installed_at"]) < end]
    helped = {e.data["case_id"] for e in events["extractions"] if e.data["case_id"]}
    opened = {e.data["case_id"]: e.data for e in events["cases"] if e.type == "case.opened"}
    clarified = {e.data["case_id"] for e in events["cases"] if e.type == "case.status_changed"
                 and e.data["status"] == "clarified" and start <= parse(e.data["changed_at"]) < end
                 and inside(opened[e.data["case_id"]]) and e.data["case_id"] in helped}
    return {"tips": {**counts(tips), "open": len(open_),
                     "overdue": sum(parse(t["received_at"]) < cutoff for t in open_)},
            "by_channel": grouped("channel"), "by_programme": grouped("programme_code"),
            "cameras": {"cameras": len(cams), "camera_programmes": len({c["programme_code"] for c in cams}),
                        "extractions": sum(1 for e in events["extractions"] if inside(e.data)
                                           and start <= parse(e.data["extracted_at"]) < end),
                        "cases_clarified": len(clarified)}}


@pytest.fixture(scope="module")
def year(stack):
    previous = demo_year.year_events(YEAR - 1, DISTRICT, 0.04, seed=7, cameras=False)
    current = demo_year.year_events(YEAR, DISTRICT, 0.05, seed=7)
    events = {t: previous[t] + current[t] for t in current}
    for topic in ORDER:
        produce_events(stack.bootstrap, topic, events[topic])
    return events


@pytest.fixture(scope="module")
def commander(make_user):
    return make_user("chihuy.382", "commander", DISTRICT)


def until(fetch, ok):
    """The answer of `fetch()` once `ok(answer)` holds (the events travel asynchronously)."""
    def check():
        answer = fetch()
        return answer if ok(answer) else None
    return eventually(check, 60)


def summary(gateway, headers, **params):
    r = gateway.get("/api/v1/reports/summary", params={"year": YEAR, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r


def test_every_figure_of_the_report_matches_the_events(gateway, commander, year):
    want = expected(year, YEAR, DISTRICT)
    before = expected(year, YEAR - 1, DISTRICT)
    assert want["tips"]["received"] > 20 and want["cameras"]["cases_clarified"] > 0
    got = until(lambda: summary(gateway, commander, unit_code=DISTRICT).json(),
                lambda j: j["tips"] == want["tips"] and j["cameras"] == want["cameras"])
    assert got["by_channel"] == want["by_channel"]
    assert got["by_programme"] == want["by_programme"]
    assert got["previous"] == {"tips": {k: before["tips"][k] for k in ("received", "valuable", "converted")},
                               "cameras": before["cameras"]}
    text = " ".join(got["paragraphs"])
    assert f"cung cấp {report.number(want['tips']['received'])} tin" in text
    assert f"{want['tips']['valuable']} tin có giá trị" in text
    assert f"làm rõ {want['cameras']['cases_clarified']} vụ việc" in text
    assert f"so với năm {YEAR - 1} ({before['tips']['received']})" in text


def test_camera_statistics_for_the_year(gateway, commander, year):
    want = expected(year, YEAR, DISTRICT)["cameras"]
    params = {"unit_code": DISTRICT, "from": f"{YEAR}-01-01T00:00:00", "to": f"{YEAR + 1}-01-01T00:00:00"}
    got = until(lambda: gateway.get("/api/v1/stats/cameras", params=params, headers=commander).json(),
                lambda r: r.get("extractions") == want["extractions"])
    assert {k: got[k] for k in want} == want


def test_a_2025_ward_includes_the_legacy_wards_merged_into_it(gateway, admin, year):
    ward_2025 = units.path_2025(year["tips.received"][0].data["unit_code"])[1]
    want = expected(year, YEAR, ward_2025, era="2025")
    got = until(lambda: summary(gateway, admin, unit_code=ward_2025, units="2025").json(),
                lambda j: j["tips"] == want["tips"])
    assert got["cameras"] == want["cameras"]
    assert want["tips"]["received"] > 0


def test_public_report_hides_small_figures_in_every_format(gateway, commander, year):
    want = expected(year, YEAR, DISTRICT)
    eventually(lambda: summary(gateway, commander, unit_code=DISTRICT).json()["tips"] == want["tips"], 60)
    public = summary(gateway, commander, unit_code=DISTRICT, audience="public").json()
    tip_box = next(g for g in public["by_channel"] if g["key"] == "tip_box")
    assert tip_box["received"] == "< 5" and "open" not in public["tips"]
    md = summary(gateway, commander, unit_code=DISTRICT, format="md", audience="public").text
    assert md.startswith("# Báo cáo") and "Hòm thư tố giác | < 5" in md
    csv_text = summary(gateway, commander, unit_code=DISTRICT, format="csv").text
    assert f"nam,{DISTRICT},Thành phố Sầm Sơn,received,{want['tips']['received']}" in csv_text
    book = load_workbook(io.BytesIO(summary(gateway, commander, unit_code=DISTRICT, format="xlsx").content))
    rows = [list(r) for r in book["Số liệu"].iter_rows(values_only=True)]
    lines = [line.split(",") for line in csv_text.strip().split("\n")]
    assert rows == [lines[0]] + [[c or None for c in line[:4]] + [int(line[4])] for line in lines[1:]]


def test_reports_are_scoped_to_the_callers_unit(gateway, commander):
    r = gateway.get("/api/v1/reports/summary", params={"year": YEAR, "unit_code": "380"}, headers=commander)
    assert r.status_code == 403

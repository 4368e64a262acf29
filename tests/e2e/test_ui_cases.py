"""The officer's cases pages in Debian's headless Chromium on the real stack: from a converted
tip's page to its case; the unit's cases list with its status filter; a case's page with its
tips, history, the cameras whose footage of the tips' place and time is at risk, and the
footage extracted for it; status changes offering only the allowed moves, with API errors shown
next to the form; a case whose tips have no location shows that as a note. No page may log a
console error (except the refusals the test provokes on purpose). Screenshots go to
.cache/screenshots/ (git-ignored). The pages also render without a stack (first tests). Ward
16459 (phường Quảng Đông) belongs to this module only."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common import errors
from services.gateway import ui
from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, PHONE, login, opened, shot

WARD, PLACE = "16459", (19.762862, 105.814353)  # phường Quảng Đông, its centre in the unit table
OFFICER, CAMERA = "canbo.ui.16459", "UI-CAM-QD-1"
TITLE, UNLOCATED_TITLE = "Trộm cắp tài sản ở chợ Quảng Đông", "Đánh bạc tại nhà văn hóa khu phố Quảng Đông"
WEB = ui.WEB


# --- the pages without a stack -------------------------------------------------------------

def pages() -> TestClient:
    app = FastAPI()
    errors.install(app)
    app.include_router(ui.router)
    return TestClient(app)


@pytest.mark.parametrize("path, title, script", [
    ("/can-bo/vu-viec", "Vụ việc của đơn vị", "/static/cases.js"),
    ("/can-bo/vu-viec?lang=en", "The unit&#39;s cases", "/static/cases.js"),
    ("/can-bo/vu-viec/x?lang=en", "Case", "/static/cases.js"),
    ("/can-bo/vu-viec/C-0123456789ABCDEF", "Vụ việc", "/static/tipwork.js"),
])
def test_the_cases_pages_render_in_both_languages(path, title, script):
    r = pages().get(path)
    assert r.status_code == 200, r.text
    assert f"<h1>{title}</h1>" in r.text and script in r.text and "{{" not in r.text
    assert 'href="/can-bo/vu-viec?lang=' in r.text  # the staff nav's "Cases"


def test_a_case_id_is_escaped_and_bounded():
    r = pages().get("/can-bo/vu-viec/%3Cb%3Ex%22")
    assert r.status_code == 200 and "<b>x" not in r.text and 'data-case-id="&lt;b&gt;x&#34;"' in r.text
    assert "/camera/trich-xuat?case=%3Cb%3Ex%22&amp;lang=vi" in r.text
    assert pages().get("/can-bo/vu-viec/" + "C" * 65).status_code == 422


def test_every_string_the_cases_pages_use_exists_in_both_languages():
    strings = json.loads((WEB / "strings.json").read_text(encoding="utf-8"))
    script = (WEB / "static" / "cases.js").read_text()
    list_part = re.search(r"\nfunction casesPage.*?\n}\n", script, re.S).group(0)  # the list's script
    time_left = re.search(r"\nfunction timeLeft.*?\n}\n", (WEB / "static" / "tipwork.js").read_text(), re.S).group(0)
    for template, section, code in (("cases.html", "cases", list_part),
                                    ("case.html", "case", script.replace(list_part, "") + time_left)):
        table = {**strings["common"], **strings[section]}
        assert all(set(v) == {"vi", "en"} and all(v.values()) for v in table.values())
        text = (WEB / "templates" / template).read_text() + (WEB / "templates" / "staff.html").read_text()
        assert set(re.findall(r"\bt\.([a-z0-9_]+)", text)) <= set(table), template
        for prefix in ("s_", "to_"):
            if f'"{prefix}"' in text:
                assert {prefix + s for s in ("open", "clarified", "closed")} <= set(table), (template, prefix)
        used = set(re.findall(r"\bT\.([a-z0-9_]+)", code))
        assert len(used) >= 2 and used <= set(table), (section, used - set(table))
    case = strings["case"]  # the statuses are labels (tests/unit/test_labels.py)
    assert {f"owner_{k}" for k in ("household", "business", "public_body")} <= set(case)


# --- in the browser, on the stack ---------------------------------------------------------

def valuable_tip(gateway, officer: dict, content: str, **fields) -> str:
    r = gateway.post("/api/v1/tips", json={"channel": "web", "unit_code": WARD, "content": content, **fields})
    assert r.status_code == 202, r.text
    tip_id = r.json()["tip_id"]
    eventually(lambda: gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).status_code == 200)
    r = gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=officer, json={"outcome": "valuable"})
    assert r.status_code == 200, r.text
    return tip_id


@pytest.fixture(scope="module")
def setup(gateway, admin, make_user) -> dict:
    """Through the API: a camera 110 m from a located tip of the ward, that tip's case with one
    extraction, and a case from a tip without a location."""
    officer = make_user(OFFICER, "officer", WARD)
    r = gateway.post("/api/v1/cameras", headers=admin, json={
        "camera_id": CAMERA, "unit_code": WARD, "location": {"lat": PLACE[0] + 0.001, "lon": PLACE[1]},
        "owner": {"kind": "business", "name": "Cửa hàng vàng Quảng Đông"}, "retention_days": 30,
        "installed_at": "2025-06-01T00:00:00+07:00"})
    assert r.status_code in (201, 409), r.text
    located = valuable_tip(gateway, officer, "Mất trộm xe máy và điện thoại ở cổng chợ Quảng Đông chiều nay",
                           location={"lat": PLACE[0], "lon": PLACE[1]})
    unlocated = valuable_tip(gateway, officer, "Có nhóm người tụ tập đánh bạc ăn tiền ở nhà văn hóa khu phố")
    found = {}
    for key, title, tip_id in (("case_id", TITLE, located), ("other_case_id", UNLOCATED_TITLE, unlocated)):
        r = gateway.post("/api/v1/cases", headers=officer, json={"title": title, "unit_code": WARD, "tip_ids": [tip_id]})
        assert r.status_code == 201, r.text
        found[key] = r.json()["case_id"]
    now = datetime.now(timezone.utc)
    r = gateway.post("/api/v1/extractions", headers=officer, json={
        "camera_id": CAMERA, "case_id": found["case_id"], "time_from": (now - timedelta(hours=2)).isoformat(),
        "time_to": (now - timedelta(hours=1)).isoformat(), "reason": "Hình ảnh cổng chợ lúc xảy ra vụ trộm",
        "files": [{"name": "cong-cho.mp4", "size": 1024, "sha256": "ab" * 32}]})
    assert r.status_code == 201, r.text
    return {**found, "tip_id": located, "other_tip_id": unlocated, "extraction_id": r.json()["extraction_id"],
            "officer": officer}


def offered(page) -> list[str]:
    """The status moves the page offers, by their buttons."""
    return sorted(b.get_attribute("data-to") for b in page.locator("#change-buttons button[data-to]").all() if b.is_visible())


def test_the_officer_works_a_case_from_the_list(browser, stack, gateway, setup):
    from playwright.sync_api import expect
    case_id = setup["case_id"]
    refused = ("status of 409", "status of 422")  # the refusals provoked below, logged by the browser
    with opened(browser, stack, DESKTOP, allow=refused) as page:
        login(page, OFFICER)
        page.goto(f"/can-bo/tin/{setup['tip_id']}")  # the converted tip links to its case
        expect(page.locator("#f-status")).to_have_text("Đã chuyển hóa")
        expect(page.locator("#f-case a")).to_have_text(case_id)
        page.click("#f-case a")
        page.wait_for_url(f"**/can-bo/vu-viec/{case_id}?**")
        expect(page.locator("#case-title")).to_have_text(TITLE)

        page.get_by_role("link", name="Vụ việc", exact=True).click()  # the staff nav
        page.wait_for_url("**/can-bo/vu-viec?**")
        rows = page.locator("#cases tbody tr")
        row = rows.filter(has_text=TITLE)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text("Đang xác minh")
        expect(row.locator("td").nth(3)).to_have_text("1")
        expect(page.locator("#shown")).to_have_text("Tổng số vụ việc: 2")
        shot(page, "v1-cases-list")
        page.select_option("#f-status", "closed")
        page.click("#filters button[type=submit]")
        expect(page.locator("#cases-empty")).to_be_visible()
        expect(rows).to_have_count(0)
        assert "status=closed" in page.url
        page.select_option("#f-status", "open")
        page.click("#filters button[type=submit]")
        expect(rows).to_have_count(2)
        row.get_by_role("link", name=TITLE).click()

        page.wait_for_url(f"**/can-bo/vu-viec/{case_id}?**")
        expect(page.locator("#f-status")).to_have_text("Đang xác minh")
        expect(page.locator("#f-unit")).to_contain_text("Phường Quảng Đông")  # by name, the codes on hover
        expect(page.locator("#f-unit .unit")).to_have_attribute("title", re.compile(f"{WARD}$"))
        expect(page.locator("#f-opened-by")).to_have_text(OFFICER)
        tips = page.locator("#tips-table tbody tr")
        expect(tips).to_have_count(1)
        expect(tips.get_by_role("link", name=setup["tip_id"])).to_have_attribute("href", re.compile(f"/can-bo/tin/{setup['tip_id']}"))
        expect(tips).to_contain_text("cổng chợ Quảng Đông")
        cameras = page.locator("#at-risk-table tbody tr")
        expect(cameras).to_have_count(1)
        expect(cameras.first.locator("td").nth(0)).to_have_text(CAMERA)
        expect(cameras.first.locator("td").nth(1)).to_have_text("Doanh nghiệp")
        expect(cameras.first.locator("td").nth(2)).to_have_text(re.compile(r"^1[01]\d m$"))
        expect(cameras.first.locator("td").nth(5)).to_contain_text(setup["tip_id"])
        expect(page.locator("#at-risk-note")).to_contain_text("(500 m)")
        expect(page.locator("#at-risk-unlocated")).to_be_hidden()
        footage = page.locator("#extractions-table tbody tr")
        expect(footage).to_have_count(1)
        expect(footage.get_by_role("link", name=setup["extraction_id"])).to_have_attribute(
            "href", re.compile(f"/camera/trich-xuat/{setup['extraction_id']}"))
        expect(footage.locator("td").nth(5)).to_have_text("1")
        expect(page.locator("#history-list li")).to_have_count(1)
        expect(page.locator("#history-list")).to_contain_text("Lập vụ việc")
        assert offered(page) == ["clarified", "closed"]
        shot(page, "v2-case-open")

        # an API refusal names the field and its reason next to the form
        page.eval_on_selector("#change-note", "e => e.removeAttribute('maxlength')")  # as a script could send
        page.fill("#change-note", "x" * 4001)
        page.click("[data-to=clarified]")
        expect(page.locator("#change-errors")).to_be_visible()
        expect(page.locator("#change-errors li")).to_have_text("Ghi chú: quá dài (tối đa 4000 ký tự)")  # in Vietnamese
        expect(page.locator("#f-status")).to_have_text("Đang xác minh")
        shot(page, "v3-case-refused")

        page.fill("#change-note", "Đã xác định được đối tượng qua hình ảnh camera cửa hàng vàng")
        page.click("[data-to=clarified]")
        expect(page.locator("#f-status")).to_have_text("Đã làm rõ")
        expect(page.locator("#status")).to_have_text("Đã chuyển trạng thái: Đã làm rõ")
        expect(page.locator("#change-errors")).to_be_hidden()
        expect(page.locator("#change-title")).to_be_focused()
        expect(page.locator("#change-note")).to_have_value("")
        expect(page.locator("#history-list li")).to_have_count(2)
        expect(page.locator("#history-list li").nth(1)).to_contain_text("Chuyển sang: Đã làm rõ")
        expect(page.locator("#history-list li").nth(1)).to_contain_text("đối tượng qua hình ảnh camera")
        assert offered(page) == ["closed", "open"]
        shot(page, "v4-case-clarified")

        # someone else reopens the case meanwhile: the page says so and shows the new state
        r = gateway.post(f"/api/v1/cases/{case_id}/status", headers=setup["officer"], json={"status": "open"})
        assert r.status_code == 200, r.text
        page.click("[data-to=closed]")
        expect(page.locator("#change-errors")).to_contain_text("người khác thay đổi")
        expect(page.locator("#f-status")).to_have_text("Đang xác minh")
        assert offered(page) == ["clarified", "closed"]

        page.focus("#change-title")
        page.keyboard.press("Tab")  # from the heading, the keyboard reaches the note and the offered buttons
        expect(page.locator("#change-note")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator("[data-to=clarified]")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator("[data-to=closed]")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#f-status")).to_have_text("Đã đóng")
        expect(page.locator("#change-final")).to_be_visible()
        expect(page.locator("#change-form")).to_be_hidden()
        assert offered(page) == []
        shot(page, "v5-case-closed")

        page.click("#new-extraction")  # the extraction form, for this case
        page.wait_for_url("**/camera/trich-xuat?**")
        expect(page.locator("#case_id")).to_have_value(case_id)

        page.goto("/can-bo/vu-viec?lang=en")
        expect(page.locator("h1")).to_have_text("The unit's cases")
        expect(rows.filter(has_text=TITLE).locator("td").nth(1)).to_have_text("Closed")
        shot(page, "v6-cases-list-en")


def test_a_case_without_located_tips_says_so_plainly(browser, stack, setup):
    from playwright.sync_api import expect
    with opened(browser, stack, PHONE) as page:
        login(page, OFFICER)
        page.goto(f"/can-bo/vu-viec/{setup['other_case_id']}?lang=en")
        expect(page.locator("#case-title")).to_have_text(UNLOCATED_TITLE)
        expect(page.locator("#f-status")).to_have_text("Open")
        expect(page.locator("#tips-table tbody")).to_contain_text(setup["other_tip_id"])
        expect(page.locator("#at-risk-note")).to_have_text(
            "None of the case's tips has a location, so no camera near the place can be found.")
        expect(page.locator("#at-risk-table")).to_be_hidden()
        expect(page.locator("#extractions-note")).to_have_text("No footage extracted for the case yet.")
        expect(page.locator("#status")).to_be_empty()  # a fact, not an error
        assert offered(page) == ["clarified", "closed"]
        shot(page, "v7-case-unlocated-phone-en")

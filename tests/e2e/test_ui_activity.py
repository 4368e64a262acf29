"""The clerk's page to log a programme's activity, in headless Chromium on the real stack: reached
from the clerk's menu, filled in with the keyboard, a refused field's reason shown next to it in
Vietnamese, the saved activity shown and counted once by /stats/activities; English under
?lang=en; the batch page takes an activity sheet. Ward 14758 (phường Đông Thọ) is this module's."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from services.common.times import VIETNAM
from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, login, opened, shot

WARD = "14758"
RUN = uuid.uuid4().hex[:6].upper()
PROGRAMME = {"code": f"CNMT-DT-{RUN}", "name": f"Công nhân môi trường Đông Thọ {RUN}",
             "kind": "environment_workers", "unit_code": WARD, "launched_at": "2020-02-01", "members": 25}
START = (datetime.now(VIETNAM) - timedelta(days=2)).replace(hour=19, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def clerk(make_user, admin, gateway):
    r = gateway.post("/api/v1/programmes", json=PROGRAMME, headers=admin)
    assert r.status_code == 201, r.text
    return make_user("tiepnhan.hd.14758", "clerk", WARD)


def local(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M")


def test_a_clerk_logs_a_patrol_with_the_keyboard(browser, stack, gateway, clerk):
    from playwright.sync_api import expect
    with opened(browser, stack, DESKTOP, allow=("422",)) as page:
        login(page, "tiepnhan.hd.14758")
        page.click("nav a[href^='/tiep-nhan/hoat-dong']")
        page.wait_for_url("**/tiep-nhan/hoat-dong**")
        expect(page.locator("h1")).to_have_text("Ghi nhận hoạt động của mô hình (tuần tra, hòa giải, tuyên truyền)")
        expect(page.locator("#kind")).to_be_focused()
        page.select_option("#kind", "armed_patrol")
        page.keyboard.press("Tab")
        expect(page.locator("#programme_code")).to_be_focused()
        expect(page.locator(f"#programme_code option[value='{PROGRAMME['code']}']")).to_have_count(1)
        page.select_option("#programme_code", PROGRAMME["code"])
        page.keyboard.press("Tab")
        page.keyboard.type("dong tho")
        expect(page.locator("#ward")).to_have_value(WARD)
        page.fill("#started_at", local(START))
        page.fill("#ended_at", local(START - timedelta(hours=1)))  # before the start: refused
        page.fill("#participants", "0")
        page.fill("#f_traffic", "2")
        page.press("#participants", "Control+Enter")
        expect(page.locator("#participants-error")).to_contain_text("Giá trị quá nhỏ")
        expect(page.locator("#participants")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#participants")).to_be_focused()
        expect(page.locator("#status")).to_have_text("Có ô chưa hợp lệ, xem ghi chú bên cạnh từng ô.")
        shot(page, "40-activity-errors")
        page.keyboard.press("Control+A")
        page.keyboard.type("8")
        page.keyboard.press("Control+Enter")
        expect(page.locator("#ended_at-error")).to_have_text("Thời điểm kết thúc phải sau thời điểm bắt đầu.")
        expect(page.locator("#participants-error")).to_have_text("")
        expect(page.locator("#ended_at")).to_be_focused()
        expect(page.locator("#saved")).to_be_hidden()
        page.fill("#ended_at", local(START + timedelta(hours=3)))
        page.press("#note", "Control+Enter")
        expect(page.locator("#saved")).to_be_visible()
        expect(page.locator("#ended_at-error")).to_have_text("")
        activity_id = page.locator("#saved-id").inner_text()
        expect(page.locator("#saved-summary")).to_contain_text("Tuần tra vũ trang: 1 lượt, 8 lượt người tham gia")
        expect(page.locator("#participants")).to_have_value("")  # ready for the next one
        shot(page, "41-activity-saved")
    assert activity_id.startswith("ACT-WEB-")
    period = {"unit_code": WARD, "from": local(START - timedelta(days=1)), "to": local(START + timedelta(days=1))}
    eventually(lambda: gateway.get("/api/v1/stats/activities", params=period, headers=clerk).json()["total"]
               == {"activities": 1, "records": 1, "participants": 8, "traffic": 2, "drugs": 0, "theft": 0,
                   "disputes_settled": 0, "other": 0}, 60)


def test_the_page_speaks_english_and_the_batch_page_takes_activity_sheets(browser, stack, clerk):
    from playwright.sync_api import expect
    day = (START - timedelta(days=20)).strftime("%Y-%m-%d")
    sheet = ("programme_code,kind,unit_code,started_at,ended_at,count,participants,disputes_settled\n"
             f"{PROGRAMME['code']},patrol,{WARD},{day}T19:00,{day}T22:00,12,30,1\n"
             f"{PROGRAMME['code']},patrol,{WARD},{day}T19:00,{day}T22:00,12,30,-1\n")
    with opened(browser, stack, DESKTOP) as page:
        login(page, "tiepnhan.hd.14758")
        page.goto("/tiep-nhan/hoat-dong?lang=en")
        expect(page.locator("label[for=participants]")).to_have_text("Participants (person-times)")
        page.click("#batch-link")
        page.wait_for_url("**/tiep-nhan/nhap-lo**")
        expect(page.locator("#sheet-kind")).to_have_value("activities")
        expect(page.locator("#file-hint-activities")).to_be_visible()
        expect(page.locator("#file-hint")).to_be_hidden()
        page.set_input_files("#file", files=[{"name": f"so-tuan-tra-{RUN}.csv", "mimeType": "text/csv",
                                              "buffer": sheet.encode("utf-8")}])
        page.click("#upload button[type=submit]")
        expect(page.locator("#n-done")).to_have_text("1")
        expect(page.locator("#n-failed")).to_have_text("1")
        expect(page.locator("#errors tbody tr td").nth(1)).to_have_text("Disputes settled")  # the column by name
        expect(page.locator("#receipts-box")).to_be_hidden()
        shot(page, "42-activity-batch")

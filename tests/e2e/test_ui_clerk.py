"""The web interface of issue 9 in headless Chromium on the real stack: a clerk records a
programme member's tip with the programme picker and imports a batch of tip-box and leaflet tips
with one bad row; an officer works a tip's legal clock, sees the duplicate proposed and the
cameras whose footage is at risk (and a friendly note for a tip without a location); the
commander's charts count the new tips by channel, programme and month. No page may log a
console error. Wards 15922 (phường Long Anh) and 15925 (phường Hoằng Quang) belong to this
module."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.common.times import VIETNAM
from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, PHONE, login, opened, shot, until

WARD, BATCH_WARD = "15922", "15925"
PLACE = {"lat": 19.855651, "lon": 105.809534}  # the centre of phường Long Anh
RUN = uuid.uuid4().hex[:6].upper()
PROGRAMME = {"code": f"CNMT-LA-{RUN}", "name": f"Công nhân môi trường Long Anh {RUN}",
             "kind": "environment_workers", "unit_code": WARD, "launched_at": "2022-01-10", "members": 35}


@pytest.fixture(scope="module")
def people(make_user, admin, gateway):
    users = {"clerk": make_user("tiepnhan.ui2.380", "clerk", "380"),
             "officer": make_user("canbo.ui2.15922", "officer", WARD),
             "commander": make_user("chihuy.ui2.15922", "commander", WARD)}
    r = gateway.post("/api/v1/programmes", json=PROGRAMME, headers=admin)
    assert r.status_code == 201, r.text
    return users


def test_a_clerk_picks_the_programme_of_a_tip(browser, stack, gateway, people):
    from playwright.sync_api import expect
    content = f"Công nhân môi trường báo có người lạ cạy khóa xe máy ở chợ Long Anh lúc 4 giờ sáng ({RUN})"
    with opened(browser, stack, DESKTOP) as page:
        login(page, "tiepnhan.ui2.380")
        expect(page.locator("#channel")).to_be_focused()
        page.keyboard.press("Tab")
        page.keyboard.type("long anh")
        expect(page.locator("#ward")).to_have_value(WARD)
        page.select_option("#channel", "programme")
        option = page.locator(f"#programme_code option[value='{PROGRAMME['code']}']")
        expect(option).to_have_text(PROGRAMME["name"])
        expect(option).to_have_attribute("title", PROGRAMME["code"])
        page.select_option("#programme_code", PROGRAMME["code"])
        page.fill("#content", content)
        shot(page, "10-intake-programme")
        page.press("#content", "Control+Enter")
        expect(page.locator("#saved")).to_be_visible()
        tip_id = page.locator("#saved-id").inner_text()
        expect(page.locator("#programme_code")).to_have_value(PROGRAMME["code"])  # kept for the next tip
    tip = eventually(lambda: (r := gateway.get(f"/api/v1/tips/{tip_id}", headers=people["officer"])).status_code == 200
                     and r.json(), 60)
    assert tip["programme_code"] == PROGRAMME["code"] and tip["channel"] == "programme" and tip["unit_code"] == WARD


def test_a_clerk_imports_a_batch_with_one_bad_row(browser, stack, people):
    from playwright.sync_api import expect
    csv = ("channel,content,unit_code,programme_code\n"
           f"tip_box,Thư tố giác điểm cá độ bóng đá ở quán cà phê đầu ngõ ({RUN}),{BATCH_WARD},\n"
           f"leaflet,Phiếu phát giác: nghi có người tàng trữ pháo nổ trong kho ({RUN}),{BATCH_WARD},{PROGRAMME['code']}\n"
           f"fax,Một dòng với kênh không có ({RUN}),{BATCH_WARD},\n")
    with opened(browser, stack, DESKTOP) as page:
        login(page, "tiepnhan.ui2.380")
        page.click("#batch-link")
        page.wait_for_url("**/tiep-nhan/nhap-lo**")
        expect(page.locator("#file")).to_be_focused()
        page.set_input_files("#file", files=[{"name": f"hom-thu-{RUN}.csv", "mimeType": "text/csv",
                                              "buffer": csv.encode("utf-8")}])
        page.click("#upload button[type=submit]")
        expect(page.locator("#job")).to_be_visible()
        expect(page.locator("#n-done")).to_have_text("2")
        expect(page.locator("#n-failed")).to_have_text("1")
        expect(page.locator("#n-total")).to_have_text("3")
        progress = page.locator("#job-progress")
        expect(progress).to_have_attribute("value", "3")
        expect(progress).to_have_attribute("max", "3")
        bad = page.locator("#errors tbody tr")
        expect(bad).to_have_count(1)
        expect(bad.locator("td").nth(0)).to_have_text("4")  # spreadsheet rows: the header is 1
        expect(bad.locator("td").nth(1)).to_have_text("Kênh")  # the column by its Vietnamese name
        expect(bad.locator("td").nth(2)).to_have_text("không phải giá trị được nhận")
        shot(page, "11-batch-import")
        with page.expect_download() as download:
            page.click("#receipts")
        rows = open(download.value.path(), encoding="utf-8").read().strip().splitlines()
        assert rows[0] == "row,tip_id,receipt_code" and [r.split(",")[0] for r in rows[1:]] == ["2", "3"]


def _tip(gateway, headers, content: str, **extra) -> str:
    r = gateway.post("/api/v1/tips", headers=headers, json={"channel": "hotline", "unit_code": WARD,
                                                             "content": content, **extra})
    assert r.status_code == 202, r.text
    return r.json()["tip_id"]


def test_an_officer_works_the_legal_clock_duplicates_and_cameras_at_risk(browser, stack, gateway, admin, people):
    from playwright.sync_api import expect
    occurred = (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat()
    first = _tip(gateway, people["clerk"], f"Có nhóm thanh niên tụ tập đánh bạc ở bãi đất trống cạnh chợ Long Anh {RUN}",
                 location=PLACE, occurred_at=occurred)
    second = _tip(gateway, people["clerk"], f"Nhóm thanh niên tụ tập đánh bạc tại bãi đất trống gần chợ Long Anh {RUN}",
                  location=PLACE, occurred_at=occurred)
    nowhere = _tip(gateway, people["clerk"], f"Tiếng cãi vã to trong một gia đình ở tổ dân phố 5 {RUN}")
    camera_id = f"CAM-UI-{WARD}-{RUN}"
    r = gateway.post("/api/v1/cameras", headers=admin, json={
        "camera_id": camera_id, "unit_code": WARD, "location": {"lat": PLACE["lat"] + 0.0005, "lon": PLACE["lon"]},
        "owner": {"kind": "business", "name": "Cửa hàng điện máy"}, "programme_code": None,
        "retention_days": 7, "installed_at": "2025-01-01T00:00:00+07:00"})
    assert r.status_code == 201, r.text
    for tip_id in (first, second, nowhere):
        eventually(lambda t=tip_id: gateway.get(f"/api/v1/tips/{t}", headers=people["officer"]).status_code == 200, 60)

    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.ui2.15922")
        page.goto(f"/can-bo/tin/{first}")
        expect(page.locator("#clock-countdown")).to_contain_text("Chuyển tin: còn")
        expect(page.locator("#legal-steps")).to_contain_text("Chưa có bước tố tụng nào.")
        expect(page.locator("[data-step=forward]")).to_be_enabled()
        expect(page.locator("[data-step=resume]")).to_be_disabled()
        expect(page.locator("#dupes-list")).to_contain_text(second)
        expect(page.locator("#at-risk-table")).to_be_visible()
        expect(page.locator("#at-risk-table tbody")).to_contain_text(camera_id)
        expect(page.locator("#at-risk-table tbody")).to_contain_text("Doanh nghiệp")
        page.fill("#legal-basis", "Điều 145 BLTTHS, Thông tư liên tịch 01/2017")
        page.click("[data-step=forward]")
        expect(page.locator("#legal-steps")).to_contain_text("Đã chuyển tin")
        expect(page.locator("#legal-steps")).to_contain_text("Thông tư liên tịch 01/2017")
        expect(page.locator("#clock-countdown")).to_contain_text("Quyết định: còn")
        expect(page.locator("[data-step=forward]")).to_be_disabled()
        expect(page.locator("[data-step=extend]")).to_be_enabled()
        shot(page, "12-tip-legal-clock")
        page.click("[data-step=extend]")  # the legal basis left empty: the step's usual one is used
        expect(page.locator("#legal-steps")).to_contain_text("Khoản 2 Điều 147 BLTTHS")
        expect(page.locator("[data-step=procuracy_extend]")).to_be_enabled()

        page.goto(f"/can-bo/tin/{nowhere}?lang=en")
        expect(page.locator("#at-risk-note")).to_have_text("The tip has no location, so no camera near the place can be found.")
        expect(page.locator("#at-risk-table")).to_be_hidden()
        expect(page.locator("#dupes-list")).to_contain_text("No possible duplicate.")
    steps = gateway.get(f"/api/v1/tips/{first}", headers=people["officer"]).json()["legal_steps"]
    assert [s["step"] for s in steps] == ["forward", "extend"]


def test_the_commander_sees_the_new_tips_in_the_charts(browser, stack, people):
    from playwright.sync_api import expect
    with opened(browser, stack, DESKTOP) as page:
        login(page, "chihuy.ui2.15922")
        assert "/chi-huy" in page.url
        expect(page.locator("#unit")).to_have_value(WARD)

        def counted():  # the programme tip of the clerk, and the officer's three hotline tips
            page.click("#filters button[type=submit]")
            page.wait_for_load_state("networkidle")
            return page.locator("#t-received").inner_text() == "4" and PROGRAMME["name"] in page.locator("#by-programme").inner_text()
        until(counted)
        expect(page.locator("#by-channel")).to_contain_text("Đường dây nóng")
        expect(page.locator("#by-channel")).to_contain_text("Mô hình tự quản")
        programme_bar = page.locator("#by-programme .bar", has_text=PROGRAMME["name"])
        expect(programme_bar.locator(".num")).to_have_text("1 / 0 / 0")
        expect(page.locator("#by-programme")).to_contain_text("Không thuộc mô hình")
        month = datetime.now(VIETNAM).strftime("%Y-%m")
        expect(page.locator("#by-month svg rect.b-received title", has_text=f"{month}:")).to_have_count(1)
        expect(page.locator("#by-month table")).to_contain_text("4")
        page.select_option("#period", "custom")
        expect(page.locator("#from")).to_be_visible()
        shot(page, "13-command-charts")
        page.select_option("#period", "year")
        page.click("#show-report")
        expect(page.locator("#report-text")).to_contain_text(PROGRAMME["name"])
        with page.expect_download() as download:
            page.click("[data-format=xlsx]")
        assert download.value.suggested_filename.endswith(".xlsx")

    with opened(browser, stack, PHONE) as page:  # English, on a phone
        login(page, "chihuy.ui2.15922")
        page.goto("/chi-huy?lang=en")
        expect(page.locator("label[for=period]")).to_have_text("Period")
        expect(page.locator("#by-programme")).to_contain_text(PROGRAMME["name"])
        shot(page, "14-command-phone-en")

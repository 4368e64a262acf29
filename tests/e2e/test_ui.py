"""The web interface in Debian's headless Chromium (Playwright) on the real stack: a citizen sends
a tip and follows it up; a clerk records a hotline tip; an officer claims it, answers the tipster,
decides it valuable and opens a case; the commander's page counts it. No page may log a console
error. Screenshots go to .cache/screenshots/ (git-ignored). Wards 16396 and 16399 belong to this
module only."""
from __future__ import annotations

import hashlib
from pathlib import Path

from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, PHONE, login, opened, refreshed_until_shown, shot, until
from tests.integration.conftest import database

CITIZEN_WARD, HOTLINE_WARD = "16396", "16399"  # phường Đông Lĩnh, xã Đông Minh
CITIZEN_TIP = "Có người lạ đột nhập kho hàng ở thôn 4 lúc nửa đêm"
PHOTO = b"\xff\xd8\xff\xe0" + b"a photo of the warehouse door" * 50


def test_a_citizen_sends_a_tip_anonymously_and_follows_it_up(browser, stack, make_user):
    from playwright.sync_api import expect
    with opened(browser, stack, PHONE) as page:
        page.goto("/?lang=en")
        expect(page.locator("h1")).to_have_text("Report a security or public-order matter")
        page.goto("/")
        page.fill("#content", CITIZEN_TIP)
        page.fill("#ward-search", "dong linh")
        expect(page.locator("#ward")).to_have_value(CITIZEN_WARD)
        expect(page.locator("#contact")).to_be_hidden()
        page.set_input_files("#photo", files=[{"name": "kho-hang.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}])
        shot(page, "1-tip-form-phone")
        page.click("#tip-form button[type=submit]")
        expect(page.locator("#receipt")).to_be_visible()
        expect(page.locator("#qr svg")).to_be_visible()
        code = page.locator("#receipt-code").inner_text()
        assert len(code) == 19  # "1234 5678 9012 3456"
        shot(page, "2-receipt-phone")

        page.click("#go-followup")
        expect(page.locator("#status-text")).to_have_text("Tin báo đã được tiếp nhận.")
        assert "#" not in page.url  # the code does not stay in the address bar
        page.fill("#reply-text", "Xe của họ là xe tải nhỏ màu xanh")
        page.click("#reply button[type=submit]")
        expect(page.locator("#messages li.tipster")).to_contain_text("xe tải nhỏ màu xanh")
        shot(page, "3-followup-phone")

    client, verification = database(stack, "verification")
    tip = eventually(lambda: verification.tips.find_one({"content": CITIZEN_TIP}))
    client.close()
    assert tip["attachments"][0]["sha256"] == hashlib.sha256(PHOTO).hexdigest()  # the photo went with the tip

    make_user("canbo.ui.16396", "officer", CITIZEN_WARD)
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.ui.16396")
        page.goto(f"/can-bo/tin/{tip['_id']}")
        expect(page.locator("#attachments")).to_contain_text("kho-hang.jpg")
        with page.expect_download() as download:
            page.click("#attachments button")
        assert Path(download.value.path()).read_bytes() == PHOTO
        shot(page, "3b-tip-page-with-photo")


def test_a_hotline_tip_is_recorded_decided_converted_and_counted(browser, stack, make_user):
    from playwright.sync_api import expect
    for username, role, unit in (("tiepnhan.ui.380", "clerk", "380"), ("canbo.ui.16399", "officer", HOTLINE_WARD),
                                 ("chihuy.ui.16399", "commander", HOTLINE_WARD)):
        make_user(username, role, unit)
    content = "Gọi đường dây nóng: có điểm bán ma túy ở quán nước đầu bản Đông Minh"
    with opened(browser, stack, DESKTOP) as page:
        login(page, "tiepnhan.ui.380")
        assert "/tiep-nhan" in page.url
        expect(page.locator("#channel")).to_be_focused()
        page.keyboard.press("Tab")
        page.keyboard.type("Đông Minh")
        expect(page.locator("#ward")).to_have_value(HOTLINE_WARD)
        page.fill("#content", content)
        page.press("#content", "Control+Enter")
        expect(page.locator("#saved")).to_be_visible()
        tip_id, code = page.locator("#saved-id").inner_text(), page.locator("#receipt-code").inner_text()
        expect(page.locator("#content")).to_be_focused()
        shot(page, "4-intake")

    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.ui.16399")
        row = page.locator("#queue tbody tr", has_text=content[:60])

        refreshed_until_shown(page, row)
        row.get_by_role("button").click()
        expect(row).to_contain_text("canbo.ui.16399")
        shot(page, "5-queue")
        row.get_by_role("link").click()
        expect(page.locator("#tip-content")).to_have_text(content)
        expect(page.locator("#f-category")).to_contain_text("Ma túy")
        page.fill("#reply-text", "Cảm ơn anh/chị, chúng tôi đang xác minh")
        page.click("#reply button[type=submit]")
        expect(page.locator("#messages li.police")).to_contain_text("đang xác minh")
        page.click("[data-outcome=valuable]")
        page.locator("#confirm").get_by_role("button", name="Xác nhận").click()  # the decision is confirmed
        expect(page.locator("#status")).to_have_text("Đã lưu đánh giá: Có giá trị.")
        expect(page.locator("#f-status")).to_have_text("Có giá trị")
        page.fill("#case-title", "Điểm bán ma túy đầu bản Đông Minh")
        page.click("#case-form button[type=submit]")
        expect(page.locator("#f-status")).to_have_text("Đã chuyển hóa")
        expect(page.locator("#f-case")).not_to_have_text("–")
        case_id = page.locator("#status a").inner_text()  # "case opened: <link to it>"
        expect(page.locator("#status a")).to_have_attribute("href", f"/can-bo/vu-viec/{case_id}?lang=vi")
        expect(page.locator("#f-case")).to_contain_text(case_id)
        assert tip_id in page.url
        shot(page, "6-tip-page")

    with opened(browser, stack, PHONE) as page:
        page.goto("/theo-doi")
        page.fill("#code", code)
        page.press("#code", "Enter")
        expect(page.locator("#messages li.police")).to_contain_text("đang xác minh")

    with opened(browser, stack, DESKTOP) as page:
        login(page, "chihuy.ui.16399")
        assert "/chi-huy" in page.url

        def counted():
            page.click("#filters button[type=submit]")
            page.wait_for_load_state("networkidle")
            return page.locator("#t-converted").inner_text() == "1"
        until(counted)
        expect(page.locator("#t-received")).to_have_text("1")
        expect(page.locator("#by-channel")).to_contain_text("Đường dây nóng")
        shot(page, "7-command")
        with page.expect_download() as download:
            page.click("[data-format=csv]")
        assert download.value.suggested_filename.endswith(".csv")

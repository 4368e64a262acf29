"""The public form says what is wrong next to the field (a phone's screen: visible and focused),
counts its characters up to the limit and never cuts a text (the clerk's form neither); a clerk
reads a receipt out and the tipster types it in; an officer opens a non-anonymous tipster's contact with a stated reason.
Wards 15856 and 15913 belong to this module only."""
from __future__ import annotations

import re

from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, PHONE, login, opened, shot
from tests.integration.conftest import database

FORM_WARD, HOTLINE_WARD = "15856", "15913"  # phường Thiệu Khánh, phường Tào Xuyên
LONG = ("Có kẻ gian. " * 3000)[:25_000]  # what a paste of 25,000 characters brings


def tips_posted(page) -> list:
    sent: list = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and r.url.endswith("/api/v1/tips") else None)
    return sent


def test_a_refused_tip_says_why_next_to_the_field_focused_on_a_phone(browser, stack):
    from playwright.sync_api import expect
    with opened(browser, stack, PHONE, allow=("422",)) as page:
        page.goto("/")
        page.fill("#ward-search", "thieu khanh")
        expect(page.locator("#ward")).to_have_value(FORM_WARD)
        with page.expect_response(lambda r: r.url.endswith("/api/v1/tips") and r.status == 422):
            page.click("#tip-form button[type=submit]")  # no text: the API's 422 (content)
        error = page.locator("#content-error")
        expect(error).to_have_text("Vui lòng nhập nội dung tin báo.")
        expect(page.locator("#content")).to_be_focused()
        expect(error).to_be_in_viewport()
        expect(page.locator("#content")).to_have_attribute("aria-invalid", "true")
        assert "String should" not in page.locator("main").inner_text()
        shot(page, "public-422-content-phone")

        page.fill("#content", "Có người lạ trèo tường vào trường học ban đêm")
        expect(error).to_have_count(0)  # typing clears it
        page.fill("#occurred_at", "2099-01-01T22:00")
        page.evaluate("window.scrollTo(0, 0)")
        with page.expect_response(lambda r: r.url.endswith("/api/v1/tips") and r.status == 422):
            page.click("#tip-form button[type=submit]")  # a rule only the API checks
        when = page.locator("#occurred_at-error")
        expect(when).to_have_text("Thời điểm xảy ra không thể ở tương lai.")
        expect(page.locator("#occurred_at")).to_be_focused()
        expect(when).to_be_in_viewport()
        shot(page, "public-422-occurred-phone")

    with opened(browser, stack, PHONE, allow=("422",)) as page:
        page.goto("/?lang=en")
        page.fill("#content", "Someone broke into the school at night")
        page.click("#tip-form button[type=submit]")  # no ward and no place on the map
        expect(page.locator("#ward-error")).to_have_text(
            "Please choose the ward where it happened, or mark the place on the map.")
        expect(page.locator("#ward")).to_be_focused()
        page.fill("#content", "")
        page.fill("#ward-search", "thieu khanh")
        page.click("#tip-form button[type=submit]")
        expect(page.locator("#content-error")).to_have_text("Please write what happened.")
        expect(page.locator("#content")).to_be_focused()
        expect(page.locator("#ward-error")).to_have_count(0)


def test_a_text_over_the_limit_is_counted_never_cut_and_not_sent_until_shortened(browser, stack):
    from playwright.sync_api import expect
    with opened(browser, stack, PHONE) as page:
        page.goto("/")
        sent = tips_posted(page)
        expect(page.locator("#content-count")).to_have_text("0 / 20.000 ký tự")
        page.fill("#ward-search", "thieu khanh")
        page.fill("#content", LONG)
        assert page.eval_on_selector("#content", "e => e.value.length") == 25_000, "nothing was cut"
        expect(page.locator("#content-count")).to_have_text("25.000 / 20.000 ký tự")
        expect(page.locator("#content-error")).to_contain_text("thừa 5.000 ký tự")
        page.click("#tip-form button[type=submit]")
        expect(page.locator("#content")).to_be_focused()
        expect(page.locator("#content-error")).to_be_in_viewport()
        assert sent == [], "a text over the limit is not sent"
        shot(page, "public-over-limit-phone")

        page.fill("#content", LONG[:20_000])
        expect(page.locator("#content-error")).to_have_count(0)
        expect(page.locator("#content-count")).to_have_text("20.000 / 20.000 ký tự")
        page.click("#tip-form button[type=submit]")
        expect(page.locator("#receipt")).to_be_visible()
        assert len(sent) == 1

    with opened(browser, stack, PHONE) as page:
        page.goto("/?lang=en")
        page.fill("#content", LONG)
        expect(page.locator("#content-count")).to_have_text("25,000 / 20,000 characters")
        expect(page.locator("#content-error")).to_contain_text("5,000 characters over the limit")


def test_a_clerk_reads_the_receipt_out_and_the_tipster_types_it_in(browser, stack, make_user):
    from playwright.sync_api import expect
    make_user("tiepnhan.ui.15913", "clerk", HOTLINE_WARD)
    with opened(browser, stack, DESKTOP) as page:
        login(page, "tiepnhan.ui.15913")
        expect(page.locator("#ward")).to_have_value(HOTLINE_WARD)
        sent = tips_posted(page)
        page.fill("#content", LONG)  # the clerk's form counts too, and cuts nothing
        page.click("#intake button[type=submit]")
        expect(page.locator("#content-error")).to_contain_text("thừa 5.000 ký tự")
        assert page.eval_on_selector("#content", "e => e.value.length") == 25_000 and sent == []
        page.fill("#content", "Gọi đường dây nóng: nhóm thanh niên tụ tập đua xe ở đường ven sông Tào Xuyên")
        page.click("#intake button[type=submit]")
        expect(page.locator("#saved")).to_be_visible()
        code = page.locator("#receipt-code").inner_text()  # what the clerk reads out
        expect(page.locator("#content-count")).to_have_text("0 / 20.000 ký tự")
        shot(page, "clerk-receipt")
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code), code

    for typed in (code, code.replace(" ", "-")):  # as the caller wrote it down
        with opened(browser, stack, PHONE) as page:
            page.goto("/theo-doi")
            page.locator("#code").press_sequentially(typed)
            page.press("#code", "Enter")
            expect(page.locator("#status-text")).to_have_text("Tin báo đã được tiếp nhận.")
            expect(page.locator("#view")).to_be_visible()
            shot(page, "tipster-types-receipt")


def test_an_officer_opens_the_informants_contact_with_a_reason_and_it_is_recorded(browser, stack, gateway, make_user):
    from playwright.sync_api import expect
    clerk = make_user("tiepnhan.ui.15856", "clerk", FORM_WARD)
    officer = make_user("canbo.ui.15856", "officer", FORM_WARD)
    make_user("quantri.ui.15856", "admin", FORM_WARD)
    tips = {}
    for kind, extra in (("named", {"anonymous": False, "contact": {"name": "Lê Văn C", "phone": "0912345678"}}),
                        ("anonymous", {})):
        r = gateway.post("/api/v1/tips", headers=clerk, json={
            "channel": "walk_in", "unit_code": FORM_WARD, "content": f"Công dân đến trình báo bị trộm xe máy ({kind})", **extra})
        assert r.status_code == 202, r.text
        tips[kind] = r.json()["tip_id"]
        eventually(lambda: gateway.get(f"/api/v1/tips/{tips[kind]}", headers=officer).status_code == 200)

    with opened(browser, stack, DESKTOP, allow=("422",)) as page:
        login(page, "canbo.ui.15856")
        page.goto(f"/can-bo/tin/{tips['named']}")
        page.get_by_role("button", name="Xem thông tin người báo").click()
        expect(page.locator("#informant-reason")).to_be_focused()
        page.click("#informant-form button[type=submit]")  # no reason
        expect(page.locator("#informant-reason-error")).to_have_text("Vui lòng nhập lý do cần xem thông tin người báo.")
        expect(page.locator("#informant-reason")).to_be_focused()
        page.fill("#informant-reason", "gọi lại")
        with page.expect_response(lambda r: "/contact?" in r.url and r.status == 422):
            page.click("#informant-form button[type=submit]")  # the API's minimum: 10 characters
        expect(page.locator("#informant-reason-error")).to_have_text("Lý do quá ngắn: cần ít nhất 10 ký tự.")
        expect(page.locator("#informant-contact")).to_be_hidden()
        page.fill("#informant-reason", "cần liên hệ để xác minh biển số xe")
        page.click("#informant-form button[type=submit]")
        expect(page.locator("#ic-name")).to_have_text("Lê Văn C")
        expect(page.locator("#ic-phone")).to_have_text("0912345678")
        expect(page.locator("#informant-contact")).to_be_focused()
        shot(page, "informant-contact")

        page.goto(f"/can-bo/tin/{tips['anonymous']}")
        expect(page.locator("#tip")).to_be_visible()
        expect(page.locator("#informant")).to_be_hidden()

    with opened(browser, stack, DESKTOP) as page:  # a role the page does not offer it to
        login(page, "quantri.ui.15856")
        page.goto(f"/can-bo/tin/{tips['named']}")
        expect(page.locator("#tip")).to_be_visible()
        expect(page.locator("#informant")).to_be_hidden()

    client, intake_db = database(stack, "intake")
    audit = list(intake_db.contact_access.find({"tip_id": tips["named"]}))
    client.close()
    assert [(a["username"], a["role"], a["reason"]) for a in audit] == [
        ("canbo.ui.15856", "officer", "cần liên hệ để xác minh biển số xe")]

"""The officer's queue page and the decisions on the tip page, in Debian's headless Chromium
on the real stack: a new high-priority tip is on the first page at once; the search finds a tip
typed without diacritics; filters and paging show the totals and pages the API gives; a tipster's
message marks the tip until it is opened; a decision asks for confirmation, claims the tip
visibly and says it was saved, as claim, release, reply and legal steps say theirs. Ward 15856
(phường Thiệu Khánh) belongs to this module only."""
from __future__ import annotations

import pytest

from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, login, opened, refreshed_until_shown, shot

WARD = "15856"
BACKLOG = 80  # its walk-in tips (53) are more than a page
URGENT = "Có nhóm thanh niên cầm dao đánh nhau, có người bị thương nặng ở chợ Thiệu Khánh"


@pytest.fixture(scope="module")
def people(make_user) -> dict[str, dict]:
    return {"officer": make_user("canbo.uq.380", "officer", "380"),
            "ward_officer": make_user("canbo.uq.15856", "officer", WARD),
            "other": make_user("canbo.uq.15856b", "officer", WARD),
            "clerk": make_user("tiepnhan.uq.15856", "clerk", WARD)}


def post(gateway, headers, content, channel="hotline") -> dict:
    r = gateway.post("/api/v1/tips", headers=headers, json={"channel": channel, "unit_code": WARD, "content": content})
    assert r.status_code == 202, r.text
    return r.json()


def api_queue(gateway, headers, **params) -> dict:
    return gateway.get("/api/v1/queue", headers=headers, params=params).json()


@pytest.fixture(scope="module")
def backlog(gateway, people) -> list[str]:
    ids = [post(gateway, people["clerk"], f"Phản ánh quán karaoke hát to sau 23 giờ ở tổ dân phố {i}",
                "walk_in" if i % 3 else "hotline")["tip_id"] for i in range(BACKLOG)]
    eventually(lambda: api_queue(gateway, people["ward_officer"], unit_code=WARD, bucket="all")["total"] >= BACKLOG)
    return ids


def test_a_new_high_priority_tip_is_on_the_first_page_at_once(browser, stack, gateway, people, backlog):
    from playwright.sync_api import expect
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.uq.380")
        expect(page.locator("#queue-total")).to_contain_text("trang 1")
        post(gateway, people["clerk"], URGENT)
        row = page.locator("#queue tbody tr", has_text=URGENT[:50])

        refreshed_until_shown(page, row)
        expect(row.locator(".pri")).to_have_text("Cao")
        expect(row).to_contain_text("Đánh nhau")
        expect(page.locator("#prev")).to_be_disabled()
        # the filters sit in rows above the table: the urgent tip is within the first screen
        top = page.locator("#queue tbody tr").first.bounding_box()["y"]
        shot(page, "q1-queue-new-urgent-tip")
        assert top + 80 < DESKTOP["height"], f"the first tip starts {top:.0f} px down, below the first screen"


def test_the_search_finds_a_tip_typed_without_diacritics(browser, stack, gateway, people, backlog):
    from playwright.sync_api import expect
    eventually(lambda: api_queue(gateway, people["ward_officer"], unit_code=WARD, q="cam dao")["total"])
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.uq.15856")
        page.fill("#q", "cam dao danh nhau")
        page.click("#filters button[type=submit]")
        expect(page.locator("#queue tbody tr")).to_have_count(1)
        expect(page.locator("#queue tbody tr")).to_contain_text(URGENT[:40])
        expect(page.locator("#queue-total")).to_have_text("1 tin · trang 1")
        shot(page, "q2-queue-search")


def test_filters_and_paging_give_the_counts_the_api_gives(browser, stack, gateway, people, backlog):
    from playwright.sync_api import expect
    officer = people["officer"]
    params = {"unit_code": WARD, "channel": "walk_in", "bucket": "action"}
    first = api_queue(gateway, officer, **params)
    second = api_queue(gateway, officer, **params, after=first["next"])
    # the backlog's walk-in tips at least (other tests of the session may add some to the ward)
    assert first["total"] >= BACKLOG - len(range(0, BACKLOG, 3)) > 50 and first["next"]
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.uq.380")
        page.select_option("#f-ward", WARD)
        page.select_option("#f-channel", "walk_in")
        page.click("#filters button[type=submit]")
        expect(page.locator("#queue-total")).to_have_text(f"{first['total']} tin · trang 1")
        expect(page.locator("#queue tbody tr")).to_have_count(len(first["items"]))
        expect(page.locator("#count-overdue")).to_have_text(str(first["counts"]["overdue"]))
        expect(page.locator("#count-action")).to_have_text(str(first["counts"]["action"]))
        page.click("#next")
        expect(page.locator("#queue-total")).to_have_text(f"{first['total']} tin · trang 2")
        rows = page.locator("#queue tbody tr")
        expect(rows).to_have_count(len(second["items"]))
        assert [rows.nth(i).get_attribute("data-tip-id") for i in range(rows.count())] == \
               [t["tip_id"] for t in second["items"]]
        expect(page.locator("#next")).to_be_disabled()
        shot(page, "q3-queue-filtered-page-2")
        page.click("#prev")
        expect(page.locator("#queue-total")).to_have_text(f"{first['total']} tin · trang 1")
        assert page.locator("#queue tbody tr").first.get_attribute("data-tip-id") == first["items"][0]["tip_id"]
        page.click("[data-bucket=overdue]")
        expect(page.locator("[data-bucket=overdue]")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#queue-total")).to_have_text(f"{first['counts']['overdue']} tin · trang 1")


def test_a_tipster_message_is_marked_until_the_tip_is_opened(browser, stack, gateway, people, backlog):
    from playwright.sync_api import expect
    answer = post(gateway, None, "Có người lạ hay lảng vảng quanh trạm biến áp Thiệu Khánh ban đêm", "web")
    eventually(lambda: gateway.get(f"/api/v1/tips/{answer['tip_id']}", headers=people["other"]).status_code == 200)
    assert gateway.post(f"/api/v1/receipts/{answer['receipt_code']}/messages",
                        json={"text": "Tối nay họ lại đến, đi xe máy màu đỏ"}).status_code == 201
    eventually(lambda: api_queue(gateway, people["ward_officer"], unit_code=WARD, unread="true")["total"])
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.uq.15856")
        page.check("#f-unread")
        page.click("#filters button[type=submit]")
        row = page.locator("#queue tbody tr")
        expect(row).to_have_count(1)
        expect(row.locator(".unread")).to_contain_text("Tin nhắn mới")
        shot(page, "q4-queue-unread")
        row.get_by_role("link").click()
        expect(page.locator("#unread-note")).to_be_visible()
        expect(page.locator("#messages li.tipster")).to_contain_text("xe máy màu đỏ")
        page.go_back()
        page.uncheck("#f-unread")
        page.fill("#q", "tram bien ap")
        page.click("#filters button[type=submit]")
        expect(page.locator("#queue tbody tr")).to_have_count(1)
        expect(page.locator("#queue tbody tr .unread")).to_have_count(0)


def test_a_decision_is_confirmed_and_every_action_says_what_happened(browser, stack, gateway, people, backlog):
    from playwright.sync_api import expect
    tip_id, held = backlog[0], backlog[1]
    assert gateway.post(f"/api/v1/tips/{held}/claim", headers=people["other"]).status_code == 200
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.uq.15856")
        page.goto(f"/can-bo/tin/{tip_id}")
        expect(page.locator("#f-status")).to_have_text("Chờ xử lý")
        status = page.locator("#status")
        page.click("#claim")
        expect(status).to_have_text("Đã nhận xử lý tin này.")
        expect(status).to_be_focused()
        page.click("#release")
        expect(status).to_have_text("Đã trả lại tin: cán bộ khác có thể nhận xử lý.")
        page.fill("#reply-text", "Cảm ơn anh/chị, chúng tôi đang xác minh")
        page.click("#reply button[type=submit]")
        expect(status).to_have_text("Đã gửi trả lời cho người báo tin.")
        page.click("[data-step=forward]")
        expect(status).to_contain_text("Đã chuyển tin")

        page.click("[data-outcome=valuable]")
        dialog = page.locator("#confirm")
        expect(dialog).to_be_visible()
        expect(page.locator("#confirm-text")).to_contain_text(f"Đánh giá tin {tip_id} là «Có giá trị»")
        expect(page.locator("#confirm-claim")).to_be_visible()  # nobody holds it: it will be claimed
        shot(page, "q5-decision-confirm")
        dialog.get_by_role("button", name="Huỷ").click()
        expect(status).to_have_text("Đã huỷ, chưa lưu gì.")
        expect(page.locator("#f-status")).to_have_text("Chờ xử lý")
        page.click("[data-outcome=valuable]")
        dialog.get_by_role("button", name="Xác nhận").click()
        expect(status).to_have_text("Đã nhận xử lý tin này để đánh giá. Đã lưu đánh giá: Có giá trị.")
        expect(status).to_be_focused()
        expect(page.locator("#f-status")).to_have_text("Có giá trị")
        shot(page, "q6-decision-saved")
    decided = gateway.get(f"/api/v1/tips/{tip_id}", headers=people["ward_officer"]).json()
    assert decided["status"] == "valuable" and decided["history"][-1]["actor"]["username"] == "canbo.uq.15856"

    with opened(browser, stack, DESKTOP) as page:  # another officer holds this one: said next to the buttons
        login(page, "canbo.uq.15856")
        page.goto(f"/can-bo/tin/{held}")
        expect(page.locator("#f-claim")).to_have_text("canbo.uq.15856b")
        page.click("[data-outcome=not_valuable]")
        expect(page.locator("#decide-error")).to_have_text("Tin đang do canbo.uq.15856b xử lý: chỉ người đó đánh giá được.")
        expect(page.locator("#confirm")).to_be_hidden()
    assert gateway.get(f"/api/v1/tips/{held}", headers=people["other"]).json()["status"] == "received"

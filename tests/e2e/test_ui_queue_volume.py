"""The officer's queue page at a district's volume, in Debian's headless Chromium on the real
stack: 1,500 open tips in district 389 (Ngọc Lặc, this module's only), more than the 1,000 the
old queue read. The page shows the totals and pages the API gives, a new high-priority tip on
its first page, every priority, category and channel in words (Vietnamese, and English under
`?lang=en`), never the API's raw values. The tips are written with verification's own store code
(`TipStore.add_received`, with their queue keys and counters), as `make bench` does."""
from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from services.verification.triage import CATEGORIES
from tests.bench.queue import load_tips
from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, login, opened, refreshed_until_shown, shot

DISTRICT, WARD, OPEN = "389", "15061", 1500
URGENT = "Có kẻ cầm dao chém người ở chợ Ngọc Lặc, nạn nhân bị thương nặng"
STRINGS = json.loads((Path(__file__).resolve().parents[2] / "services/gateway/web/strings.json").read_text("utf-8"))
RAW = {*CATEGORIES, "high", "normal", "low", "hotline", "walk_in", "tip_box", "leaflet", "web", "zalo", "sms",
       "programme"}


@pytest.fixture(scope="module")
def district(stack, gateway, make_user) -> dict:
    """The district's officer, once its open tips are in verification's store."""
    db = f"{stack.service_env()['MONGO_DB_PREFIX']}_verification"
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, load_tips(stack.uri, db, OPEN, district=DISTRICT, tag="QV")).result()
    officer = make_user("canbo.qv.389", "officer", DISTRICT)
    everything = gateway.get("/api/v1/queue", headers=officer, params={"unit_code": DISTRICT, "bucket": "all"}).json()
    assert everything["total"] == OPEN
    return officer


def words_only(page, lang: str) -> None:
    """Every row's priority, category and channel are the page's words, never raw values."""
    labels = {kind: {code: names[lang] for code, names in table.items()} for kind, table in STRINGS["labels"].items()}
    cells = page.locator("#queue tbody tr").evaluate_all(
        "rows => rows.map(r => [0, 1, 4].map(i => r.cells[i].innerText.trim()))")
    assert len(cells) == 50
    assert "built-in method" not in page.locator("main").inner_text()  # a string named like a dict method
    for priority, category, channel in cells:
        assert {priority, category, channel}.isdisjoint(RAW)
        assert category.split(" (")[0] in labels["category"].values()  # "(uncertain)" may follow
        assert priority in labels["priority"].values() and channel in labels["channel"].values()


def countdowns(page) -> list[str]:
    return page.locator("#queue tbody td.countdown").all_inner_texts()


def test_a_district_with_1500_open_tips_pages_in_vietnamese(browser, stack, gateway, make_user, district):
    from playwright.sync_api import expect
    api = gateway.get("/api/v1/queue", headers=district, params={"unit_code": DISTRICT}).json()
    assert api["counts"]["action"] + api["counts"]["overdue"] == OPEN and api["next"]
    clerk = make_user("tiepnhan.qv.15061", "clerk", WARD)
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.qv.389")
        expect(page.locator("#unit")).to_have_text("Huyện Ngọc Lặc")
        expect(page.locator("#queue-total")).to_have_text(f"{api['total']} tin · trang 1")
        expect(page.locator("#count-overdue")).to_have_text(str(api["counts"]["overdue"]))
        expect(page.locator("#queue tbody tr")).to_have_count(50)
        words_only(page, "vi")
        late = [c for c in countdowns(page) if "quá hạn" in c]
        assert not late, late  # needs action: none of its deadlines passed
        r = gateway.post("/api/v1/tips", headers=clerk, json={"channel": "hotline", "unit_code": WARD, "content": URGENT})
        assert r.status_code == 202, r.text
        eventually(lambda: gateway.get(f"/api/v1/tips/{r.json()['tip_id']}", headers=district).status_code == 200)
        row = page.locator("#queue tbody tr", has_text=URGENT[:40])

        refreshed_until_shown(page, row)
        expect(row.locator(".pri")).to_have_text("Cao")
        expect(page.locator("#queue-total")).to_have_text(f"{api['total'] + 1} tin · trang 1")
        shot(page, "q7-queue-1500-open-tips")
        page.click("#next")
        expect(page.locator("#queue-total")).to_have_text(f"{api['total'] + 1} tin · trang 2")
        expect(page.locator("#queue tbody tr")).to_have_count(50)
        page.click("[data-bucket=overdue]")
        expect(page.locator("#queue-total")).to_have_text(f"{api['counts']['overdue']} tin · trang 1")
        words_only(page, "vi")
        assert all("quá hạn" in c for c in countdowns(page))


def test_the_same_queue_in_english(browser, stack, gateway, district):
    from playwright.sync_api import expect
    api = gateway.get("/api/v1/queue", headers=district, params={"unit_code": DISTRICT}).json()
    with opened(browser, stack, DESKTOP) as page:
        login(page, "canbo.qv.389")
        page.goto("/can-bo?lang=en")
        expect(page.locator("h1")).to_have_text("Tips awaiting a decision")
        expect(page.locator("[data-bucket=action]")).to_contain_text("Needs action")
        expect(page.locator("#queue-total")).to_have_text(f"{api['total']} tips · page 1")
        expect(page.locator("#queue tbody tr")).to_have_count(50)
        words_only(page, "en")
        shot(page, "q8-queue-english")

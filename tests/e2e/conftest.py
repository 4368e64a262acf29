"""Browser helpers for the web-interface tests: Debian's headless Chromium driven by Playwright
on the session's real stack. Screenshots go to .cache/screenshots/ (git-ignored)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / ".cache" / "screenshots"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: .venv/bin/pip install playwright (never `playwright install`)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import expect
    expect.set_options(timeout=30_000)  # events travel through Kafka; a busy machine is slow
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@contextmanager
def opened(browser, stack, viewport, allow: tuple[str, ...] = ()) -> Iterator:
    """A fresh page (own sessionStorage); fails if any console error or page error occurred,
    except console errors containing one of `allow` (a refusal the test provokes on purpose)."""
    context = browser.new_context(base_url=stack.url(), viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" and not any(a in m.text for a in allow) else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    try:
        yield page
    finally:
        context.close()
    assert errors == []


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, username: str) -> None:
    page.goto("/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", f"{username}-password")
    page.press("#password", "Enter")
    page.wait_for_url(lambda url: "/dang-nhap" not in url)


def until(check, timeout_s: float = 90, interval_s: float = 0.5):
    deadline = time.monotonic() + timeout_s
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s")
        time.sleep(interval_s)
    return result


def refreshed_until_shown(page, row) -> None:
    """Press the queue's refresh until `row` (a locator of one queue row) is on the page."""
    def shown():
        page.click("#refresh")
        page.wait_for_load_state("networkidle")
        return row.count() == 1
    until(shown)

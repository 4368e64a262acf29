"""Every page of the web interface in Debian's headless Chromium on the real stack, under the
gateway's Content-Security-Policy: the public pages anonymously, each staff page logged in with
a role that uses it. No page may report a policy violation (the `securitypolicyviolation`
events of the document, or Chromium's "Refused to ..." console messages). The pages' own
scripts ran: each page's script set the page's status or filled its content."""
from __future__ import annotations

import pytest
from fastapi.responses import HTMLResponse

from services.gateway import ui, ui_camera
from tests.e2e.conftest import DESKTOP, login

UNIT = "16405"
LISTEN = ("window.__violations = [];"
          "document.addEventListener('securitypolicyviolation',"
          " (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));")
# who opens each page (None: nobody logged in); every HTML page of the UI's routers is here
ROLE_OF = {"/": None, "/theo-doi": None, "/dang-nhap": None, "/can-bo": "officer",
           "/can-bo/vu-viec": "officer", "/tiep-nhan": "clerk", "/tiep-nhan/nhap-lo": "clerk",
           "/tiep-nhan/hoat-dong": "clerk",
           "/chi-huy": "commander", "/camera": "camera_operator", "/camera/trich-xuat": "camera_operator"}
DETAIL_PAGES = {"/can-bo/tin/T-20260101-CSP000": "officer", "/can-bo/vu-viec/C-CSP-0": "officer",
                "/camera/trich-xuat/E-CSP-0": "camera_operator"}


def test_every_page_is_listed():
    pages = {r.path for router in (ui.router, ui_camera.router) for r in router.routes
             if getattr(r, "response_class", None) is HTMLResponse and "{" not in r.path}
    assert set(ROLE_OF) == pages


@pytest.fixture(scope="module")
def users(make_user) -> dict[str, str]:
    roles = {r for r in (*ROLE_OF.values(), *DETAIL_PAGES.values()) if r}
    names = {role: f"csp.{role}.{UNIT}" for role in roles}
    for role, name in names.items():
        make_user(name, role, UNIT)
    return names


@pytest.mark.parametrize("role", ["anonymous", "officer", "clerk", "commander", "camera_operator"])
def test_no_page_violates_the_content_policy(browser, stack, users, role):
    pages = [p for p, r in {**ROLE_OF, **DETAIL_PAGES}.items() if (r or "anonymous") == role]
    context = browser.new_context(base_url=stack.url(), viewport=DESKTOP)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(30_000)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or m.text.startswith("Refused to") else None)
    page.on("pageerror", lambda e: refused.append(f"{page.url}: {e}"))
    try:
        if role != "anonymous":
            login(page, users[role])
        for path in pages:
            for lang in ("vi", "en"):
                response = page.goto(f"{path}?lang={lang}")
                assert response.status == 200, path
                assert "script-src 'self'" in response.headers["content-security-policy"]
                page.wait_for_load_state("networkidle")
                assert page.evaluate("typeof api") == "function", f"{path}: common.js did not run"
                refused += [f"{path}: {v}" for v in page.evaluate("window.__violations")]
    finally:
        context.close()
    assert refused == []

"""The security headers, HEAD, and the draining of refused bodies, on the real apps without
servers: every page of the gateway (listed from its routes) and the other services' responses
carry the headers; the pages' policy allows only the gateway's own scripts and styles; no
template holds an inline script, style element or style attribute that the policy would block."""
from __future__ import annotations

import asyncio
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.common import asgi
from services.gateway import ui, ui_camera
from services.gateway.app import create_app as gateway_app
from services.gateway.settings import GatewaySettings
from services.intake.app import create_app as intake_app

SAMPLE = {"tip_id": "T-20260101-ABCDEF", "case_id": "C-1", "extraction_id": "E-1", "name": "app.css"}
COMMON = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def routes(entries) -> list:
    """The routes of an app or router, those of included routers too (none has a prefix)."""
    found = []
    for route in entries:
        included = getattr(route, "original_router", None)  # FastAPI's _IncludedRouter
        found += routes(included.routes) if included is not None else [route]
    return found


# The routes that need a query string
QUERY = {"/ui/unit-names.json": "?codes=38,380"}


def ui_pages(app) -> list[str]:
    """Every GET route of the web interface (ui.py, ui_camera.py), its parameters filled in."""
    modules = {ui.__name__, ui_camera.__name__}
    paths = [route.path for route in routes(app.routes)
             if isinstance(route, APIRoute) and "GET" in route.methods and route.endpoint.__module__ in modules]
    assert len(paths) >= 10
    return [re.sub(r"\{(\w+)(:path)?\}", lambda m: SAMPLE[m.group(1)], path) + QUERY.get(path, "") for path in paths]


def policy(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


@pytest.fixture(scope="module")
def gateway() -> TestClient:
    return TestClient(gateway_app(GatewaySettings()))


def test_the_web_interface_routes_are_all_found(gateway):
    pages = ui_pages(gateway.app)
    assert {p for p, _, _ in ui.PAGES} | {p for p, _, _ in ui_camera.CAMERA_PAGES} <= set(pages)
    assert {"/static/app.css", "/ui/units.json", "/ui/wards.geojson", "/ui/map.json"} <= set(pages)


def test_every_page_carries_the_security_headers_and_answers_head(gateway):
    pages = ui_pages(gateway.app)
    for path in pages:
        got = gateway.get(path)
        assert got.status_code == 200, path
        for name, value in COMMON.items():
            assert got.headers[name] == value, (path, name)
        csp = policy(got.headers["content-security-policy"])
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"], path
        assert csp["frame-ancestors"] == ["'none'"] and csp["default-src"] == ["'none'"], path
        assert "strict-transport-security" not in got.headers, path
        head = gateway.head(path)
        assert head.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-security-policy"] == got.headers["content-security-policy"], path


def test_api_errors_and_refusals_carry_them_too(gateway):
    for response in (gateway.get("/api/v1/no-such-thing"), gateway.post("/", json={}),
                     gateway.get("/api/v1/tips", headers={"Authorization": "Bearer not-a-token"}),
                     gateway.post("/ui/qr", json={"text": "R-1"})):
        for name, value in COMMON.items():
            assert response.headers[name] == value, (response.request.url, response.status_code)


def test_hsts_only_over_tls(gateway):
    assert "strict-transport-security" not in gateway.get("/").headers
    proxied = gateway.get("/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.headers["strict-transport-security"].startswith("max-age=31536000")
    direct = TestClient(gateway.app, base_url="https://testserver").get("/")
    assert "strict-transport-security" in direct.headers


def test_the_tile_server_is_allowed_only_when_set():
    plain = policy(asgi.page_policy(img_sources=ui_camera.tile_source(None)))
    assert plain["img-src"] == ["'self'", "data:"]
    osm = ui_camera.tile_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert osm == ("https://*.tile.openstreetmap.org",)
    assert ui_camera.tile_source("/tiles/{z}/{x}/{y}.png") == ()
    app = gateway_app(GatewaySettings(ANTT_MAP_TILES_URL="https://tiles.example.vn/{z}/{x}/{y}.png"))
    csp = policy(TestClient(app).get("/camera").headers["content-security-policy"])
    assert csp["img-src"] == ["'self'", "data:", "https://tiles.example.vn"]


def test_the_other_services_answer_with_the_api_policy():
    intake = TestClient(intake_app())
    for response in (intake.get("/health/live"), intake.head("/health/live"), intake.get("/nothing")):
        for name, value in COMMON.items():
            assert response.headers[name] == value
        assert response.headers["content-security-policy"] == asgi.API_POLICY
    docs = intake.get("/docs")
    csp = policy(docs.headers["content-security-policy"])
    assert asgi.DOCS_CDN in csp["script-src"] and any(s.startswith("'sha256-") for s in csp["script-src"])
    assert "'unsafe-inline'" not in csp["script-src"]


def test_no_template_holds_what_the_policy_blocks():
    for template in sorted((ui.WEB / "templates").glob("*.html")):
        html = template.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle\s*=", html), template.name
        assert "<style" not in html, template.name
        assert not re.search(r"\son[a-z]+\s*=", html), template.name
        assert "javascript:" not in html, template.name
        for attrs in re.findall(r"<script([^>]*)>", html):
            assert "src=" in attrs or 'type="application/json"' in attrs, (template.name, attrs)


def drained(headers: list[tuple[bytes, bytes]], chunks: list[bytes], *, app_reads: int = 0) -> tuple[int, list]:
    """Runs an app that reads `app_reads` chunks and answers 413 behind DrainRefusedBody: how
    many chunks were read in all, and what was sent."""
    pending = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    taken, sent = [0], []

    async def receive():
        taken[0] += 1
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        for _ in range(app_reads):
            await receive()
        await send({"type": "http.response.start", "status": 413, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    middleware = asgi.DrainRefusedBody(app, max_bytes=100)
    asyncio.run(middleware({"type": "http", "method": "POST", "path": "/", "headers": headers}, receive, send))
    return taken[0], sent


def test_a_refused_body_is_read_to_its_end_before_the_answer():
    chunks = [b"x" * 10] * 5
    assert drained([(b"content-length", b"50")], chunks)[0] == 5
    assert drained([(b"transfer-encoding", b"chunked")], chunks, app_reads=2)[0] == 5
    assert drained([(b"content-length", b"50")], chunks)[1][0]["status"] == 413


def test_no_drain_beyond_the_bound_or_before_a_100_continue():
    assert drained([(b"content-length", b"1000")], [b"x" * 10] * 100)[0] == 0
    assert drained([(b"content-length", b"50"), (b"expect", b"100-continue")], [b"x" * 10] * 5)[0] == 0
    # once the app asked for the body (the 100 went out), the rest is drained
    assert drained([(b"content-length", b"50"), (b"expect", b"100-continue")], [b"x" * 10] * 5, app_reads=1)[0] == 5
    # chunked without a length: drained up to the bound, then given up
    assert drained([(b"transfer-encoding", b"chunked")], [b"x" * 10] * 100)[0] == 11


def test_a_client_that_waits_for_the_answer_before_sending_gets_it_after_the_idle_time():
    sent = []

    async def silent():
        await asyncio.sleep(3600)  # declared a body, sends none: it waits for the answer

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 413, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    middleware = asgi.DrainRefusedBody(app, max_bytes=100, idle_s=0.05)
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"50")]}
    asyncio.run(asyncio.wait_for(middleware(scope, silent, send), 5))
    assert [m.get("status") for m in sent] == [413, None]


def test_an_undeclared_body_beyond_the_limit_is_413_as_it_is_read():
    limit = GatewaySettings().max_body_bytes
    intake = TestClient(intake_app())

    def chunks(total: int):
        for _ in range(total // 65536 + 1):
            yield b"x" * 65536

    refused = intake.post("/api/v1/tips", content=chunks(limit + 65536), headers={"Content-Type": "application/json"})
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "payload_too_large"
    for name, value in COMMON.items():
        assert refused.headers[name] == value
    small = intake.post("/api/v1/tips", content=chunks(1000), headers={"Content-Type": "application/json"})
    assert small.status_code == 422  # read whole: 64 KiB of x is no JSON

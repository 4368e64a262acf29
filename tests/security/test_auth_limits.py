"""OWASP API Security Top 10 (2023) on the running system: broken authentication (API2: forged,
expired and revoked tokens, login and receipt brute force) and unrestricted resource
consumption (API4: body, page and import sizes, the web channel's rate limit). Clients are
told apart by X-Forwarded-For, which the services' uvicorn trusts from 127.0.0.1 only, so the
lock-outs here never lock out the other tests (they log in without it)."""
from __future__ import annotations

import socket
import sys
import time
import urllib.error
import urllib.request
import uuid

import httpx
import jwt
import pytest
from pymongo import MongoClient

from services.common.imports import MULTIPART_SLACK, ImportSettings
from services.common.settings import ServiceSettings
from services.devstack.processes import Child, free_port
from services.devstack.stack import ROOT
from services.gateway.settings import GatewaySettings
from tests.conftest import login
from tests.security.conftest import WARD_A

GATEWAY = GatewaySettings()
SECRET = ServiceSettings().jwt_secret


def client(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


def token(claims: dict, key: str = SECRET, algorithm: str = "HS256") -> dict[str, str]:
    now = int(time.time())
    body = {"sub": "sec.officer_a", "role": "officer", "unit": WARD_A, "iat": now, "exp": now + 600, **claims}
    return {"Authorization": f"Bearer {jwt.encode(body, key, algorithm=algorithm)}"}


# API2: broken authentication — tokens.

@pytest.mark.parametrize("name,headers", [
    ("expired", token({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600})),
    ("wrong signature", token({}, key="another-secret-of-at-least-32-bytes!!")),
    ("alg none", {"Authorization": "Bearer " + jwt.encode({"sub": "sec.officer_a", "role": "officer",
                                                           "unit": WARD_A, "exp": int(time.time()) + 600},
                                                          None, algorithm="none")}),
    ("wrong algorithm", token({}, key=SECRET + "-padding-for-hs512-to-be-long-enough-0123456789", algorithm="HS512")),
    ("escalated role", token({"role": "admin", "unit": "38"})),
    ("unknown user", token({"sub": "sec.nobody"})),
    ("not a token", {"Authorization": "Bearer not.a.token"}),
])
def test_forged_and_expired_tokens_are_refused(gateway, people, name, headers):
    for path in ("/api/v1/tips", "/api/v1/stats/tips", "/api/v1/cameras", "/api/v1/audit?service=gateway"):
        r = gateway.get(path, headers=headers)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer", (name, path, r.text)


def test_revoked_and_deleted_users_lose_their_tokens_at_once(stack, gateway, admin):
    users = {}
    for name in ("sec.revoked", "sec.deleted"):
        r = gateway.post("/api/v1/users", headers=admin, json={"username": name, "password": f"{name}-password",
                                                               "role": "officer", "unit_code": WARD_A})
        assert r.status_code == 201, r.text
        users[name] = login(gateway, name, f"{name}-password")
        assert gateway.get("/api/v1/tips", headers=users[name]).status_code == 200
    assert gateway.post("/api/v1/users/sec.revoked/revoke", headers=admin).status_code == 200
    with MongoClient(stack.uri) as mongo:
        mongo[f"{stack.env['MONGO_DB_PREFIX']}_gateway"]["users"].delete_one({"_id": "sec.deleted"})
    for headers in users.values():
        for path in ("/api/v1/tips", "/api/v1/stats/tips", "/api/v1/queue", "/api/v1/extractions"):
            assert gateway.get(path, headers=headers).status_code == 401, path
        assert gateway.post("/api/v1/cases", headers=headers,
                            json={"title": "t", "unit_code": WARD_A, "tip_ids": ["T-1"]}).status_code == 401
    r = gateway.post("/api/v1/auth/token", data={"username": "sec.revoked", "password": "sec.revoked-password"})
    assert r.status_code == 401
    assert gateway.post("/api/v1/users/sec.nobody/revoke", headers=admin).status_code == 404
    assert gateway.post("/api/v1/users/admin/revoke", headers=admin).status_code == 409


# API2: brute force on login.

def failed_login(gateway, username: str, ip: str) -> httpx.Response:
    return gateway.post("/api/v1/auth/token", data={"username": username, "password": "wrong-guess-123"},
                        headers=client(ip))


def test_login_slows_down_then_locks_the_username_out_without_telling_whether_it_exists(gateway, make_user):
    make_user("sec.target", "officer", WARD_A)
    answers = {}
    for username in ("sec.target", f"sec.ghost.{uuid.uuid4().hex[:6]}"):
        for attempt in range(GATEWAY.login_failures_per_user):
            started = time.monotonic()
            assert failed_login(gateway, username, f"203.0.113.{attempt + 1}").status_code == 401
        # the last failure waited for every earlier one (LOGIN_DELAY_S each)
        assert time.monotonic() - started >= GATEWAY.login_delay_s * (GATEWAY.login_failures_per_user - 1)
        r = gateway.post("/api/v1/auth/token", data={"username": username, "password": "sec.target-password"},
                         headers=client("203.0.113.99"))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        answers[username] = (r.status_code, r.headers["Retry-After"], r.json())
    assert len(set(map(str, answers.values()))) == 1  # a locked real user looks like a locked unknown one


def test_login_locks_a_client_out_across_usernames(gateway):
    ip = "198.51.100.23"
    for attempt in range(GATEWAY.login_failures_per_client):
        assert failed_login(gateway, f"sec.spray.{attempt}", ip).status_code == 401
    r = gateway.post("/api/v1/auth/token", data={"username": "admin", "password": "irrelevant-here"},
                     headers=client(ip))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert failed_login(gateway, "sec.spray.0", "198.51.100.24").status_code == 401  # other clients go on


# API4: unrestricted resource consumption.

def test_bodies_beyond_the_limit_are_413(gateway, people):
    big = {"channel": "web", "unit_code": WARD_A, "content": "x" * (ServiceSettings().max_body_bytes + 1)}
    for path in ("/api/v1/tips", "/api/v1/cases", "/api/v1/users"):
        r = gateway.post(path, json=big, headers=people["officer_a"])
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large", path


@pytest.mark.parametrize("service", ["intake", "gateway"])
def test_a_client_that_keeps_sending_a_body_beyond_the_limit_reads_its_413(stack, service):
    """urllib sends the whole body without `Expect: 100-continue`: the answer must wait until
    the body is read, or the closed socket resets the connection under the client's send."""
    body = b"x" * (3 * 1024**2)
    for attempt in range(20):
        request = urllib.request.Request(f"{stack.url(service)}/api/v1/tips", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=60)
            pytest.fail("a 3 MB tip was accepted")
        except urllib.error.HTTPError as answer:
            assert answer.code == 413, attempt
            assert b"payload_too_large" in answer.read()
        # anything else (BrokenPipeError, ConnectionResetError) fails the test as it is


def test_a_chunked_body_refused_while_it_streams_is_drained_before_the_answer(stack, people):
    """An attachment without a declared length, over its limit: the refusal comes after the
    rest of the body was read, so the client that keeps sending reads it."""
    chunk = b"x" * 65536
    chunks = GATEWAY.max_attachment_bytes // len(chunk) + 48  # 3 MB beyond the limit
    with socket.create_connection(("127.0.0.1", stack.ports.gateway), timeout=60) as s:
        s.sendall((f"POST /api/v1/attachments HTTP/1.1\r\nHost: x\r\n"
                   f"Authorization: {people['officer_a']['Authorization']}\r\n"
                   "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
        part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n'
        for piece in [part] + [chunk] * chunks:
            s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        s.sendall(b"0\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            received = s.recv(4096)
            assert received, "the connection closed without an answer"
            answer += received
        assert answer.split(b" ")[1] == b"413"


def test_an_import_beyond_its_limit_is_413_before_it_is_read(stack, people):
    declared = ImportSettings().max_import_bytes + MULTIPART_SLACK + 1
    with socket.create_connection(("127.0.0.1", stack.ports.gateway), timeout=10) as s:
        s.sendall((f"POST /api/v1/tips/import HTTP/1.1\r\nHost: x\r\n"
                   f"Authorization: {people['clerk_a']['Authorization']}\r\n"
                   f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {declared}\r\n\r\n").encode())
        assert s.recv(4096).split(b" ")[1] == b"413"


@pytest.mark.parametrize("path", ["/api/v1/tips", "/api/v1/cases", "/api/v1/cameras", "/api/v1/extractions",
                                  "/api/v1/audit?service=intake"])
def test_page_sizes_are_capped(gateway, admin, path):
    assert gateway.get(path, params={"page_size": 1000}, headers=admin).status_code == 422
    assert gateway.get(path, params={"page": 0}, headers=admin).status_code == 422


@pytest.fixture(scope="module")
def strict_intake(stack):
    """A second intake on the session's broker and database with low public limits (the
    session's own are lifted for the other tests)."""
    port = free_port()
    child = Child("intake-strict", [sys.executable, "-m", "services", "intake"],
                  stack.workdir / "services" / "intake-strict.log",
                  env={**stack.service_env(), "INTAKE_PORT": str(port), "INTAKE_WEB_RATE_PER_MIN": "3",
                       "RECEIPT_FAILURES_PER_CLIENT": "3"}, cwd=ROOT)  # this checkout's code
    child.start()
    url = f"http://127.0.0.1:{port}"
    try:
        child.wait_until(lambda: _live(url), 60, "serving HTTP")
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http
    finally:
        child.stop()


def _live(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/live", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_the_web_channel_is_rate_limited_per_client(strict_intake):
    tip = {"channel": "web", "unit_code": WARD_A, "content": "Có người lạ đi lại nhiều lần trong ngõ"}
    answers = [strict_intake.post("/api/v1/tips", json=tip, headers=client("192.0.2.10")).status_code
               for _ in range(4)]
    assert answers[:3] == [202, 202, 202] and answers[3] == 429
    r = strict_intake.post("/api/v1/tips", json=tip, headers=client("192.0.2.10"))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert strict_intake.post("/api/v1/tips", json=tip, headers=client("192.0.2.11")).status_code == 202


def test_wrong_receipt_codes_lock_a_client_out(strict_intake):
    for _ in range(3):
        code = (uuid.uuid4().hex + uuid.uuid4().hex)[:34].upper()
        assert strict_intake.get(f"/api/v1/receipts/{code}", headers=client("192.0.2.20")).status_code == 404
    r = strict_intake.get("/api/v1/receipts/0000000000000000000000000000000000", headers=client("192.0.2.20"))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_guessing_16_digit_receipts_is_stopped_by_the_client_lock_out(strict_intake):
    """A 16-digit code names no receipt, so its guesses count against the client: after the
    limit even the right code is refused to the guesser, while the tipster's own client opens it."""
    tip = {"channel": "web", "unit_code": WARD_A, "content": "Có người lạ đi lại nhiều lần trong ngõ"}
    r = strict_intake.post("/api/v1/tips", json=tip, headers=client("192.0.2.30"))
    assert r.status_code == 202, r.text
    right = r.json()["receipt_code"]
    for guess in range(3):
        wrong = f"{(int(right.replace(' ', '')) + 1 + guess) % 10 ** 16:016d}"
        assert strict_intake.get(f"/api/v1/receipts/{wrong}", headers=client("192.0.2.31")).status_code == 404
    locked = strict_intake.get(f"/api/v1/receipts/{right.replace(' ', '')}", headers=client("192.0.2.31"))
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert strict_intake.get(f"/api/v1/receipts/{right.replace(' ', '')}", headers=client("192.0.2.30")).status_code == 200

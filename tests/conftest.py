"""Fixtures that start the real parts: one Kafka broker, one database and every service per
test session, on free ports, with fresh data directories (runs cannot see each other)."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from services.devstack.stack import Ports, Stack

ADMIN_PASSWORD = "admin-test-password"
WEBHOOK_SECRET = "zalo-test-secret-0123456789"


def stack_env(workdir) -> dict[str, str]:
    """The services' settings of a test stack: limits out of the way, a fast clock sweep, the
    webhook sources, and a database prefix of its own."""
    return {"ANTT_ADMIN_PASSWORD": ADMIN_PASSWORD, "KAFKA_TIMEOUT_S": "10", "CLOCK_SWEEP_INTERVAL_S": "1",
            "INTAKE_WEB_RATE_PER_MIN": "100000", "RECEIPT_FAILURES_PER_CLIENT": "100000",
            "WEBHOOK_SOURCES": json.dumps({"zalo-380": {"channel": "zalo", "secret": WEBHOOK_SECRET},
                                           "sms-gw": {"channel": "sms", "secret": WEBHOOK_SECRET}}),
            "MONGO_DB_PREFIX": f"antt_test_{workdir.name.replace('-', '_')}",
            "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    system = Stack(workdir, Ports.free(), kafka_bootstrap=os.environ.get("TEST_KAFKA_BOOTSTRAP"),
                   mongo_uri=os.environ.get("TEST_MONGO_URI"), env=stack_env(workdir))
    try:
        system.start()
        yield system
    finally:
        system.stop()


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url(), timeout=30) as client:
        yield client


def login(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="session")
def admin(gateway: httpx.Client) -> dict[str, str]:
    return login(gateway, "admin", ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def make_user(gateway: httpx.Client, admin: dict[str, str]) -> Callable[[str, str, str], dict[str, str]]:
    """Create a user (once) and return its auth headers."""
    def make(username: str, role: str, unit_code: str) -> dict[str, str]:
        password = f"{username}-password"
        r = gateway.post("/api/v1/users", headers=admin,
                         json={"username": username, "password": password, "role": role, "unit_code": unit_code})
        assert r.status_code in (201, 409), r.text
        return login(gateway, username, password)
    return make


def eventually(check: Callable[[], object], timeout_s: float = 90, interval_s: float = 0.2):
    """Poll until `check()` returns something truthy (events travel asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s (last: {result!r})")
        time.sleep(interval_s)

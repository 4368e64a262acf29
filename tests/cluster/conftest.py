"""The production topology on this machine, once per test session: three Kafka brokers (KRaft,
combined nodes, RF 3, min.insync.replicas=2), the database, and two replicas of every service
(the gateways forwarding to both intakes). Its tests are marked `cluster` (`-m cluster`)."""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from services.devstack.stack import Ports, Stack
from tests.conftest import ADMIN_PASSWORD, stack_env


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("cluster")
    system = Stack(workdir, Ports.free(), env=stack_env(workdir), brokers=3, replicas=2)
    try:
        system.start()
        yield system
    finally:
        system.stop()


@pytest.fixture(scope="session")
def officer(cluster: Stack) -> dict[str, str]:
    """An officer of district 380 (every ward the cluster tests use)."""
    with httpx.Client(base_url=cluster.url(), timeout=30) as client:
        token = client.post("/api/v1/auth/token", data={"username": "admin", "password": ADMIN_PASSWORD})
        admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
        user = {"username": "canbo.cluster", "password": "canbo-cluster-password", "role": "officer", "unit_code": "380"}
        assert client.post("/api/v1/users", headers=admin, json=user).status_code in (201, 409)
        token = client.post("/api/v1/auth/token", data={"username": user["username"], "password": user["password"]})
        return {"Authorization": f"Bearer {token.json()['access_token']}"}


class TipStream:
    """Tips sent one after another by `clients` threads, through both gateways in turn; every
    answer is kept in the order it came (status, tip id)."""

    def __init__(self, cluster: Stack, ward: str, clients: int = 4):
        self.cluster, self.ward, self.clients = cluster, ward, clients
        self.answers: list[tuple[float, int, str | None]] = []  # (monotonic time, status, tip id)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sent = itertools.count()

    def start(self) -> "TipStream":
        gateways = [self.cluster.url(i) for i in self.cluster.instances("gateway")]
        for n in range(self.clients):
            thread = threading.Thread(target=self._run, args=(gateways[n % len(gateways)],), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _run(self, url: str) -> None:
        with httpx.Client(base_url=url, timeout=40) as client:
            while not self._stop.is_set():
                n = next(self._sent)
                body = {"channel": "web", "unit_code": self.ward, "idempotency_key": f"cluster-{self.ward}-{n:06d}",
                        "content": f"Tin báo thử cụm máy số {n}: có người lạ quanh kho hàng"}
                try:
                    r = client.post("/api/v1/tips", json=body)
                    status, tip = r.status_code, (r.json().get("tip_id") if r.status_code == 202 else None)
                except httpx.TransportError:
                    status, tip = 0, None
                with self._lock:
                    self.answers.append((time.monotonic(), status, tip))
                if status != 202:
                    time.sleep(0.2)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    @property
    def acknowledged(self) -> list[str]:
        with self._lock:
            return [tip for _, status, tip in self.answers if status == 202]

    def acknowledged_since(self, at: float) -> int:
        with self._lock:
            return sum(1 for t, status, _ in self.answers if t >= at and status == 202)

    def longest_refusal(self) -> tuple[int, float]:
        """The longest run of answers other than 202, as a count and in seconds (from its
        first refusal to the 202 after it)."""
        with self._lock:
            answers = list(self.answers)
        longest, seconds, run, began = 0, 0.0, 0, None
        for t, status, _ in answers:
            if status == 202:
                if began is not None:
                    seconds = max(seconds, t - began)
                run, began = 0, None
            else:
                run, began = run + 1, began if began is not None else t
                longest = max(longest, run)
        return longest, seconds

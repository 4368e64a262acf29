"""The whole system on this machine: broker, database, topics, every service, and Prometheus
if asked for."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.__main__ import SERVICES
from services.common import topics
from services.common.settings import ServiceSettings

from .database import EmbeddedDatabase
from .kafka import KafkaBroker, NodeAddress
from .processes import Child, free_port
from .prometheus import Prometheus

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ports:
    gateway: int = 8000
    intake: int = 8001
    verification: int = 8002
    extraction: int = 8003
    aggregation: int = 8004
    kafka: int = 9092
    kafka_controller: int = 9093
    kafka2: int = 9094  # the second and third node of a cluster (ANTT_BROKERS=3)
    kafka2_controller: int = 9095
    kafka3: int = 9096
    kafka3_controller: int = 9097
    database: int = 27017
    prometheus: int = 9090

    @classmethod
    def free(cls) -> "Ports":
        return cls(**{name: free_port() for name in cls.__dataclass_fields__})


@dataclass
class Stack:
    """`kafka_bootstrap` / `mongo_uri` point at external ones; otherwise they are started here.
    `with_prometheus`: also start Prometheus scraping every service (needs its binary).
    `kafka_advertised_port`: the broker started here tells clients this port (a proxy's).
    `brokers`: 1 (a single KRaft node) or 3 (a cluster of three combined nodes, topics at
    replication factor 3 with min.insync.replicas=2)."""
    workdir: Path
    ports: Ports = field(default_factory=Ports)
    kafka_bootstrap: str | None = None
    mongo_uri: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    with_prometheus: bool = False
    kafka_advertised_port: int | None = None
    brokers: int = 1

    def __post_init__(self) -> None:
        if self.brokers not in (1, 3):
            raise ValueError(f"brokers must be 1 or 3, not {self.brokers}")
        more = [NodeAddress(getattr(self.ports, f"kafka{n}"), getattr(self.ports, f"kafka{n}_controller"))
                for n in range(2, self.brokers + 1)]
        self.broker = None if self.kafka_bootstrap else KafkaBroker(
            self.workdir / "kafka", self.ports.kafka, self.ports.kafka_controller,
            advertised_port=self.kafka_advertised_port, more=more)
        self.database = None if self.mongo_uri else EmbeddedDatabase(self.workdir / "database", self.ports.database)
        self.services: dict[str, Child] = {}
        self.prometheus = Prometheus(self.workdir / "prometheus", self.ports.prometheus,
                                     self.metrics_targets()) if self.with_prometheus else None

    @property
    def bootstrap(self) -> str:
        return self.kafka_bootstrap or self.broker.bootstrap

    @property
    def uri(self) -> str:
        return self.mongo_uri or self.database.uri

    def url(self, service: str = "gateway") -> str:
        return f"http://127.0.0.1:{getattr(self.ports, service)}"

    def metrics_targets(self) -> dict[str, str]:
        """Each service's address for scraping its /metrics."""
        return {name: f"127.0.0.1:{getattr(self.ports, name)}" for name in SERVICES}

    def service_env(self) -> dict[str, str]:
        env = {"KAFKA_BOOTSTRAP": self.bootstrap, "MONGO_URI": self.uri}
        if self.broker:  # an external one has its own (KAFKA_REPLICATION_FACTOR of the environment)
            env["KAFKA_REPLICATION_FACTOR"] = str(topics.replication_for(self.brokers))
        env.update(self.env)
        for name in SERVICES:
            env[f"{name.upper()}_PORT"] = str(getattr(self.ports, name))
        return env

    def start_infrastructure(self) -> None:
        if self.database:
            self.database.start()
        if self.broker:
            self.broker.start()
        settings = ServiceSettings(**{k: v for k, v in self.service_env().items()})
        topics.ensure_topics(settings)

    def start_service(self, name: str, timeout_s: float = 60) -> None:
        child = Child(name, [sys.executable, "-m", "services", name],
                      self.workdir / "services" / f"{name}.log", env=self.service_env(), cwd=ROOT)
        child.start()
        self.services[name] = child
        child.wait_until(lambda: _live(self.url(name)), timeout_s, "serving HTTP")

    def start(self) -> None:
        self.start_infrastructure()
        for name in SERVICES:
            self.start_service(name)
        if self.prometheus:
            self.prometheus.start()

    def stop(self) -> None:
        if self.prometheus:
            self.prometheus.stop()
        for child in reversed(list(self.services.values())):
            child.stop()
        if self.broker:
            self.broker.stop()
        if self.database:
            self.database.stop()


def _live(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/live", timeout=1).status_code == 200
    except httpx.TransportError:
        return False

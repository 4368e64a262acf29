"""The whole system on this machine: broker, database, topics, every service, and Prometheus
if asked for."""
from __future__ import annotations

import socket
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
    replication factor 3 with min.insync.replicas=2).
    `replicas`: processes of each service. Replica 1 of a service is named as the service and
    listens on its port of `ports`; replica N (2, 3 ...) is "<service>-N", on the port 10 × (N-1)
    above if that is free, else on a free one. The gateways forward to every intake,
    verification and extraction replica; verification's and aggregation's replicas each form
    one consumer group."""
    workdir: Path
    ports: Ports = field(default_factory=Ports)
    kafka_bootstrap: str | None = None
    mongo_uri: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    with_prometheus: bool = False
    kafka_advertised_port: int | None = None
    brokers: int = 1
    replicas: int = 1

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
        self.instance_ports = {name: getattr(self.ports, name) for name in SERVICES}
        for n in range(2, self.replicas + 1):
            for name in SERVICES:
                self.instance_ports[f"{name}-{n}"] = _port_near(getattr(self.ports, name) + 10 * (n - 1))
        self.prometheus = Prometheus(self.workdir / "prometheus", self.ports.prometheus,
                                     self.metrics_targets()) if self.with_prometheus else None

    @property
    def bootstrap(self) -> str:
        return self.kafka_bootstrap or self.broker.bootstrap

    @property
    def uri(self) -> str:
        return self.mongo_uri or self.database.uri

    def url(self, instance: str = "gateway") -> str:
        """Of a service's first replica ("intake"), or of another one ("intake-2")."""
        return f"http://127.0.0.1:{self.instance_ports[instance]}"

    def instances(self, service: str | None = None) -> list[str]:
        """The names of the replicas of `service` (default: of every service), in start order."""
        return [i for i in self.instance_ports if service is None or service_of(i) == service]

    def metrics_targets(self) -> dict[str, list[str]]:
        """Each service's replicas' addresses for scraping their /metrics."""
        return {name: [f"127.0.0.1:{self.instance_ports[i]}" for i in self.instances(name)] for name in SERVICES}

    def service_env(self, instance: str | None = None) -> dict[str, str]:
        """The environment of `instance` (default: any service's first replica)."""
        env = {"KAFKA_BOOTSTRAP": self.bootstrap, "MONGO_URI": self.uri}
        if self.broker:  # an external one has its own (KAFKA_REPLICATION_FACTOR of the environment)
            env["KAFKA_REPLICATION_FACTOR"] = str(topics.replication_for(self.brokers))
        env.update(self.env)
        for name in SERVICES:
            env[f"{name.upper()}_PORT"] = str(getattr(self.ports, name))
        if self.replicas > 1:
            for name in ("intake", "verification", "extraction"):
                env[f"{name.upper()}_URL"] = ",".join(self.url(i) for i in self.instances(name))
        if instance:
            env[f"{service_of(instance).upper()}_PORT"] = str(self.instance_ports[instance])
        return env

    def start_infrastructure(self) -> None:
        if self.database:
            self.database.start()
        if self.broker:
            self.broker.start()
        settings = ServiceSettings(**{k: v for k, v in self.service_env().items()})
        topics.ensure_topics(settings)

    def start_service(self, instance: str, timeout_s: float = 60) -> None:
        """Start one replica ("intake", "intake-2") and wait until it serves HTTP."""
        self.launch(instance)
        self.wait_live(instance, timeout_s)

    def launch(self, instance: str) -> None:
        child = Child(instance, [sys.executable, "-m", "services", service_of(instance)],
                      self.workdir / "services" / f"{instance}.log", env=self.service_env(instance), cwd=ROOT)
        child.start()
        self.services[instance] = child

    def wait_live(self, instance: str, timeout_s: float = 60) -> None:
        self.services[instance].wait_until(lambda: _live(self.url(instance)), timeout_s, "serving HTTP")

    def start(self) -> None:
        self.start_infrastructure()
        for name in SERVICES:  # a service's replicas side by side
            for instance in self.instances(name):
                self.launch(instance)
            for instance in self.instances(name):
                self.wait_live(instance)
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


def service_of(instance: str) -> str:
    """"intake-2" → "intake"."""
    return instance.rsplit("-", 1)[0] if instance.rsplit("-", 1)[-1].isdigit() else instance


def _port_near(port: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            return free_port()


def _live(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/live", timeout=1).status_code == 200
    except httpx.TransportError:
        return False

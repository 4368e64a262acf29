"""A single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM)."""
from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from pathlib import Path

from services.common.kafka import broker_reachable
from services.common.settings import ServiceSettings

from .processes import Child, port_open

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LIBS = ROOT / ".cache" / "kafka" / "libs"
LOG4J = ROOT / "deploy" / "kafka" / "log4j.properties"


def server_properties(data_dir: Path, port: int, controller_port: int, advertised_port: int | None = None) -> str:
    """`advertised_port`: the port clients are told to use (a proxy in front of `port`), if not `port`."""
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{advertised_port or port}",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={data_dir / 'logs'}",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "num.partitions=1",
        "",
    ])


class KafkaBroker:
    """Listens on `port`; tells clients to connect to `advertised_port` if given (a TCP proxy
    that forwards to `port`, so that every connection, the broker's own included, crosses it)."""

    def __init__(self, data_dir: Path, port: int, controller_port: int,
                 libs: Path | None = None, heap: str = "512m", advertised_port: int | None = None):
        self.data_dir, self.port, self.controller_port = data_dir, port, controller_port
        self.advertised_port = advertised_port
        self.libs = libs or Path(os.environ.get("KAFKA_LIBS", DEFAULT_LIBS))
        self.heap = heap
        self.child: Child | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.advertised_port or self.port}"

    def _java(self, *args: str) -> list[str]:
        return ["java", f"-Xmx{self.heap}", f"-Dlog4j.configuration=file:{LOG4J}",
                "-cp", f"{self.libs}/*", *args]

    def _format_once(self, config: Path) -> None:
        if (self.data_dir / "logs" / "meta.properties").exists():
            return  # formatted before: reuse the data (a second `make run` keeps its tips)
        cluster_id = subprocess.run(self._java("kafka.tools.StorageTool", "random-uuid"),
                                    check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        subprocess.run(self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)),
                       check=True, capture_output=True, text=True)

    def start(self, timeout_s: float = 90) -> None:
        if not any(self.libs.glob("kafka_2.13-*.jar")):
            raise RuntimeError(f"no Kafka jars in {self.libs}: run `make kafka` first")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "server.properties"
        config.write_text(server_properties(self.data_dir, self.port, self.controller_port, self.advertised_port))
        self._format_once(config)
        self.child = Child("kafka", self._java("kafka.Kafka", str(config)), self.data_dir / "kafka.log")
        self.child.start()
        settings = ServiceSettings(KAFKA_BOOTSTRAP=self.bootstrap)
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # "unable to connect" while it boots
        self.child.wait_until(lambda: port_open(self.port), timeout_s, "listening")
        self.child.wait_until(lambda: asyncio.run(broker_reachable(settings)), timeout_s, "ready")

    def stop(self) -> None:
        if self.child:
            self.child.stop(timeout_s=30)

    def kill(self) -> None:
        if self.child:
            self.child.kill()

"""Apache Kafka in KRaft mode on this machine: one node (broker and controller in one JVM), or a
cluster of several combined nodes (one JVM each) sharing one controller quorum."""
from __future__ import annotations

import base64
import logging
import os
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from services.common import topics

from .processes import Child, port_open

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_LIBS = ROOT / ".cache" / "kafka" / "libs"
LOG4J = ROOT / "deploy" / "kafka" / "log4j.properties"
SINGLE_HEAP, CLUSTER_HEAP = "512m", "384m"


@dataclass(frozen=True)
class NodeAddress:
    """`advertised_port`: the port clients are told to use (a proxy in front of `port`), if not `port`."""
    port: int
    controller_port: int
    advertised_port: int | None = None

    @property
    def client_port(self) -> int:
        return self.advertised_port or self.port


def server_properties(data_dir: Path, node_id: int, nodes: list[NodeAddress]) -> str:
    """One node's configuration; every node of a cluster names the same controller quorum.
    Topics and the internal topics are replicated to min(3, nodes) brokers, and a write with
    acks=all needs a majority of them (2 of 3)."""
    me = nodes[node_id - 1]
    replicas = topics.replication_for(len(nodes))
    min_isr = topics.min_insync_for(replicas)
    voters = ",".join(f"{n}@127.0.0.1:{a.controller_port}" for n, a in enumerate(nodes, start=1))
    return "\n".join([
        "process.roles=broker,controller",
        f"node.id={node_id}",
        f"controller.quorum.voters={voters}",
        f"listeners=PLAINTEXT://127.0.0.1:{me.port},CONTROLLER://127.0.0.1:{me.controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{me.client_port}",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={data_dir / 'logs'}",
        f"default.replication.factor={replicas}",
        f"min.insync.replicas={min_isr}",
        f"offsets.topic.replication.factor={replicas}",
        "offsets.topic.num.partitions=6",
        f"transaction.state.log.replication.factor={replicas}",
        f"transaction.state.log.min.isr={min_isr}",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "num.partitions=1",
        # A dead broker is noticed after 3 s (default 9 s), so its partitions get a new leader
        # soon and a write waits that long at most; a paused one leaves the ISR after 10 s.
        "broker.session.timeout.ms=3000",
        "broker.heartbeat.interval.ms=500",
        "replica.lag.time.max.ms=10000",
        "",
    ])


class KafkaNode:
    """One JVM: broker and controller of node `node_id`."""

    def __init__(self, cluster: "KafkaBroker", node_id: int, data_dir: Path):
        self.cluster, self.node_id, self.data_dir = cluster, node_id, data_dir
        self.child: Child | None = None

    @property
    def address(self) -> NodeAddress:
        return self.cluster.addresses[self.node_id - 1]

    @property
    def config(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def formatted(self) -> bool:
        return (self.data_dir / "logs" / "meta.properties").exists()

    def cluster_id(self) -> str | None:
        meta = self.data_dir / "logs" / "meta.properties"
        for line in meta.read_text().splitlines() if meta.exists() else []:
            if line.startswith("cluster.id="):
                return line.split("=", 1)[1].strip()
        return None

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config.write_text(server_properties(self.data_dir, self.node_id, self.cluster.addresses))

    def format(self, cluster_id: str) -> None:
        if not self.formatted:  # formatted before: reuse the data (a second `make run` keeps its tips)
            subprocess.run(self.cluster.java("kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                                             "-c", str(self.config)), check=True, capture_output=True, text=True)

    def start(self, timeout_s: float = 90) -> None:
        name = "kafka" if len(self.cluster.nodes) == 1 else f"kafka-{self.node_id}"
        self.child = Child(name, self.cluster.java("kafka.Kafka", str(self.config)), self.data_dir / "kafka.log")
        self.child.start()
        self.child.wait_until(lambda: port_open(self.address.port), timeout_s, "listening")

    @property
    def alive(self) -> bool:
        return self.child is not None and self.child.alive

    def stop(self) -> None:
        if self.child:
            self.child.stop(timeout_s=30)

    def kill(self) -> None:
        if self.child:
            self.child.kill()


class KafkaBroker:
    """The broker of the devstack: `nodes` KRaft nodes in combined mode (1 by default; 3 for a
    cluster), started in parallel (a quorum elects a controller only once a majority runs),
    ready when the metadata lists every broker. One node keeps its data in `data_dir`, a
    cluster's node N in `data_dir/node-N`. `start`/`stop`/`kill` act on every node; faults on
    one node go through `nodes`."""

    def __init__(self, data_dir: Path, port: int, controller_port: int,
                 libs: Path | None = None, heap: str | None = None, advertised_port: int | None = None,
                 more: list[NodeAddress] | None = None):
        self.data_dir = data_dir
        self.addresses = [NodeAddress(port, controller_port, advertised_port), *(more or [])]
        self.libs = libs or Path(os.environ.get("KAFKA_LIBS", DEFAULT_LIBS))
        self.heap = heap or (SINGLE_HEAP if len(self.addresses) == 1 else CLUSTER_HEAP)
        single = len(self.addresses) == 1
        self.nodes = [KafkaNode(self, n, data_dir if single else data_dir / f"node-{n}")
                      for n in range(1, len(self.addresses) + 1)]

    @property
    def port(self) -> int:
        return self.addresses[0].port

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{a.client_port}" for a in self.addresses)

    @property
    def child(self) -> Child | None:
        """The first node's process (the only one of a single broker)."""
        return self.nodes[0].child

    def java(self, *args: str) -> list[str]:
        return ["java", f"-Xmx{self.heap}", f"-Xms{self.heap}", f"-Dlog4j.configuration=file:{LOG4J}",
                "-cp", f"{self.libs}/*", *args]

    def _cluster_id(self) -> str:
        for node in self.nodes:
            if node.cluster_id():
                return node.cluster_id()
        # What `kafka-storage random-uuid` prints (16 random bytes, base64url without padding),
        # without starting a JVM for it.
        return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")

    def start(self, timeout_s: float = 120) -> None:
        if not any(self.libs.glob("kafka_2.13-*.jar")):
            raise RuntimeError(f"no Kafka jars in {self.libs}: run `make kafka` first")
        down = [node for node in self.nodes if not node.alive]
        for node in down:
            node.prepare()
        cluster_id = self._cluster_id()
        with ThreadPoolExecutor(len(down) or 1) as pool:
            list(pool.map(lambda node: node.format(cluster_id), down))
            list(pool.map(lambda node: node.start(timeout_s), down))
        self.wait_ready(timeout_s)

    def wait_ready(self, timeout_s: float = 120) -> None:
        """Until the metadata lists every running node as a broker."""
        logging.getLogger("kafka").setLevel(logging.CRITICAL)  # "unable to connect" while it boots
        running = {node.node_id for node in self.nodes if node.alive}
        first = next(node for node in self.nodes if node.alive)
        first.child.wait_until(lambda: running <= set(topics.brokers(self.bootstrap)), timeout_s,
                               f"ready with {len(running)} broker(s)")

    def stop(self) -> None:
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(KafkaNode.stop, self.nodes))

    def kill(self) -> None:
        for node in self.nodes:
            node.kill()

"""The devstack's Kafka configurations: one node, or a quorum of three with replicated topics."""
from pathlib import Path

import pytest

from services.common import topics
from services.common.settings import ServiceSettings
from services.devstack.kafka import KafkaBroker, NodeAddress, server_properties
from services.devstack.stack import Ports, Stack


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_single_node_replicates_nothing():
    props = _props(server_properties(Path("/d"), 1, [NodeAddress(9092, 9093)]))
    assert props["controller.quorum.voters"] == "1@127.0.0.1:9093"
    assert props["offsets.topic.replication.factor"] == props["transaction.state.log.replication.factor"] == "1"
    assert props["min.insync.replicas"] == props["transaction.state.log.min.isr"] == "1"


def test_three_nodes_share_one_quorum_with_rf3_and_min_isr_2():
    nodes = [NodeAddress(9092, 9093), NodeAddress(9094, 9095), NodeAddress(9096, 9097, advertised_port=19096)]
    every = [_props(server_properties(Path(f"/d/node-{n}"), n, nodes)) for n in (1, 2, 3)]
    assert {p["controller.quorum.voters"] for p in every} == {"1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097"}
    assert [p["node.id"] for p in every] == ["1", "2", "3"]
    assert every[1]["listeners"] == "PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095"
    assert every[2]["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19096"
    for p in every:
        assert p["default.replication.factor"] == p["offsets.topic.replication.factor"] == "3"
        assert p["transaction.state.log.replication.factor"] == "3"
        assert p["min.insync.replicas"] == p["transaction.state.log.min.isr"] == "2"
        assert p["process.roles"] == "broker,controller"
    assert len({p["log.dirs"] for p in every}) == 3


def test_topics_are_created_with_a_majority_in_sync():
    specs = topics.wanted(ServiceSettings(KAFKA_REPLICATION_FACTOR=3))
    assert specs and all(s["replication_factor"] == 3 and s["configs"]["min.insync.replicas"] == "2"
                         for s in specs.values())
    assert all(s["configs"]["min.insync.replicas"] == "1" for s in topics.wanted(ServiceSettings()).values())


def test_stack_of_three_brokers(tmp_path):
    stack = Stack(tmp_path, Ports.free(), brokers=3)
    assert len(stack.broker.nodes) == 3 and stack.broker.heap == "384m"
    assert stack.bootstrap.count(",") == 2
    assert stack.service_env()["KAFKA_REPLICATION_FACTOR"] == "3"
    assert Stack(tmp_path, Ports.free()).service_env()["KAFKA_REPLICATION_FACTOR"] == "1"
    assert KafkaBroker(tmp_path, 1, 2).heap == "512m"
    with pytest.raises(ValueError):
        Stack(tmp_path, Ports.free(), brokers=2)


def test_two_replicas_of_each_service_and_gateways_that_forward_to_both(tmp_path):
    from services.devstack.stack import service_of
    stack = Stack(tmp_path, Ports.free(), replicas=2)
    assert stack.instances("intake") == ["intake", "intake-2"] and len(stack.instances()) == 10
    assert len(set(stack.instance_ports.values())) == 10
    env = stack.service_env("intake-2")
    assert env["INTAKE_PORT"] == str(stack.instance_ports["intake-2"]) != stack.service_env("intake")["INTAKE_PORT"]
    gateway = stack.service_env("gateway-2")
    assert gateway["INTAKE_URL"].split(",") == [stack.url("intake"), stack.url("intake-2")]
    assert gateway["GATEWAY_PORT"] == str(stack.instance_ports["gateway-2"])
    assert stack.metrics_targets()["verification"] == [stack.url(i).removeprefix("http://")
                                                       for i in ("verification", "verification-2")]
    assert service_of("aggregation-2") == "aggregation" and service_of("gateway") == "gateway"
    assert "INTAKE_URL" not in Stack(tmp_path, Ports.free()).service_env()

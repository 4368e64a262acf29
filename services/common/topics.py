"""Topic administration with kafka-python (a plain synchronous client: nothing here runs on an
event loop). `python -m services.common.topics`: create the topics of schemas/ (and their
dead-letter topics) on KAFKA_BOOTSTRAP; topics that exist are left alone."""
from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError

from . import contracts
from .settings import ServiceSettings


def replication_for(brokers: int) -> int:
    """The replication factor a cluster of `brokers` gets: 3 once it has three."""
    return min(3, brokers)


def min_insync_for(replicas: int) -> int:
    """A write with acks=all needs a majority of the replicas: 2 of 3, 1 of 1."""
    return replicas // 2 + 1


def admin(bootstrap: str, timeout_s: float = 10) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=bootstrap.split(","), client_id="antt-admin",
                            request_timeout_ms=int(timeout_s * 1000))


def wanted(settings: ServiceSettings) -> dict[str, dict]:
    """Every topic of `schemas/` and its dead-letter topic, as kafka-python's create_topics takes them."""
    rf = settings.kafka_replication_factor
    isr = str(min_insync_for(rf))
    out = {}
    for t in contracts.topics().values():
        out[t.name] = {"num_partitions": t.partitions, "replication_factor": rf,
                       "configs": {"retention.ms": str(t.retention_ms), "min.insync.replicas": isr}}
        out[t.dlq] = {"num_partitions": 1, "replication_factor": rf,
                      "configs": {"retention.ms": str(contracts.DLQ_RETENTION_MS), "min.insync.replicas": isr}}
    return out


def ensure_topics(settings: ServiceSettings) -> list[str]:
    """Create the topics that are missing; return their names."""
    client = admin(settings.kafka_bootstrap, settings.kafka_timeout_s)
    try:
        existing = set(client.list_topics())
        missing = {name: spec for name, spec in wanted(settings).items() if name not in existing}
        if missing:
            try:
                client.create_topics(missing, wait_for_metadata=True)
            except TopicAlreadyExistsError:  # created meanwhile by another starter
                pass
        return sorted(missing)
    finally:
        client.close()


def brokers(bootstrap: str, timeout_s: float = 3) -> list[int]:
    """The node ids of the brokers the cluster's metadata lists; [] if none answers."""
    try:
        client = admin(bootstrap, timeout_s)
    except (KafkaError, OSError):
        return []
    try:
        return sorted(b["broker_id"] for b in client.describe_cluster()["brokers"])
    except (KafkaError, OSError):
        return []
    finally:
        client.close()


def leaders(bootstrap: str, topic: str) -> dict[int, int]:
    """Partition → the node id of its leader (-1 while it has none)."""
    client = admin(bootstrap)
    try:
        [described] = client.describe_topics([topic])
        return {p["partition_index"]: p["leader_id"] for p in described["partitions"]}
    finally:
        client.close()


def controller(bootstrap: str) -> int:
    """The node id of the active controller (the leader of the KRaft quorum)."""
    client = admin(bootstrap)
    try:
        return client.describe_metadata_quorum()["topics"][0]["partitions"][0]["leader_id"]
    finally:
        client.close()


def group_members(bootstrap: str, group: str) -> dict[str, set[tuple[str, int]]]:
    """The members of a consumer group, each with the partitions assigned to it."""
    client = admin(bootstrap)
    try:
        described = client.describe_groups([group])[group]
    finally:
        client.close()
    out = {}
    for member in described.get("members", []):
        assignment = member.get("member_assignment") or {}
        parts = assignment.get("assigned_partitions", []) if isinstance(assignment, dict) else []
        out[member["member_id"]] = {(p["topic"], n) for p in parts for n in p["partitions"]}
    return out


def main() -> None:
    created = ensure_topics(ServiceSettings())
    print("created: " + (", ".join(created) if created else "nothing (all topics exist)"))


if __name__ == "__main__":
    main()

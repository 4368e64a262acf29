"""Consumers on the real broker and database: replays change nothing, bad events go to the
dead-letter topic with their reason and the stream goes on."""
from __future__ import annotations

import json

import httpx
import pytest

from services.common import contracts
from tests.conftest import eventually
from tests.integration.conftest import database, produce, produce_events, read_all

WARD = "14791"  # phường Đông Cương: used by this module only
TIPS = contracts.topic("tips.received")
VERIFICATION = contracts.topic("tips.verification")


def received(tip_id: str) -> contracts.Event:
    now = "2026-05-04T03:00:00Z"
    return contracts.make_event("tip.received/1", subject=tip_id, source="test", data={
        "tip_id": tip_id, "channel": "zalo", "content": "Nhóm Zalo báo có cháy nhỏ ở chợ", "unit_code": WARD,
        "unit_path": ["38", "380", WARD], "received_at": now, "recorded_at": now,
        "anonymous": True, "has_contact": False})


def changed(tip_id: str, version: int, status: str) -> contracts.Event:
    return contracts.make_event("tip.status_changed/1", subject=tip_id, source="test", data={
        "tip_id": tip_id, "status": status, "previous_status": "received", "version": version,
        "changed_at": "2026-05-05T03:00:00Z", "actor": {"username": "t", "role": "officer", "unit_code": WARD}})


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.dongcuong", "officer", WARD)


def without_sweep(tip: dict) -> dict:
    """A tip's state less what verification's clock sweep writes on its own schedule."""
    return {k: v for k, v in tip.items() if k not in ("alerted", "next_alert_at", "outbox")}


def counts(gateway, headers) -> dict:
    return gateway.get("/api/v1/stats/tips", params={"unit_code": WARD}, headers=headers).json()["total"]


def test_an_event_replayed_twice_changes_nothing(stack, gateway, officer):
    before = counts(gateway, officer)
    first, decided = received("T-REPLAY-1"), changed("T-REPLAY-1", 1, "valuable")
    produce_events(stack.bootstrap, TIPS.name, [first])
    produce_events(stack.bootstrap, VERIFICATION.name, [decided])
    eventually(lambda: counts(gateway, officer)["valuable"] == before["valuable"] + 1)
    client, verification_db = database(stack, "verification")
    state = verification_db.tips.find_one({"_id": "T-REPLAY-1"})
    _, aggregation_db = database(stack, "aggregation")
    fact = aggregation_db.tip_facts.find_one({"_id": "T-REPLAY-1"})

    # the same events again, an older state change after a newer one, then a marker tip
    produce_events(stack.bootstrap, TIPS.name, [first, first])
    produce_events(stack.bootstrap, VERIFICATION.name, [decided, changed("T-REPLAY-1", 1, "not_valuable")])
    produce_events(stack.bootstrap, TIPS.name, [received("T-REPLAY-MARK")])
    eventually(lambda: aggregation_db.tip_facts.find_one({"_id": "T-REPLAY-MARK"})
               and verification_db.tips.find_one({"_id": "T-REPLAY-MARK"}))

    assert counts(gateway, officer) == {**before, "received": before["received"] + 2,
                                        "valuable": before["valuable"] + 1}
    assert without_sweep(verification_db.tips.find_one({"_id": "T-REPLAY-1"})) == without_sweep(state)
    assert aggregation_db.tip_facts.find_one({"_id": "T-REPLAY-1"}) == fact
    assert fact["status"] == "valuable" and fact["status_version"] == 1
    client.close()


def test_a_status_change_before_its_tip_still_counts_once(stack, gateway, officer):
    """Both read models hold the decision although it came before its tip (another topic):
    aggregation's facts commute, verification waits for the tip (RECORDED_WAIT_S)."""
    before = counts(gateway, officer)
    produce_events(stack.bootstrap, VERIFICATION.name, [changed("T-EARLY-1", 1, "valuable")])
    produce_events(stack.bootstrap, TIPS.name, [received("T-EARLY-1")])
    eventually(lambda: counts(gateway, officer)["valuable"] == before["valuable"] + 1)
    assert counts(gateway, officer)["received"] == before["received"] + 1
    client, verification_db = database(stack, "verification")
    tip = eventually(lambda: (t := verification_db.tips.find_one({"_id": "T-EARLY-1"})) and t["version"] == 1 and t)
    assert tip["status"] == "valuable"
    client.close()
    assert not [r for r in read_all(stack.bootstrap, VERIFICATION.dlq)
                if r.key == b"T-EARLY-1"], "dead-lettered instead of waiting for its tip"


def test_malformed_events_go_to_the_dead_letter_topic_and_the_stream_goes_on(stack, gateway, officer):
    invalid = received("T-DLQ-BAD").to_dict()
    del invalid["data"]["content"]
    produce(stack.bootstrap, TIPS.name, [
        (b"T-DLQ-GARBAGE", b"\x00not json at all"),
        (b"T-DLQ-BAD", json.dumps(invalid).encode()),
        (b"T-DLQ-WRONG-TOPIC", changed("T-DLQ-WRONG-TOPIC", 1, "valuable").encode()),
    ])
    produce_events(stack.bootstrap, TIPS.name, [received("T-DLQ-GOOD")])

    client, verification_db = database(stack, "verification")
    eventually(lambda: verification_db.tips.find_one({"_id": "T-DLQ-GOOD"}))
    assert verification_db.tips.find_one({"_id": "T-DLQ-BAD"}) is None

    def dead_letters():
        found = {}
        for record in read_all(stack.bootstrap, TIPS.dlq):
            headers = {k: v.decode() for k, v in record.headers}
            found.setdefault((record.key.decode(), headers["dlq.service"]), headers)
        keys = {k for k, _ in found}
        return found if {"T-DLQ-GARBAGE", "T-DLQ-BAD", "T-DLQ-WRONG-TOPIC"} <= keys else None

    found = eventually(dead_letters)
    for service in ("verification", "aggregation"):
        assert "not JSON" in found[("T-DLQ-GARBAGE", service)]["dlq.reason"]
        assert "data.content: is required" in found[("T-DLQ-BAD", service)]["dlq.reason"]
        assert "is not carried by tips.received" in found[("T-DLQ-WRONG-TOPIC", service)]["dlq.reason"]
        assert found[("T-DLQ-BAD", service)]["dlq.topic"] == TIPS.name
    metrics = httpx.get(f"{stack.url('verification')}/metrics").text
    assert 'antt_dlq_events_total{reason="invalid",topic="tips.received"}' in metrics
    client.close()


def test_topics_exist_with_the_partitions_of_their_definitions(stack):
    from aiokafka.admin import AIOKafkaAdminClient
    import asyncio

    async def describe():
        admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap)
        await admin.start()
        try:
            return await admin.describe_topics([t.name for t in contracts.topics().values()])
        finally:
            await admin.close()
    described = {d["topic"]: len(d["partitions"]) for d in asyncio.run(describe())}
    assert described == {t.name: t.partitions for t in contracts.topics().values()}

"""The officer's queue through the gateway on the real stack: totals and bucket counts that
match the items, filters, search with or without diacritics, paging by cursor that stays
stable while tips arrive, and the unread marker of a tipster's message. Ward 15850 (xã Thiệu
Vân) belongs to this module only."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.common import contracts
from tests.conftest import eventually
from tests.integration.conftest import produce_events

WARD = "15850"
TIPS = [  # (content, channel, received days ago)
    ("Nhóm thanh niên đánh nhau có người bị thương ở chợ Thiệu Vân", "hotline", 0),
    ("Có kẻ trộm xe máy trước cổng trường tiểu học", "walk_in", 0),
    ("Đèn đường ở ngõ 7 bị hỏng nhiều ngày", "hotline", 0),
    ("Nghi có người mua bán ma túy ở quán nước đầu thôn", "hotline", 0),
    ("Tụ tập đánh bạc ăn tiền ở nhà văn hóa thôn 2", "walk_in", 0),
    ("Mất trộm chó ở thôn 3 tuần trước", "walk_in", 3),
    ("Xe tải đỗ chắn lối vào ngõ 9 cả ngày", "hotline", 0),
]


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.q.15850", "officer", WARD)


@pytest.fixture(scope="module")
def clerk(make_user):
    return make_user("tiepnhan.q.15850", "clerk", WARD)


@pytest.fixture(scope="module")
def tips(gateway, officer, clerk) -> dict[str, str]:
    """content → tip_id, once every tip is in verification's state."""
    ids = {}
    for content, channel, days in TIPS:
        body = {"channel": channel, "unit_code": WARD, "content": content}
        if days:
            body["received_at"] = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()
        r = gateway.post("/api/v1/tips", headers=clerk, json=body)
        assert r.status_code == 202, r.text
        ids[content] = r.json()["tip_id"]
    for tip_id in ids.values():
        eventually(lambda: gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).status_code == 200)
    return ids


def queue(gateway, headers, **params) -> dict:
    r = gateway.get("/api/v1/queue", headers=headers, params={"unit_code": WARD, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_totals_and_buckets_count_what_the_pages_hold(gateway, officer, tips):
    everything = queue(gateway, officer, bucket="all", page_size=100)
    assert everything["total"] == len(TIPS) == len(everything["items"])
    assert everything["counts"] == {"action": len(TIPS) - 1, "overdue": 1}
    overdue = queue(gateway, officer, bucket="overdue")
    assert [t["tip_id"] for t in overdue["items"]] == [tips["Mất trộm chó ở thôn 3 tuần trước"]]
    action = queue(gateway, officer)
    assert action["total"] == len(action["items"]) == len(TIPS) - 1 and action["bucket"] == "action"
    ranks = [{"high": 0, "normal": 1, "low": 2}[t["priority"]] for t in action["items"]]
    assert ranks == sorted(ranks) and action["items"][0]["content"] == TIPS[0][0]  # a fight with injuries first
    deadlines = [t["clock_due"] for t in action["items"] if t["priority"] == "normal"]
    assert deadlines == sorted(deadlines)


def test_filters_and_search_give_their_counts(gateway, officer, tips):
    every = queue(gateway, officer, bucket="all", page_size=100)["items"]
    for name, value in (("channel", "hotline"), ("priority", "high"), ("category", "theft")):
        found = queue(gateway, officer, bucket="all", **{name: value})
        expected = {t["tip_id"] for t in every if t[name] == value}
        assert {t["tip_id"] for t in found["items"]} == expected and found["total"] == len(expected) > 0
    for q in ("danh bac", "ĐÁNH BẠC", "đánh bạc"):
        found = queue(gateway, officer, q=q)
        assert [t["tip_id"] for t in found["items"]] == [tips["Tụ tập đánh bạc ăn tiền ở nhà văn hóa thôn 2"]]
        assert found["total"] == 1
    assert queue(gateway, officer, q="khong co tu nay")["total"] == 0
    today = datetime.now(timezone.utc).date()
    recent = queue(gateway, officer, bucket="all", **{"from": (today - timedelta(days=1)).isoformat()})
    assert recent["total"] == len(TIPS) - 1
    near = queue(gateway, officer, clock="near")
    assert near["total"] == len(near["items"]) == len(TIPS) - 1  # each must be forwarded within 24 h
    assert queue(gateway, officer, clock="overdue")["total"] == 1
    assert gateway.get("/api/v1/queue", headers=officer, params={"unit_code": WARD, "after": "380|x"}).status_code == 422
    assert gateway.get("/api/v1/queue", headers=officer, params={"unit_code": "14767"}).status_code == 403


def test_claimed_by_me_and_unclaimed(gateway, officer, tips):
    tip_id = tips["Xe tải đỗ chắn lối vào ngõ 9 cả ngày"]
    assert gateway.post(f"/api/v1/tips/{tip_id}/claim", headers=officer).status_code == 200
    mine = queue(gateway, officer, bucket="all", claimed="me")
    assert [t["tip_id"] for t in mine["items"]] == [tip_id] and mine["items"][0]["claimed_by"] == "canbo.q.15850"
    free = queue(gateway, officer, bucket="all", claimed="none")
    assert tip_id not in {t["tip_id"] for t in free["items"]} and free["total"] == len(TIPS) - 1
    assert gateway.delete(f"/api/v1/tips/{tip_id}/claim", headers=officer).status_code == 200


def test_paging_by_cursor_is_stable_while_tips_arrive(gateway, officer, clerk, tips):
    first = queue(gateway, officer, bucket="all", page_size=3)
    assert len(first["items"]) == 3 and first["next"]
    by_page = queue(gateway, officer, bucket="all", page_size=3, page=2)
    # a high-priority tip arrives between the pages: it goes to the top, the next page does not shift
    r = gateway.post("/api/v1/tips", headers=clerk, json={
        "channel": "hotline", "unit_code": WARD, "content": "Có người cầm dao đe dọa đánh nhau ở chợ, cần hỗ trợ gấp"})
    new = r.json()["tip_id"]
    eventually(lambda: new in {t["tip_id"] for t in queue(gateway, officer, bucket="all", page_size=3)["items"]})
    second = queue(gateway, officer, bucket="all", page_size=3, after=first["next"], page=2)
    assert [t["tip_id"] for t in second["items"]] == [t["tip_id"] for t in by_page["items"]]
    seen, after = [t["tip_id"] for t in first["items"] + second["items"]], second["next"]
    while after:
        page = queue(gateway, officer, bucket="all", page_size=3, after=after)
        seen += [t["tip_id"] for t in page["items"]]
        after = page["next"]
    assert len(seen) == len(set(seen)) == len(TIPS) and new not in seen  # each once; the newcomer is on page 1
    assert queue(gateway, officer, bucket="all")["total"] == len(TIPS) + 1
    assert gateway.post(f"/api/v1/tips/{new}/decision", headers=officer,
                        json={"outcome": "not_valuable"}).status_code == 200
    assert queue(gateway, officer, bucket="all")["total"] == len(TIPS)  # decided: out of the queue and its count


def test_a_tipster_message_marks_the_tip_unread_until_an_officer_opens_it(gateway, officer, tips):
    r = gateway.post("/api/v1/tips", json={"channel": "web", "unit_code": WARD,
                                           "content": "Có người lạ hay lảng vảng quanh trạm biến áp ban đêm"})
    tip_id, code = r.json()["tip_id"], r.json()["receipt_code"]
    eventually(lambda: gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).status_code == 200)
    assert not {t["tip_id"]: t for t in queue(gateway, officer, page_size=100)["items"]}[tip_id]["unread"]
    assert gateway.post(f"/api/v1/receipts/{code}/messages", json={"text": "Tối nay họ lại đến"}).status_code == 201
    unread = eventually(lambda: queue(gateway, officer, unread="true")["items"])
    assert [t["tip_id"] for t in unread] == [tip_id] and unread[0]["unread"] is True
    opened = gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).json()
    assert opened["just_read"] is True and opened["unread"] is False
    assert queue(gateway, officer, unread="true")["total"] == 0
    assert gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).json().get("just_read") is None
    assert gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=officer,
                        json={"outcome": "not_valuable"}).status_code == 200


def test_a_decision_recorded_by_another_writer_takes_the_tip_out_of_the_queue(stack, gateway, make_user):
    """A past year's decision on `tips.verification` (history.py) moves the tip's keys and the
    queue's counters as the API's decision does. Ward 16441 (phường Quảng Thịnh) is this test's."""
    ward, officer = "16441", make_user("canbo.q.16441", "officer", "16441")
    now = datetime.now(timezone.utc).isoformat()
    ids = ["T-QREC-1", "T-QREC-2"]
    produce_events(stack.bootstrap, contracts.topic("tips.received").name, [
        contracts.make_event("tip.received/1", subject=tip_id, source="test", data={
            "tip_id": tip_id, "channel": "hotline", "content": f"Trộm gà ở xóm {i} Quảng Thịnh", "unit_code": ward,
            "unit_path": ["38", "380", ward], "received_at": now, "recorded_at": now,
            "anonymous": True, "has_contact": False}) for i, tip_id in enumerate(ids)])
    params = {"unit_code": ward, "bucket": "all"}
    eventually(lambda: gateway.get("/api/v1/queue", headers=officer, params=params).json()["total"] == 2)
    produce_events(stack.bootstrap, contracts.topic("tips.verification").name, [
        contracts.make_event("tip.status_changed/1", subject="T-QREC-1", source="test", data={
            "tip_id": "T-QREC-1", "status": "not_valuable", "previous_status": "received", "version": 1,
            "changed_at": now, "actor": {"username": "t", "role": "officer", "unit_code": ward}})])
    eventually(lambda: gateway.get("/api/v1/tips/T-QREC-1", headers=officer).json()["status"] == "not_valuable")
    counted = gateway.get("/api/v1/queue", headers=officer, params=params).json()  # from the counters
    searched = gateway.get("/api/v1/queue", headers=officer, params={**params, "q": "trom ga"}).json()  # the keys
    assert counted["total"] == searched["total"] == 1
    assert [t["tip_id"] for t in counted["items"]] == [t["tip_id"] for t in searched["items"]] == ["T-QREC-2"]

from datetime import datetime, timedelta, timezone

from services.verification import queue

T0 = datetime(2026, 3, 10, 8, tzinfo=timezone.utc)


def tip(tip_id, priority, due_h=None, received_h=0, unit="14806", content="trộm xe máy ở chợ", **extra):
    return {"_id": tip_id, "priority": priority, "unit_code": unit, "content": content, "category": "theft",
            "clock_due": T0 + timedelta(hours=due_h) if due_h is not None else None,
            "received_at": T0 + timedelta(hours=received_h), "location": None, "status": "received",
            "version": 0, **extra}


def test_priority_first_then_nearest_deadline_then_stopped_clocks_last():
    tips = [tip("a", "normal", 5), tip("b", "high", 30), tip("c", "high", 2), tip("d", "low", 1),
            tip("e", "high", None), tip("f", "normal", 5, received_h=-1)]
    assert [t["_id"] for t in queue.order(tips)] == ["c", "b", "e", "f", "a", "d"]


def test_duplicates_are_proposed_only_within_the_ward_and_window():
    loc = {"lat": 19.80, "lon": 105.77}
    mine = tip("a", "normal", 5, location=loc, content="Có kẻ trộm xe máy ở chợ Vườn Hoa lúc 8 giờ sáng")
    twin = tip("b", "normal", 6, received_h=1, location=loc, content="Trộm xe máy tại chợ Vườn Hoa sáng nay 8 giờ")
    far_ward = {**twin, "_id": "c", "unit_code": "14800"}
    late = {**twin, "_id": "d", "received_at": T0 + timedelta(hours=100)}
    found = queue.proposals(mine, [mine, twin, far_ward, late])
    assert [p["tip_id"] for p in found] == ["b"] and found[0]["score"] >= 0.65 and found[0]["reasons"]


def test_an_item_shows_clock_claim_and_hides_internals():
    doc = tip("a", "high", 1, claim={"username": "canbo.x", "at": "t"}, outbox=[1], history=[1],
              legal_steps=[], next_alert_at=T0)
    doc["deadlines"] = {"forward_by": doc["clock_due"]}
    doc["clock_which"] = "forward"
    item = queue.item(doc, [], T0, timedelta(hours=48))
    assert item["claimed_by"] == "canbo.x" and item["clock"]["state"] == "near" and item["duplicates"] == []
    assert {"outbox", "history", "next_alert_at", "_id"}.isdisjoint(item) and item["tip_id"] == "a"


def test_window_spans_every_tip():
    assert queue.candidates_window([]) is None
    lo, hi = queue.candidates_window([tip("a", "low", received_h=0), tip("b", "low", received_h=10)])
    assert lo == T0 - queue.DUPLICATE_WINDOW and hi == T0 + timedelta(hours=10) + queue.DUPLICATE_WINDOW

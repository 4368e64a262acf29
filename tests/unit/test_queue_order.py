from datetime import datetime, timedelta, timezone

from services.verification import queue

T0 = datetime(2026, 3, 10, 8, tzinfo=timezone.utc)
PATH = ["38", "380", "14806"]


def tip(tip_id, priority, due_h=None, received_h=0, unit="14806", content="trộm xe máy ở chợ", status="received",
        **extra):
    return {"_id": tip_id, "priority": priority, "unit_code": unit, "unit_path": ["38", "380", unit],
            "content": content, "category": "theft",
            "clock_due": T0 + timedelta(hours=due_h) if due_h is not None else None,
            "received_at": T0 + timedelta(hours=received_h), "location": None, "status": status,
            "version": 0, **extra}


def ordered(tips, level=1):
    field = queue.key_field(level)
    return [t["_id"] for t in sorted(tips, key=lambda t: queue.key_fields(t)[field])]


def test_keys_put_priority_first_then_nearest_deadline_then_stopped_clocks():
    tips = [tip("a", "normal", 5), tip("b", "high", 30), tip("c", "high", 2), tip("d", "low", 1),
            tip("e", "high", None), tip("f", "normal", 5, received_h=-1), tip("g", "high", -200)]
    assert ordered(tips) == ["g", "c", "b", "e", "f", "a", "d"]


def test_each_level_of_the_unit_path_has_its_key_and_settled_tips_have_none():
    keys = queue.key_fields(tip("a", "high", 2))
    assert [keys[f].split("|")[0] for f in queue.KEY_FIELDS] == PATH
    assert keys["qk2"].startswith("14806|received|0|2026-03-10T10:00:00.000|")
    settled = queue.key_fields(tip("a", "high", 2, status="not_valuable"))
    assert all(settled[f] is None for f in queue.KEY_FIELDS)


def test_search_words_match_with_or_without_diacritics():
    words = queue.content_words("Nhóm thanh niên ĐÁNH NHAU ở ngõ 5")
    assert set(queue.search_words("danh nhau")) <= set(words)
    assert set(queue.search_words("đánh nhau")) <= set(words)
    assert "danh" in words and "ngo" in words and not set(queue.search_words("trộm")) <= set(words)


def test_buckets_split_at_now_and_near_narrows_to_the_window():
    action = queue.spans("380", "received", "action", T0, [0, 1, 2])
    overdue = queue.spans("380", "received", "overdue", T0, [0])
    assert [s.prefix for s in action] == ["380|received|0|", "380|received|1|", "380|received|2|"]
    late, soon = queue.key_fields(tip("a", "high", -1))["qk1"], queue.key_fields(tip("b", "high", 1))["qk1"]
    assert overdue[0].start <= late < overdue[0].stop and not overdue[0].start <= soon < overdue[0].stop
    assert action[0].start <= soon < action[0].stop
    stopped = queue.key_fields(tip("c", "high", None))["qk1"]
    assert action[0].start <= stopped < action[0].stop
    near = queue.spans("380", "received", "action", T0, [0], near=timedelta(hours=48))[0]
    far = queue.key_fields(tip("d", "high", 72))["qk1"]
    assert near.start <= soon < near.stop and not near.start <= far < near.stop
    assert queue.spans("380", "received", "overdue", T0, [0], near=timedelta(hours=48)) == []
    assert queue.bucket_of(late, T0) == "overdue" and queue.bucket_of(stopped, T0) == "action"


def test_windows_hold_about_a_page_each_by_the_counters_days_and_start_after_the_cursor():
    span = queue.Span("380|received|1|", "", queue.END)
    days = [("2026-03-01", 10), ("2026-03-02", 60), ("2026-03-03", 5), ("2026-03-05", 100), ("~", 3)]
    cut = queue.windows(span, days, None, 50)
    assert cut[0] == ("380|received|1|", "380|received|1|2026-03-03")
    assert cut[1] == ("380|received|1|2026-03-03", "380|received|1|2026-03-06")  # then twice as much
    assert cut[-1][1] == span.stop and all(a[1] == b[0] for a, b in zip(cut, cut[1:]))
    cursor = "380|received|1|2026-03-05T09:00:00.000|x|T-1"
    assert queue.windows(span, days, cursor, 50)[0][0] == cursor
    assert queue.windows(queue.Span("380|received|0|", "", queue.END), [], cursor, 50) == []


def test_counters_move_with_the_tip_and_cancel_out():
    before = tip("a", "high", 2)
    assert sorted(queue.counter_ids(before)) == sorted(f"{u}|received|0|2026-03-10" for u in [*PATH, "own:14806"])
    decided = {**before, "status": "valuable", "clock_due": before["clock_due"] + timedelta(days=3)}
    delta = queue.counter_delta(before, decided)
    assert delta["380|received|0|2026-03-10"] == -1 and delta["380|valuable|0|2026-03-13"] == 1
    assert queue.counter_delta(before, dict(before)) == {}
    assert queue.counter_delta(None, {**before, "status": "duplicate"}) == {}
    assert queue.counter_delta(before, {**before, "legal_decision": "prosecute", "clock_due": None})[
        "380|received|0|2026-03-10"] == -1  # the legal decision closes it: out of the queue
    assert queue.counter_doc("380|received|0|2026-03-10") == {"scope": "380|received", "rank": 0, "day": "2026-03-10"}


def test_totals_from_counters_split_today_at_now():
    rows = [{"rank": 0, "day": "2026-03-09", "n": 4}, {"rank": 0, "day": "2026-03-10", "n": 6},
            {"rank": 1, "day": "2026-03-12", "n": 5}, {"rank": 1, "day": "~", "n": 2},
            {"rank": 2, "day": "2026-03-01", "n": 0}]
    counts = queue.counts_from_counters(rows, [0, 1, 2], today_overdue=2, now=T0)
    assert (counts.action, counts.overdue, counts.total("all")) == (4 + 5 + 2, 4 + 2, 17)
    assert queue.counts_from_counters(rows, [1], 0, T0).as_dict() == {"action": 7, "overdue": 0}


def test_duplicates_are_proposed_only_within_the_ward_and_window():
    loc = {"lat": 19.80, "lon": 105.77}
    mine = tip("a", "normal", 5, location=loc, content="Có kẻ trộm xe máy ở chợ Vườn Hoa lúc 8 giờ sáng")
    twin = tip("b", "normal", 6, received_h=1, location=loc, content="Trộm xe máy tại chợ Vườn Hoa sáng nay 8 giờ")
    far_ward = {**twin, "_id": "c", "unit_code": "14800"}
    late = {**twin, "_id": "d", "received_at": T0 + timedelta(hours=100)}
    found = queue.proposals(mine, [mine, twin, far_ward, late])
    assert [p["tip_id"] for p in found] == ["b"] and found[0]["score"] >= 0.65 and found[0]["reasons"]


def test_an_item_shows_clock_claim_unread_and_hides_internals():
    doc = tip("a", "high", 1, claim={"username": "canbo.x", "at": "t"}, outbox=[1], history=[1],
              legal_steps=[], next_alert_at=T0, unread=True, **queue.key_fields(tip("a", "high", 1)))
    doc["deadlines"] = {"forward_by": doc["clock_due"]}
    doc["clock_which"] = "forward"
    item = queue.item(doc, T0, timedelta(hours=48))
    assert item["claimed_by"] == "canbo.x" and item["clock"]["state"] == "near" and item["unread"] is True
    assert {"outbox", "history", "next_alert_at", "_id", "content_words", "qk1"}.isdisjoint(item)
    assert item["tip_id"] == "a"


def test_clock_gauges_come_from_the_own_unit_counters():
    rows = [{"scope": "own:14806|received", "day": "2026-03-09", "n": 2},
            {"scope": "own:14806|valuable", "day": "2026-03-12", "n": 3},
            {"scope": "own:14800|received", "day": "~", "n": 1}]
    counts = queue.gauge_counts(rows, {"14800": 4}, T0)
    assert counts == {"open": {"14806": 5, "14800": 1}, "overdue": {"14806": 2, "14800": 4}}


def test_keys_missing_or_stale_are_given_again_and_right_ones_left():
    fresh = tip("a", "high", 2)
    assert queue.stale_keys(fresh)["qk1"].startswith("380|received|0|")  # written before the queue had keys
    keyed = {**fresh, **queue.key_fields(fresh)}
    assert queue.stale_keys(keyed) is None
    decided = {**keyed, "legal_decision": "prosecute"}  # decided without its keys moved
    assert queue.stale_keys(decided) == {**queue.key_fields(decided), "qk0": None, "qk1": None, "qk2": None}


def test_a_forwarded_tip_read_for_the_page_shows_its_decision_clock():
    from services.verification import clocks, legal
    from services.verification.queuestore import ITEM_FIELDS
    received = T0 - timedelta(days=5)
    step = clocks.Step("forward", received + timedelta(hours=2))
    deadlines = clocks.deadlines(received, steps=(step,))
    doc = {**tip("a", "normal", received_h=-120), "deadlines": legal.deadlines_doc(deadlines),
           "legal_steps": [{"step": "forward", "at": step.at, "legal_basis": "Điều 145 BLTTHS", "months": None}],
           **legal.clock_fields(deadlines, "received", None, {}, timedelta(hours=48))}
    read = {k: v for k, v in doc.items() if k not in ITEM_FIELDS}  # what the page's query projects
    clock = queue.item(read, T0, timedelta(hours=48))["clock"]
    assert clock["which"] == "decide" and clock["state"] == "ok"  # not "forward: overdue 5 days"
    assert queue.bucket_of(queue.key_fields(doc)["qk1"], T0) == "action"

"""The officer's workflow through the gateway on the real stack: cases from tips of several
channels, legal steps and deadlines, the queue and claims, deadline alerts, and concurrent
decisions. Wards 14806, 14800, 14779 and 14782 belong to this module only."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.conftest import eventually

CASES_WARD, LEGAL_WARD, QUEUE_WARD, ALERT_WARD = "14806", "14800", "14779", "14782"
LOCATION = {"lat": 19.8075, "lon": 105.7760}


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.wf.14806", "officer", CASES_WARD)


@pytest.fixture(scope="module")
def district_officer(make_user):
    return make_user("canbo.wf.380", "officer", "380")


@pytest.fixture(scope="module")
def clerk(make_user):
    return make_user("tiepnhan.wf.380", "clerk", "380")


def post_tip(gateway, ward, content, headers=None, channel="web", **fields) -> str:
    r = gateway.post("/api/v1/tips", headers=headers,
                     json={"channel": channel, "unit_code": ward, "content": content, **fields})
    assert r.status_code == 202, r.text
    return r.json()["tip_id"]


def tip(gateway, headers, tip_id) -> dict | None:
    r = gateway.get(f"/api/v1/tips/{tip_id}", headers=headers)
    return r.json() if r.status_code == 200 else None


def arrived(gateway, headers, tip_id) -> dict:
    return eventually(lambda: tip(gateway, headers, tip_id))


def decide(gateway, headers, tip_id, outcome="valuable") -> httpx.Response:
    return gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=headers, json={"outcome": outcome})


def legal(gateway, headers, tip_id, step, **extra) -> httpx.Response:
    return gateway.post(f"/api/v1/tips/{tip_id}/legal", headers=headers,
                        json={"step": step, "legal_basis": "Điều 147 BLTTHS 2015", **extra})


def test_a_case_from_web_and_hotline_tips_converts_them_and_links_more(gateway, officer, clerk, make_user):
    web = post_tip(gateway, CASES_WARD, "Có nhóm người tụ tập đánh bạc ở ngõ 12 mỗi tối")
    hotline = post_tip(gateway, CASES_WARD, "Gọi đường dây nóng: đánh bạc ăn tiền ở ngõ 12", clerk, "hotline")
    zalo = post_tip(gateway, CASES_WARD, "Nhóm Zalo báo: sới bạc ngõ 12 lại họp", clerk, "zalo")
    pending = post_tip(gateway, CASES_WARD, "Người lạ hỏi đường")
    for tip_id in (web, hotline, zalo, pending):
        arrived(gateway, officer, tip_id)
    for tip_id in (web, hotline, zalo):
        assert decide(gateway, officer, tip_id).status_code == 200

    r = gateway.post("/api/v1/cases", headers=officer,
                     json={"title": "Sới bạc ngõ 12", "unit_code": CASES_WARD, "tip_ids": [web, pending]})
    assert r.status_code == 409 and r.json()["error"]["current"]["tip_id"] == pending
    assert r.json()["error"]["current"]["status"] == "received"
    assert tip(gateway, officer, web)["status"] == "valuable"  # nothing half-done
    assert clerk_cannot_open(gateway, clerk, web)

    r = gateway.post("/api/v1/cases", headers=officer,
                     json={"title": "Sới bạc ngõ 12", "unit_code": CASES_WARD, "tip_ids": [web, hotline]})
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    for tip_id in (web, hotline):
        state = tip(gateway, officer, tip_id)
        assert state["status"] == "converted" and state["version"] == 2 and state["case_id"] == case_id
    case = gateway.get(f"/api/v1/cases/{case_id}", headers=officer).json()
    assert case["status"] == "open" and case["version"] == 1 and case["tip_ids"] == [web, hotline]

    again = gateway.post("/api/v1/cases", headers=officer,
                         json={"title": "Lần hai", "unit_code": CASES_WARD, "tip_ids": [web]})
    assert again.status_code == 409 and again.json()["error"]["current"]["status"] == "converted"

    r = gateway.post(f"/api/v1/cases/{case_id}/tips", headers=officer, json={"tip_ids": [zalo]})
    assert r.status_code == 200, r.text
    assert r.json()["tip_ids"] == [web, hotline, zalo] and r.json()["version"] == 2
    assert tip(gateway, officer, zalo)["status"] == "converted"

    moves = [("clarified", 200), ("open", 200), ("closed", 200), ("open", 409)]
    for status, expected in moves:
        r = gateway.post(f"/api/v1/cases/{case_id}/status", headers=officer, json={"status": status, "note": "x"})
        assert r.status_code == expected, (status, r.text)
    assert r.json()["error"]["current"] == {"status": "closed", "version": 5}

    listed = gateway.get("/api/v1/cases", headers=officer, params={"status": "closed"}).json()
    assert case_id in {c["case_id"] for c in listed["items"]}
    assert gateway.get("/api/v1/cases", headers=officer, params={"status": "open"}).json()["total"] == 0
    other = make_user("canbo.wf.14800", "officer", LEGAL_WARD)
    assert gateway.get(f"/api/v1/cases/{case_id}", headers=other).status_code == 403
    assert gateway.get("/api/v1/cases", headers=officer, params={"page_size": 101}).status_code == 422


def clerk_cannot_open(gateway, clerk, tip_id) -> bool:
    r = gateway.post("/api/v1/cases", headers=clerk, json={"title": "x y z", "unit_code": CASES_WARD, "tip_ids": [tip_id]})
    return r.status_code == 403


def test_legal_steps_change_the_deadlines_and_forbidden_steps_conflict(gateway, district_officer):
    headers = district_officer
    tip_id = post_tip(gateway, LEGAL_WARD, "Có người cho vay nặng lãi, đòi nợ kiểu xã hội đen")
    first = arrived(gateway, headers, tip_id)
    assert first["clock_which"] == "forward"
    assert gateway.post(f"/api/v1/tips/{tip_id}/legal", headers=headers, json={"step": "forward"}).status_code == 422

    forwarded = legal(gateway, headers, tip_id, "forward").json()
    assert forwarded["deadlines"]["forwarded"] and forwarded["clock_which"] == "decide"
    assert forwarded["clock_due"] == forwarded["deadlines"]["decide_by"] and forwarded["version"] == 1
    early = legal(gateway, headers, tip_id, "procuracy_extend", months=1)
    assert early.status_code == 409 and early.json()["error"]["current"]["version"] == 1
    extended = legal(gateway, headers, tip_id, "extend").json()
    assert extended["deadlines"]["decide_by"] > forwarded["deadlines"]["decide_by"]
    further = legal(gateway, headers, tip_id, "procuracy_extend", months=1).json()
    assert further["deadlines"]["decide_by"] > extended["deadlines"]["decide_by"]

    assert legal(gateway, headers, tip_id, "resume").status_code == 409
    suspended = legal(gateway, headers, tip_id, "suspend").json()
    assert suspended["deadlines"]["decide_by"] is None and suspended["clock_due"] is None
    assert legal(gateway, headers, tip_id, "prosecute").status_code == 409
    queued = gateway.get("/api/v1/queue", headers=headers, params={"unit_code": LEGAL_WARD}).json()["items"]
    assert next(t for t in queued if t["tip_id"] == tip_id)["clock"]["state"] == "stopped"
    resumed = legal(gateway, headers, tip_id, "resume").json()
    assert resumed["deadlines"]["decide_by"] is not None and resumed["clock_due"] is not None
    decided = legal(gateway, headers, tip_id, "not_prosecute").json()
    assert decided["legal_decision"] == "not_prosecute" and decided["clock_due"] is None
    assert [s["step"] for s in decided["legal_steps"]] == ["forward", "extend", "procuracy_extend", "suspend",
                                                          "resume", "not_prosecute"]
    late = legal(gateway, headers, tip_id, "extend")
    assert late.status_code == 409 and late.json()["error"]["current"]["legal_decision"] == "not_prosecute"


def test_the_queue_orders_by_priority_then_deadline_and_claims_lock(gateway, clerk, make_user):
    first = make_user("canbo.wf.14779a", "officer", QUEUE_WARD)
    second = make_user("canbo.wf.14779b", "officer", QUEUE_WARD)
    past = (datetime.now(timezone.utc) - timedelta(days=2)).isoformat()
    low = post_tip(gateway, QUEUE_WARD, "Hỏi thủ tục đăng ký tạm trú cho người thuê trọ")
    fresh = post_tip(gateway, QUEUE_WARD, "Có kẻ trộm xe máy ở chợ Vườn Hoa sáng nay", location=LOCATION)
    twin = post_tip(gateway, QUEUE_WARD, "Kẻ trộm lấy xe máy tại chợ Vườn Hoa sáng nay", clerk, "hotline",
                    location=LOCATION)
    old = post_tip(gateway, QUEUE_WARD, "Mất trộm chó ở thôn 3 tuần trước", clerk, "walk_in", received_at=past)
    high = post_tip(gateway, QUEUE_WARD, "Nhóm thanh niên đánh nhau có người bị thương ở ngõ 5")
    for tip_id in (low, fresh, twin, old, high):
        arrived(gateway, first, tip_id)

    every = {"unit_code": QUEUE_WARD, "bucket": "all"}
    items = gateway.get("/api/v1/queue", headers=first, params=every).json()["items"]
    order = [t["tip_id"] for t in items if t["tip_id"] in {low, fresh, twin, old, high}]
    assert order[0] == high and order[1] == old and order[-1] == low
    by_id = {t["tip_id"]: t for t in items}
    # a fresh tip must be forwarded within 24 h, inside the 48 h "near" window
    assert by_id[old]["clock"]["state"] == "overdue" and by_id[high]["clock"]["state"] == "near"
    action = gateway.get("/api/v1/queue", headers=first, params={"unit_code": QUEUE_WARD}).json()
    assert old not in {t["tip_id"] for t in action["items"]} and action["counts"]["overdue"] >= 1
    overdue = gateway.get("/api/v1/queue", headers=first, params={**every, "bucket": "overdue"}).json()
    assert [t["tip_id"] for t in overdue["items"]] == [old] and overdue["total"] == action["counts"]["overdue"]
    proposed = gateway.get(f"/api/v1/tips/{fresh}", headers=first).json()["duplicates"]
    assert twin in {d["tip_id"] for d in proposed}

    assert gateway.post(f"/api/v1/tips/{fresh}/claim", headers=first).status_code == 200
    taken = gateway.post(f"/api/v1/tips/{fresh}/claim", headers=second)
    assert taken.status_code == 409 and taken.json()["error"]["current"]["claimed_by"] == "canbo.wf.14779a"
    assert decide(gateway, second, fresh).status_code == 409
    items = gateway.get("/api/v1/queue", headers=second, params=every).json()["items"]
    assert {t["tip_id"]: t for t in items}[fresh]["claimed_by"] == "canbo.wf.14779a"
    mine = gateway.get("/api/v1/queue", headers=first, params={**every, "claimed": "me"}).json()
    assert [t["tip_id"] for t in mine["items"]] == [fresh] and mine["total"] == 1
    assert gateway.delete(f"/api/v1/tips/{fresh}/claim", headers=second).status_code == 409
    assert gateway.delete(f"/api/v1/tips/{fresh}/claim", headers=first).status_code == 200
    assert gateway.post(f"/api/v1/tips/{fresh}/claim", headers=second).status_code == 200
    decided = decide(gateway, second, fresh).json()
    assert decided["claim"] is None and decided["status"] == "valuable"
    items = gateway.get("/api/v1/queue", headers=first, params=every).json()["items"]
    assert fresh not in {t["tip_id"] for t in items}
    assert gateway.get("/api/v1/queue", headers=clerk).status_code == 403


def test_an_overdue_tip_emits_its_alert_once_and_shows_in_metrics(gateway, stack, clerk, make_user):
    officer = make_user("canbo.wf.14782", "officer", ALERT_WARD)
    past = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    tip_id = post_tip(gateway, ALERT_WARD, "Phát hiện điểm bán ma túy gần trường học", clerk, "hotline",
                      received_at=past)
    arrived(gateway, officer, tip_id)
    state = eventually(lambda: (t := tip(gateway, officer, tip_id))["alerted"].get("deadline_passed") and t,
                       timeout_s=90)
    assert state["alerted"]["deadline_near"] == state["alerted"]["deadline_passed"]
    assert state["version"] == 0  # alerts do not change the tip's state

    def overdue_gauge() -> float:
        text = httpx.get(f"{stack.url('verification')}/metrics").text
        line = next((l for l in text.splitlines()
                     if l.startswith('antt_tips_overdue{district="380",unit_level="ward"}')), None)
        return line is not None and float(line.split()[-1]) >= 1
    eventually(overdue_gauge, timeout_s=90)


@pytest.mark.parametrize("attempt", range(10))
def test_two_simultaneous_decisions_give_one_200_and_one_409(gateway, stack, district_officer, make_user, attempt):
    other = make_user("canbo.wf.14800", "officer", LEGAL_WARD)
    tip_id = post_tip(gateway, LEGAL_WARD, f"Trộm cắp tài sản lần {attempt} ở chợ")
    arrived(gateway, other, tip_id)
    barrier, statuses = threading.Barrier(2), []

    def decide_now(headers, outcome):
        with httpx.Client(base_url=stack.url(), timeout=30) as client:
            barrier.wait()
            statuses.append(decide(client, headers, tip_id, outcome).status_code)

    threads = [threading.Thread(target=decide_now, args=(district_officer, "valuable")),
               threading.Thread(target=decide_now, args=(other, "not_valuable"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert tip(gateway, other, tip_id)["version"] == 1

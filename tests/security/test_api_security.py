"""OWASP API Security Top 10 (2023) on the running system, through the gateway: object-level
access (API1), function-level access (API5), mass assignment (API3) and operator injection
into MongoDB filters (API8/API10). See tests/security/README.md for the whole table."""
from __future__ import annotations

import pytest

from tests.security.conftest import WARD_A, WARD_B, arrived, post_tip

REASON = {"reason": "Cần liên hệ người báo tin để xác minh"}


def refused(r) -> bool:
    """Refused without showing anything of the object (403, or 404 where existence is hidden)."""
    return r.status_code in (403, 404) and "error" in r.json()


# API1: broken object-level authorization — an officer of ward A and ward B's objects.

@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/tips/{tip_id}", None),
    ("POST", "/api/v1/tips/{tip_id}/decision", {"outcome": "not_valuable"}),
    ("POST", "/api/v1/tips/{tip_id}/claim", None),
    ("POST", "/api/v1/tips/{tip_id}/legal", {"step": "forward", "legal_basis": "Điều 147 BLTTHS 2015"}),
    ("GET", "/api/v1/tips/{tip_id}/messages", None),
    ("POST", "/api/v1/tips/{tip_id}/replies", {"text": "Xin chào"}),
    ("GET", "/api/v1/cases/{case_id}", None),
    ("POST", "/api/v1/cases/{case_id}/status", {"status": "closed"}),
    ("POST", "/api/v1/cases/{case_id}/tips", {"tip_ids": ["ward B's tip"]}),
    ("GET", "/api/v1/cameras/{camera_id}", None),
    ("GET", "/api/v1/cameras/at-risk?tip_id={tip_id}", None),
    ("GET", "/api/v1/cameras/at-risk?case_id={case_id}", None),
    ("PATCH", "/api/v1/cameras/{camera_id}", {"status": "broken"}),
    ("GET", "/api/v1/extractions/{extraction_id}", None),
    ("GET", "/api/v1/extractions/{extraction_id}/custody", None),
    ("POST", "/api/v1/extractions/{extraction_id}/custody", {"action": "disposed"}),
    ("GET", "/api/v1/extractions/{extraction_id}/manifest", None),
])
def test_an_officer_of_ward_a_cannot_reach_ward_b_objects_by_id(gateway, people, ward_b, method, path, body):
    if body and body.get("tip_ids"):
        body = {"tip_ids": [ward_b["tip_id"]]}
    r = gateway.request(method, path.format(**ward_b), headers=people["officer_a"], json=body)
    assert refused(r), r.text
    assert ward_b["tip_id"] not in r.text or r.status_code == 404


def test_ward_a_cannot_read_ward_b_contact_details(gateway, people, ward_b):
    r = gateway.get(f"/api/v1/tips/{ward_b['tip_id']}/contact", params=REASON, headers=people["officer_a"])
    assert refused(r) and "0912000111" not in r.text


@pytest.mark.parametrize("path", ["/api/v1/tips", "/api/v1/cases", "/api/v1/cameras", "/api/v1/extractions",
                                  "/api/v1/queue", "/api/v1/stats/tips", "/api/v1/stats/cameras"])
def test_lists_and_statistics_of_ward_b_are_refused_to_ward_a(gateway, people, ward_b, path):
    assert gateway.get(path, params={"unit_code": WARD_B}, headers=people["officer_a"]).status_code == 403


@pytest.mark.parametrize("path,key", [("/api/v1/tips", "tip_id"), ("/api/v1/cases", "case_id"),
                                      ("/api/v1/cameras", "camera_id"), ("/api/v1/extractions", "extraction_id")])
def test_ward_a_lists_never_hold_ward_b_objects(gateway, people, ward_b, path, key):
    for who in ("officer_a", "operator_a"):
        r = gateway.get(path, params={"page_size": 100}, headers=people[who])
        if r.status_code == 403:  # the role may not list this at all
            continue
        assert r.status_code == 200, r.text
        assert ward_b[key] not in r.text and all(i.get("unit_code") in (None, WARD_A) for i in r.json()["items"])


def test_ward_a_reports_refuse_ward_b(gateway, people):
    r = gateway.get("/api/v1/reports/summary", params={"unit_code": WARD_B, "year": 2026, "format": "csv"},
                    headers=people["officer_a"])
    assert r.status_code == 403


# API5: broken function-level authorization.

def test_a_clerk_cannot_decide_and_an_operator_cannot_read_contact_details(gateway, people):
    tip_id = post_tip(gateway, WARD_A, "Phường A: tụ tập gây rối trật tự ban đêm", anonymous=False,
                      contact={"name": "Trần Thị A", "phone": "0913000222"})
    arrived(gateway, people["officer_a"], tip_id)
    r = gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=people["clerk_a"], json={"outcome": "valuable"})
    assert r.status_code == 403
    for who in ("operator_a", "clerk_a"):
        r = gateway.get(f"/api/v1/tips/{tip_id}/contact", params=REASON, headers=people[who])
        assert r.status_code == 403 and "0913000222" not in r.text
    r = gateway.get(f"/api/v1/tips/{tip_id}/contact", params=REASON, headers=people["officer_a"])
    assert r.status_code == 200 and r.json()["contact"]["phone"] == "0913000222"


@pytest.mark.parametrize("who", ["officer_a", "clerk_a", "operator_a"])
def test_only_admins_manage_users_and_read_the_audit_log(gateway, people, who):
    new = {"username": f"sec.x.{who}", "password": "long-enough-password", "role": "officer", "unit_code": WARD_A}
    assert gateway.post("/api/v1/users", headers=people[who], json=new).status_code == 403
    assert gateway.post("/api/v1/users/sec.officer_b/revoke", headers=people[who]).status_code == 403
    assert gateway.get("/api/v1/audit", params={"service": "intake"}, headers=people[who]).status_code == 403


# API3: broken object property level authorization (mass assignment).

def test_the_public_cannot_set_received_at_nor_a_status(gateway):
    base = {"channel": "web", "unit_code": WARD_A, "content": "Có người lạ đột nhập"}
    r = gateway.post("/api/v1/tips", json={**base, "received_at": "2024-01-01T08:00:00+07:00"})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "received_at"
    for field, value in (("status", "valuable"), ("tip_id", "T-CHOSEN"), ("version", 9)):
        r = gateway.post("/api/v1/tips", json={**base, field: value})
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == field


def test_no_role_escalation_through_users(gateway, admin, people, make_user):
    commander = make_user("sec.commander_a", "commander", WARD_A)
    escalate = {"username": "sec.escalated", "password": "long-enough-password", "role": "admin", "unit_code": "38"}
    for headers in (commander, people["officer_a"]):
        assert gateway.post("/api/v1/users", headers=headers, json=escalate).status_code == 403
    r = gateway.post("/api/v1/users", headers=admin, json={**escalate, "role": "superuser"})
    assert r.status_code == 422
    r = gateway.post("/api/v1/users", headers=admin, json={**escalate, "revoked": False, "password_hash": "x"})
    assert r.status_code == 422


@pytest.mark.parametrize("path,body", [
    ("/api/v1/cases", {"title": "t", "unit_code": WARD_A, "tip_ids": ["T-1"], "status": "clarified"}),
    ("/api/v1/cases", {"title": "t", "unit_code": WARD_A, "tip_ids": ["T-1"], "opened_by": {"username": "x"}}),
    ("/api/v1/tips/T-1/decision", {"outcome": "valuable", "actor": {"username": "chief", "role": "admin"}}),
    ("/api/v1/extractions/E-1/custody", {"action": "viewed", "actor": {"username": "someone"}}),
])
def test_server_set_fields_are_refused_in_bodies(gateway, people, path, body):
    assert gateway.post(path, headers=people["officer_a"], json=body).status_code == 422


# API8/API10: no operator injection into MongoDB filters.

OPERATOR = '{"$ne": null}'
FILTERS = [("/api/v1/tips", p) for p in ("unit_code", "status", "channel", "programme_code", "from", "to")] + [
    ("/api/v1/cases", p) for p in ("unit_code", "status")] + [
    ("/api/v1/cameras", p) for p in ("unit_code", "programme_code", "status", "owner_kind", "near")] + [
    ("/api/v1/extractions", p) for p in ("unit_code", "camera_id", "case_id", "tip_id")] + [
    ("/api/v1/stats/tips", p) for p in ("unit_code", "channel", "programme_code", "category", "group_by")] + [
    ("/api/v1/queue", "unit_code"), ("/api/v1/stats/cameras", "unit_code"), ("/api/v1/audit", "action")]


@pytest.mark.parametrize("path,param", FILTERS)
def test_operators_in_filters_are_plain_values(gateway, admin, people, ward_b, path, param):
    headers = admin if path == "/api/v1/audit" else people["officer_a"]
    base = {"service": "intake"} if path == "/api/v1/audit" else {}
    for query in ({param: OPERATOR}, {param: '{"$gt": ""}'}, {f"{param}[$ne]": "x"}, {f"{param}[$regex]": ".*"}):
        r = gateway.get(path, params={**base, **query}, headers=headers)
        assert r.status_code in (200, 422), (query, r.status_code, r.text)
        assert WARD_B not in r.text and ward_b["tip_id"] not in r.text
        if r.status_code == 200 and "$" in str(query.get(param, "")) and "items" in r.json():
            assert r.json()["items"] == [], (query, r.text)  # the operator matched as a literal, or nothing


@pytest.mark.parametrize("path,body", [
    ("/api/v1/tips", {"channel": "web", "unit_code": {"$ne": ""}, "content": "x"}),
    ("/api/v1/tips", {"channel": {"$in": ["hotline"]}, "unit_code": WARD_A, "content": "x"}),
    ("/api/v1/tips/T-1/decision", {"outcome": {"$ne": ""}}),
    ("/api/v1/cases", {"title": "t", "unit_code": WARD_A, "tip_ids": [{"$ne": ""}]}),
    ("/api/v1/cases", {"title": "t", "unit_code": {"$gt": ""}, "tip_ids": ["T-1"]}),
    ("/api/v1/extractions", {"camera_id": {"$ne": ""}, "case_id": "C-1", "reason": "r",
                             "time_from": "2026-01-01T00:00:00Z", "time_to": "2026-01-01T01:00:00Z"}),
])
def test_operators_in_json_bodies_are_refused(gateway, people, path, body):
    r = gateway.post(path, headers=people["officer_a"], json=body)
    assert r.status_code == 422, r.text


def test_operators_in_ids_and_logins_match_nothing(gateway, people, ward_b):
    for path in ('/api/v1/tips/{"$ne": null}', "/api/v1/cases/%7B%22%24ne%22%3A1%7D",
                 '/api/v1/extractions/{"$gt": ""}', '/api/v1/cameras/{"$ne": null}'):
        assert gateway.get(path, headers=people["officer_a"]).status_code == 404
    assert gateway.get('/api/v1/receipts/{"$ne": null}').status_code == 404
    r = gateway.post("/api/v1/auth/token", data={"username": '{"$ne": null}', "password": '{"$ne": null}'},
                     headers={"X-Forwarded-For": "198.51.100.77"})
    assert r.status_code == 401
    r = gateway.post("/api/v1/auth/token", data={"username[$ne]": "x", "password[$ne]": "x"},
                     headers={"X-Forwarded-For": "198.51.100.77"})
    assert r.status_code == 422

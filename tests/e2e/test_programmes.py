"""The programme registry through the gateway on the real system: registration (201, then 409
for the same code), every bad field named (422), roles and units (403), the list's filters,
paging and scope, and the `programme.registered` event reaching the statistics, which then name
the programme. Ward 15913 (phường Tào Xuyên, district 380) is this module's."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from services.common.times import VIETNAM

from tests.conftest import eventually

WARD, DISTRICT = "15913", "380"


def code(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def body(**changes) -> dict:
    return {"code": code("CNMT"), "name": "Công nhân môi trường - chiến sĩ tuần tra Tào Xuyên",
            "kind": "environment_workers", "unit_code": WARD, "launched_at": "2023-05-01", "members": 40,
            **changes}


@pytest.fixture(scope="module")
def commander(make_user):
    return make_user("chihuy.prog.380", "commander", DISTRICT)


@pytest.fixture(scope="module")
def ward_clerk(make_user):
    return make_user("tiepnhan.prog.15913", "clerk", WARD)


def test_a_commander_registers_a_programme_once(gateway, commander, ward_clerk):
    wanted = body()
    r = gateway.post("/api/v1/programmes", json=wanted, headers=commander)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["code"] == wanted["code"] and made["unit_path"] == ["38", DISTRICT, WARD]
    assert made["launched_at"] == "2023-04-30T17:00:00Z" and made["members"] == 40
    again = gateway.post("/api/v1/programmes", json={**wanted, "name": "Một tên khác"}, headers=commander)
    assert again.status_code == 409
    assert again.json()["error"]["fields"] == [{"field": "code", "reason": "is taken"}]
    r = gateway.get(f"/api/v1/programmes/{wanted['code']}", headers=ward_clerk)
    assert r.status_code == 200 and r.json()["name"] == wanted["name"]  # the first one stays


@pytest.mark.parametrize("changes, field", [
    ({"code": "cnmt lower"}, "code"), ({"name": ""}, "name"), ({"kind": "football"}, "kind"),
    ({"unit_code": "99999"}, "unit_code"), ({"launched_at": "2999-01-01"}, "launched_at"),
    ({"members": -3}, "members"), ({"members": "forty"}, "members"), ({"surprise": 1}, "surprise"),
])
def test_bad_input_names_the_field_and_changes_nothing(gateway, commander, changes, field):
    wanted = body(**changes)
    r = gateway.post("/api/v1/programmes", json=wanted, headers=commander)
    assert r.status_code == 422, r.text
    assert [f["field"] for f in r.json()["error"]["fields"]] == [field]
    assert all(f["reason"] for f in r.json()["error"]["fields"])
    if field != "code":
        assert gateway.get(f"/api/v1/programmes/{wanted['code']}", headers=commander).status_code == 404


def test_roles_and_units_are_enforced(gateway, commander, ward_clerk, make_user):
    r = gateway.post("/api/v1/programmes", json=body(), headers=ward_clerk)
    assert r.status_code == 403  # clerks read, they do not register
    ward_commander = make_user("chihuy.prog.15913", "commander", WARD)
    outside = body(unit_code="15922")  # another ward of the district
    r = gateway.post("/api/v1/programmes", json=outside, headers=ward_commander)
    assert r.status_code == 403 and r.json()["error"]["fields"] == [{"field": "unit_code", "reason": "outside your unit"}]
    assert gateway.get(f"/api/v1/programmes/{outside['code']}", headers=commander).status_code == 404
    assert gateway.post("/api/v1/programmes", json=body()).status_code == 401


def test_the_list_filters_pages_and_stays_in_scope(gateway, commander, ward_clerk):
    mine = [body(code=code("LGTQ"), kind="neighbourhood", name=f"Tổ liên gia tự quản số {i}") for i in range(3)]
    above = body(code=code("ANCN"), kind="worker_security", unit_code=DISTRICT, name="Tổ an ninh công nhân")
    for b in mine + [above]:
        assert gateway.post("/api/v1/programmes", json=b, headers=commander).status_code == 201
    seen = gateway.get("/api/v1/programmes", params={"kind": "neighbourhood", "page_size": 200}, headers=ward_clerk).json()
    codes = [p["code"] for p in seen["items"]]
    assert {b["code"] for b in mine} <= set(codes) and codes == sorted(codes)
    assert all(p["kind"] == "neighbourhood" and p["unit_code"] == WARD for p in seen["items"])
    everything = gateway.get("/api/v1/programmes", params={"page_size": 200}, headers=ward_clerk).json()
    assert above["code"] not in [p["code"] for p in everything["items"]]  # the district's is above the ward
    first = gateway.get("/api/v1/programmes", params={"kind": "neighbourhood", "page_size": 2}, headers=ward_clerk).json()
    second = gateway.get("/api/v1/programmes", params={"kind": "neighbourhood", "page_size": 2, "page": 2},
                         headers=ward_clerk).json()
    assert first["total"] == second["total"] >= 3 and len(first["items"]) == 2
    assert not {p["code"] for p in first["items"]} & {p["code"] for p in second["items"]}
    district = gateway.get("/api/v1/programmes", params={"unit_code": DISTRICT, "page_size": 200}, headers=commander).json()
    assert {b["code"] for b in mine + [above]} <= {p["code"] for p in district["items"]}
    assert gateway.get("/api/v1/programmes", params={"unit_code": DISTRICT}, headers=ward_clerk).status_code == 403
    assert gateway.get("/api/v1/programmes", params={"kind": "choir"}, headers=ward_clerk).status_code == 422
    assert gateway.get("/api/v1/programmes", params={"page_size": 500}, headers=ward_clerk).status_code == 422


def test_statistics_by_programme_name_the_registered_programme(gateway, commander, ward_clerk, make_user):
    wanted = body(code=code("CAMERA"), kind="camera", name="Camera giám sát ANTT phường Tào Xuyên")
    assert gateway.post("/api/v1/programmes", json=wanted, headers=commander).status_code == 201
    other = code("ZZ")  # a code nobody registered: the tip is still accepted
    for programme_code in (wanted["code"], other):
        r = gateway.post("/api/v1/tips", headers=ward_clerk, json={
            "channel": "programme", "unit_code": WARD, "programme_code": programme_code,
            "content": "Thành viên mô hình phát hiện người lạ cạy cửa kho hàng lúc nửa đêm"})
        assert r.status_code == 202, r.text

    def named():
        found = gateway.get("/api/v1/stats/tips", params={"unit_code": WARD, "group_by": "programme"},
                            headers=commander).json()
        groups = {g["key"]: g for g in found["groups"]}
        return groups if wanted["code"] in groups and other in groups and groups[wanted["code"]]["name"] else None
    groups = eventually(named, 60)
    assert groups[wanted["code"]]["name"] == wanted["name"] and groups[wanted["code"]]["kind"] == "camera"
    assert groups[wanted["code"]]["received"] == 1
    assert groups[other]["name"] is None and groups[other]["received"] == 1
    year = datetime.now(VIETNAM).year  # the tips were received just now
    report = gateway.get("/api/v1/reports/summary", params={"unit_code": WARD, "year": year, "format": "json"},
                         headers=commander).json()
    assert report["programmes"][wanted["code"]]["name"] == wanted["name"]
    assert any(wanted["name"] in p for p in report["paragraphs"])
    table = gateway.get("/api/v1/reports/summary", params={"unit_code": WARD, "year": year, "format": "md"},
                        headers=commander).text
    assert f"| {wanted['code']} | {wanted['name']} | 1 |" in table and f"| {other} | {other} | 1 |" in table

"""Camera-extraction through the gateway on the real broker and database: geo search, footage
at risk, bad input that changes nothing, and a manifest the offline verifier accepts until any
one byte changes."""
from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timedelta, timezone

import pytest

from services.common import contracts
from services.extraction import verify
from tests.conftest import eventually
from tests.integration.conftest import read_all

WARD, OTHER_WARD = "14797", "14800"  # used by this module only
CENTER = (19.8000, 105.7700)
M_PER_DEG_LON = 6378100 * math.pi / 180 * math.cos(math.radians(CENTER[0]))


@pytest.fixture(scope="module")
def operator(make_user):
    return make_user("op.ext.14797", "camera_operator", WARD)


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.ext.380", "officer", "380")


def camera(camera_id, east_m=0.0, unit_code=WARD, **fields):
    return {"camera_id": camera_id, "unit_code": unit_code, "programme_code": "CAMERA-ANTT",
            "location": {"lat": CENTER[0], "lon": CENTER[1] + east_m / M_PER_DEG_LON},
            "owner": {"kind": "household", "name": "Lê Thị Hoa", "contact": "0912 000 111"},
            "retention_days": 30, "installed_at": "2025-01-01T00:00:00+07:00", **fields}


def register(gateway, headers, body):
    r = gateway.post("/api/v1/cameras", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def geo_cameras(gateway, operator):
    for camera_id, east in (("GEO-0", 0), ("GEO-100", 100), ("GEO-490", 490), ("GEO-510", 510),
                            ("GEO-2000", 2000)):
        register(gateway, operator, camera(camera_id, east))


def test_geo_search_returns_exactly_the_cameras_in_the_radius_nearest_first(gateway, operator, officer, geo_cameras):
    r = gateway.get("/api/v1/cameras", params={"near": f"{CENTER[0]},{CENTER[1]}", "radius_m": 500,
                                                "programme_code": "CAMERA-ANTT"}, headers=officer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [c["camera_id"] for c in body["items"]] == ["GEO-0", "GEO-100", "GEO-490"]
    assert body["total"] == 3
    assert abs(body["items"][2]["distance_m"] - 490) < 1
    assert "contact" not in body["items"][0]["owner"]  # officers do not see the owner's contact
    mine = gateway.get("/api/v1/cameras/GEO-0", headers=operator).json()
    assert mine["owner"]["contact"] == "0912 000 111"


def test_the_registry_is_scoped_to_the_callers_unit(gateway, operator, make_user):
    other = make_user("op.ext.14800", "camera_operator", OTHER_WARD)
    r = gateway.post("/api/v1/cameras", json=camera("FOREIGN-1", unit_code=WARD), headers=other)
    assert r.status_code == 403 and r.json()["error"]["fields"][0]["field"] == "unit_code"
    register(gateway, other, camera("OTHER-1", 50, unit_code=OTHER_WARD))
    seen = gateway.get("/api/v1/cameras", params={"near": f"{CENTER[0]},{CENTER[1]}", "radius_m": 5000},
                       headers=operator).json()
    assert "OTHER-1" not in {c["camera_id"] for c in seen["items"]}
    assert gateway.get("/api/v1/cameras/OTHER-1", headers=operator).status_code == 403
    assert gateway.post("/api/v1/cameras", json=camera("OTHER-1", unit_code=OTHER_WARD),
                        headers=other).status_code == 409


def test_footage_at_risk_at_the_retention_edges(gateway, operator):
    at = datetime.now(timezone.utc) - timedelta(days=10)
    for camera_id, fields in (
            ("RISK-GONE", {"retention_days": 10}),  # at + 10 days is already past when asked
            ("RISK-11", {"retention_days": 11}), ("RISK-40", {"retention_days": 40}),
            ("RISK-BROKEN", {"retention_days": 40, "status": "broken"}),
            ("RISK-LATE", {"retention_days": 40, "installed_at": (at + timedelta(seconds=1)).isoformat()}),
            ("RISK-ON-TIME", {"retention_days": 20, "installed_at": at.isoformat()})):
        register(gateway, operator, {**camera(camera_id, 20), "location": {"lat": 19.9, "lon": 105.9}, **fields})
    r = gateway.get("/api/v1/cameras/at-risk", headers=operator,
                    params={"lat": 19.9, "lon": 105.9, "radius_m": 300, "at": at.isoformat()})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [c["camera_id"] for c in items] == ["RISK-11", "RISK-ON-TIME", "RISK-40"]
    assert items[0]["expires_at"].startswith((at + timedelta(days=11)).date().isoformat())


def extraction(**fields):
    return {"camera_id": "GEO-0", "case_id": "C-EXT-1", "reason": "Trích xuất phục vụ vụ trộm xe máy",
            "time_from": "2026-03-01T20:00:00+07:00", "time_to": "2026-03-01T20:30:00+07:00",
            "extracted_at": "2026-03-02T09:00:00+07:00", "clock_offset_s": -95, "export_method": "usb",
            **fields}


def total_extractions(gateway, headers):
    return gateway.get("/api/v1/extractions", params={"unit_code": WARD}, headers=headers).json()["total"]


@pytest.mark.parametrize("fields, status, field", [
    ({"time_to": "2026-03-01T19:00:00+07:00"}, 422, "time_to"),
    ({"files": [{"name": "a.mp4", "size": 10, "sha256": "abc123"}]}, 422, "files.0.sha256"),
    ({"camera_id": "NO-SUCH-CAMERA"}, 422, "camera_id"),
    ({"camera_id": "OTHER-1"}, 403, "camera_id"),
])
def test_bad_extractions_get_a_4xx_naming_the_field_and_change_nothing(gateway, operator, geo_cameras,
                                                                       fields, status, field):
    before = total_extractions(gateway, operator)
    r = gateway.post("/api/v1/extractions", json=extraction(**fields), headers=operator)
    assert r.status_code == status, r.text
    assert field in {f["field"] for f in r.json()["error"]["fields"]}
    assert total_extractions(gateway, operator) == before


def test_a_manifest_verifies_until_any_one_byte_changes(gateway, operator, officer, geo_cameras, stack,
                                                        tmp_path, capsys):
    registered = b"footage kept on the operator's drive"
    on_media = tmp_path / "kept.mp4"
    on_media.write_bytes(registered)
    r = gateway.post("/api/v1/extractions", headers=operator, json=extraction(files=[
        {"name": "kept.mp4", "size": len(registered), "sha256": hashlib.sha256(registered).hexdigest()}]))
    assert r.status_code == 201, r.text
    xid = r.json()["extraction_id"]
    uploaded = tmp_path / "cam-0.mp4"
    uploaded.write_bytes(bytes(range(256)) * 400)
    with uploaded.open("rb") as f:
        up = gateway.post(f"/api/v1/extractions/{xid}/files", headers=operator, files={"file": ("cam-0.mp4", f)})
    assert up.status_code == 201, up.text
    assert up.json()["details"]["file"]["sha256"] == hashlib.sha256(uploaded.read_bytes()).hexdigest()
    for to in ({"to_person": "Trung úy Nguyễn Văn C"}, {"to_unit_code": "380"}):
        t = gateway.post(f"/api/v1/extractions/{xid}/custody", headers=officer, json={"action": "transferred", **to})
        assert t.status_code == 201, t.text
    manifest = gateway.get(f"/api/v1/extractions/{xid}/manifest", headers=officer).json()
    assert [e["action"] for e in manifest["custody"]] == ["created", "file_added", "file_added",
                                                         "transferred", "transferred"]
    public = gateway.get("/api/v1/extractions/manifest-key", headers=officer).json()["public_key"]
    path = tmp_path / "manifest.json"

    def check(doc, files=(on_media, uploaded)):
        path.write_text(json.dumps(doc, ensure_ascii=False))
        code = verify.main([str(path), *map(str, files), "--public-key", public])
        return code, capsys.readouterr().out

    assert check(manifest)[0] == 0
    changed = bytearray(uploaded.read_bytes())
    changed[1000] ^= 0x01
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "cam-0.mp4").write_bytes(bytes(changed))
    code, out = check(manifest, (on_media, tmp_path / "bad" / "cam-0.mp4"))
    assert code == 1 and out.startswith("MISMATCH file cam-0.mp4: sha256 is")
    entry = json.loads(json.dumps(manifest))
    entry["custody"][3]["details"]["to_person"] = "Trung úy Nguyễn Văn D"
    code, out = check(entry)
    assert code == 1 and "custody entry 4 (transferred): content does not match" in out
    signature = json.loads(json.dumps(manifest))
    value = signature["signature"]["value"]
    signature["signature"]["value"] = ("B" if value[0] == "A" else "A") + value[1:]
    code, out = check(signature)
    assert (code, out.strip()) == (1, "MISMATCH signature: does not match the manifest's content")

    viewed = gateway.get(f"/api/v1/extractions/{xid}", headers=officer).json()
    assert viewed["custody_length"] == 6 and viewed["clock_offset_s"] == -95
    topic = contracts.topic("extractions").name

    def events():
        # at-least-once: the request's flush and the background sweep may both publish an
        # event; consumers dedupe on the event id, and so does this check
        found: dict[str, contracts.Event] = {}
        for r in read_all(stack.bootstrap, topic):
            if r.key == xid.encode():
                event = contracts.decode(r.value)
                found.setdefault(event.id, event)
        return list(found.values()) if len(found) == 7 else None
    published = eventually(events)
    assert [e.type for e in published][0] == "extraction.logged"
    assert [e.data["seq"] for e in published[1:]] == [1, 2, 3, 4, 5, 6]
    assert "Trích xuất" not in json.dumps([e.to_dict() for e in published], ensure_ascii=False)


def test_camera_events_carry_no_owner_details(stack, geo_cameras):
    records = eventually(lambda: [r for r in read_all(stack.bootstrap, contracts.topic("cameras").name)
                                  if r.key == b"GEO-490"])
    event = contracts.decode(records[0].value)
    assert event.data["owner_kind"] == "household"
    assert "Lê Thị Hoa" not in records[0].value.decode() and "0912" not in records[0].value.decode()

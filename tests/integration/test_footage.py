"""Issue 6's last parts on the real stack, through the gateway: "footage at risk" for a whole
case, changes of a registered camera (their event, applied by aggregation whatever the order or
repetition, and rebuilt the same), and footage uploads far beyond the usual body limit, streamed
through the gateway up to its own limit (EXTRACTION_FILE_MAX_BYTES)."""
from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import socket
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from aiokafka.partitioner import DefaultPartitioner

from services.aggregation.rebuild import rebuild
from services.common import contracts
from services.common.settings import ServiceSettings
from services.devstack.processes import Child, free_port
from services.devstack.stack import ROOT
from services.extraction import verify
from tests.conftest import eventually
from tests.integration.conftest import database, produce, read_all

WARD, OTHER_WARD = "15850", "15859"  # used by this module only (15856 belongs to test_import.py)
P1 = (19.8624, 105.7447)  # tip A's place; tip B's is 600 m east of it
M_PER_DEG_LON = 6378100 * math.pi / 180 * math.cos(math.radians(P1[0]))
SMALL_LIMIT = 1024 * 1024  # EXTRACTION_FILE_MAX_BYTES of the second gateway
SLACK = 64 * 1024  # the multipart framing a file's upload may add


@pytest.fixture(scope="module")
def people(make_user) -> dict[str, dict[str, str]]:
    return {"operator": make_user("op.ftg.15850", "camera_operator", WARD),
            "other_operator": make_user("op.ftg.15859", "camera_operator", OTHER_WARD),
            "officer": make_user("canbo.ftg.15850", "officer", WARD),
            "other_officer": make_user("canbo.ftg.15859", "officer", OTHER_WARD),
            "district": make_user("canbo.ftg.380", "officer", "380")}


def place(east_m: float) -> dict:
    return {"lat": P1[0], "lon": P1[1] + east_m / M_PER_DEG_LON}


def register(gateway, headers, camera_id, east_m=0.0, unit_code=WARD, **fields) -> dict:
    body = {"camera_id": camera_id, "unit_code": unit_code, "location": place(east_m),
            "owner": {"kind": "business", "name": "Cửa hàng Thiệu Vân", "contact": "0912 345 678"},
            "retention_days": 30, "installed_at": "2025-01-01T00:00:00+07:00", **fields}
    r = gateway.post("/api/v1/cameras", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def tip(gateway, officer, days_ago: float | None, east_m: float | None) -> str:
    body = {"channel": "hotline", "unit_code": WARD, "content": "Trộm xe máy ở chợ Thiệu Vân"}
    if east_m is not None:
        body["location"] = place(east_m)
    if days_ago is not None:
        body["occurred_at"] = (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat()
    r = gateway.post("/api/v1/tips", json=body, headers=officer)
    assert r.status_code == 202, r.text
    tip_id = r.json()["tip_id"]
    eventually(lambda: gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).status_code == 200)
    r = gateway.post(f"/api/v1/tips/{tip_id}/decision", json={"outcome": "valuable"}, headers=officer)
    assert r.status_code == 200, r.text
    return tip_id


def open_case(gateway, officer, tip_ids) -> str:
    r = gateway.post("/api/v1/cases", headers=officer,
                     json={"title": "Trộm xe máy ở chợ Thiệu Vân", "unit_code": WARD, "tip_ids": tip_ids})
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


@pytest.fixture(scope="module")
def case(gateway, people) -> dict:
    """A case of three tips: A (10 days ago, at P1), B (3 days ago, 600 m east), C (no place),
    and the cameras around them."""
    operator, officer = people["operator"], people["officer"]
    for camera_id, east, fields in (
            ("FTG-MID", 300, {"programme_code": "CAMERA-FTG"}),  # 300 m from both tips
            ("FTG-A1", 0, {"retention_days": 12}),
            ("FTG-A-GONE", 0, {"retention_days": 8}),  # footage of 10 days ago is overwritten
            ("FTG-B1", 600, {"retention_days": 7}),
            ("FTG-B-BROKEN", 600, {"retention_days": 60, "status": "broken"})):
        register(gateway, operator, camera_id, east, **fields)
    register(gateway, people["other_operator"], "FTG-OTHER", 600, OTHER_WARD, retention_days=60)
    tips = {"A": tip(gateway, officer, 10, 0), "B": tip(gateway, officer, 3, 600), "C": tip(gateway, officer, None, None)}
    return {"case_id": open_case(gateway, officer, [tips["A"], tips["B"], tips["C"]]), "tips": tips,
            "nowhere": open_case(gateway, officer, [tip(gateway, officer, 2, None)])}


def at_risk(gateway, headers, **params) -> httpx.Response:
    return gateway.get("/api/v1/cameras/at-risk", params={"radius_m": 400, **params}, headers=headers)


def test_footage_at_risk_for_a_case_merges_its_tips_one_row_per_camera(gateway, people, case):
    r = at_risk(gateway, people["officer"], case_id=case["case_id"])
    assert r.status_code == 200, r.text
    body, tips = r.json(), case["tips"]
    assert [(c["camera_id"], c["tip_ids"]) for c in body["items"]] == [
        ("FTG-A1", [tips["A"]]), ("FTG-B1", [tips["B"]]), ("FTG-MID", [tips["A"], tips["B"]])]
    assert [(t["tip_id"], t["cameras"]) for t in body["tips"]] == [(tips["A"], 2), (tips["B"], 2)]
    assert body["tips_without_location"] == [tips["C"]] and body["case_id"] == case["case_id"]
    at = {t["tip_id"]: datetime.fromisoformat(t["at"]) for t in body["tips"]}
    middle = body["items"][2]  # kept 30 days: tip A's footage goes first
    assert datetime.fromisoformat(middle["expires_at"]) == at[tips["A"]] + timedelta(days=30)
    assert [datetime.fromisoformat(c["expires_at"]) for c in middle["covers"]] == [
        at[tips["A"]] + timedelta(days=30), at[tips["B"]] + timedelta(days=30)]
    assert middle["owner"]["kind"] == "business" and "contact" not in middle["owner"]
    wider = at_risk(gateway, people["district"], case_id=case["case_id"]).json()  # the district sees 15859 too
    assert [c["camera_id"] for c in wider["items"]] == ["FTG-A1", "FTG-B1", "FTG-MID", "FTG-OTHER"]


def test_footage_at_risk_for_a_case_refuses_what_it_cannot_answer(gateway, people, case):
    r = at_risk(gateway, people["officer"], case_id=case["nowhere"])
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "case_id"
    assert at_risk(gateway, people["officer"], case_id="C-NO-SUCH-CASE").status_code == 404
    assert at_risk(gateway, people["other_officer"], case_id=case["case_id"]).status_code == 403  # another ward
    assert at_risk(gateway, people["operator"], case_id=case["case_id"]).status_code == 403  # not a case role
    for params, field in (({"tip_id": case["tips"]["A"]}, "case_id"), ({"at": "2026-01-01T00:00:00Z"}, "at")):
        r = at_risk(gateway, people["officer"], case_id=case["case_id"], **params)
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == field


# Camera changes.

def camera_events(stack, camera_id: str) -> list[contracts.Event]:
    found: dict[str, contracts.Event] = {}  # at least once: dedupe on the event id
    for record in read_all(stack.bootstrap, contracts.topic("cameras").name):
        if record.key == camera_id.encode():
            event = contracts.decode(record.value)
            found.setdefault(event.id, event)
    return list(found.values())


def fact(stack, camera_id: str) -> dict | None:
    client, db = database(stack, "aggregation")
    try:
        return db.camera_facts.find_one({"_id": camera_id})
    finally:
        client.close()


@pytest.fixture(scope="module")
def changed(gateway, people, stack) -> dict:
    """Two cameras of 15859 in programmes A and B, both in the read model; then camera 1 breaks
    and camera 2 moves to programme A."""
    operator = people["other_operator"]
    for camera_id, programme in (("FTG-P1", "FTG-PROG-A"), ("FTG-P2", "FTG-PROG-B")):
        register(gateway, operator, camera_id, 5000, OTHER_WARD, programme_code=programme)
        eventually(lambda camera_id=camera_id: fact(stack, camera_id))
    before = gateway.get("/api/v1/stats/cameras", params={"unit_code": OTHER_WARD}, headers=people["district"]).json()
    at = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    near = {"lat": place(5000)["lat"], "lon": place(5000)["lon"], "at": at, "radius_m": 50}
    risky = at_risk(gateway, operator, **near).json()["items"]
    answers = [gateway.patch("/api/v1/cameras/FTG-P1", json={"status": "broken"}, headers=operator),
               gateway.patch("/api/v1/cameras/FTG-P2", json={"programme_code": "FTG-PROG-A", "retention_days": 10},
                             headers=operator)]
    return {"before": before, "risky_before": risky, "answers": answers,
            "risky_after": at_risk(gateway, operator, **near).json()["items"]}


def test_a_camera_change_is_answered_with_its_next_version_and_leaves_the_at_risk_list(changed):
    broke, moved = changed["answers"]
    assert broke.status_code == 200, broke.text
    assert (broke.json()["status"], broke.json()["version"]) == ("broken", 2) and broke.json()["updated_at"]
    assert (moved.json()["programme_code"], moved.json()["retention_days"], moved.json()["version"]) == (
        "FTG-PROG-A", 10, 2)
    assert {c["camera_id"] for c in changed["risky_before"]} == {"FTG-P1", "FTG-P2"}
    assert [c["camera_id"] for c in changed["risky_after"]] == ["FTG-P2"]  # broken cameras keep nothing


def test_a_camera_change_sends_one_event_and_the_read_model_follows(gateway, people, stack, changed):
    operator = people["other_operator"]
    again = gateway.patch("/api/v1/cameras/FTG-P1", json={"status": "broken"}, headers=operator)
    assert again.status_code == 200 and again.json()["version"] == 2  # nothing changed, no event
    events = eventually(lambda: (found := camera_events(stack, "FTG-P1")) and len(found) >= 2 and found)
    assert [(e.type, e.data.get("version")) for e in events] == [("camera.registered", None), ("camera.updated", 2)]
    assert events[1].data["changed"] == ["status"] and events[1].data["status"] == "broken"
    assert "Thiệu Vân" not in json.dumps(events[1].to_dict(), ensure_ascii=False)
    eventually(lambda: (f := fact(stack, "FTG-P2")) and f["version"] == 2)
    assert (fact(stack, "FTG-P1")["status"], fact(stack, "FTG-P2")["programme_code"]) == ("broken", "FTG-PROG-A")
    stats = eventually(lambda: (s := gateway.get("/api/v1/stats/cameras", params={"unit_code": OTHER_WARD},
                                                 headers=people["district"]).json())
                       and s["camera_programmes"] == changed["before"]["camera_programmes"] - 1 and s)
    assert stats["cameras"] == changed["before"]["cameras"]
    assert stats["cameras_broken"] == changed["before"]["cameras_broken"] + 1  # FTG-P1


@pytest.mark.parametrize("who, camera_id, body, status, field", [
    ("other_operator", "FTG-P1", {"status": "stolen"}, 422, "status"),
    ("other_operator", "FTG-P1", {}, 422, "body"),
    ("other_operator", "FTG-P1", {"retention_days": None}, 422, "retention_days"),
    ("other_operator", "FTG-P1", {"retention_days": 0}, 422, "retention_days"),
    ("other_operator", "FTG-P1", {"unit_code": WARD}, 422, "unit_code"),
    ("other_operator", "FTG-P1", {"status": "working", "version": 1}, 409, "version"),  # it is at 2
    ("other_operator", "FTG-NO-SUCH", {"status": "working"}, 404, None),
    ("operator", "FTG-P1", {"status": "working"}, 403, None),  # another ward's camera
    ("district", "FTG-P1", {"status": "working"}, 403, None),  # officers do not manage cameras
])
def test_a_bad_camera_change_is_refused_and_changes_nothing(gateway, people, changed, who, camera_id, body,
                                                            status, field):
    r = gateway.patch(f"/api/v1/cameras/{camera_id}", json=body, headers=people[who])
    assert r.status_code == status, r.text
    if field:
        assert field in {f["field"] for f in r.json()["error"]["fields"]}
    camera = gateway.get("/api/v1/cameras/FTG-P1", headers=people["other_operator"]).json()
    assert (camera["status"], camera["version"], camera["retention_days"]) == ("broken", 2, 30)


def same_partition_as(camera_id: str) -> str:
    """A camera id whose events go to the same partition of `cameras` as `camera_id`'s."""
    partitions = list(range(contracts.topic("cameras").partitions))
    choose = DefaultPartitioner()
    target = choose(camera_id.encode(), partitions, partitions)
    return next(f"FTG-S{n}" for n in range(1000) if choose(f"FTG-S{n}".encode(), partitions, partitions) == target)


def test_older_and_repeated_camera_events_change_nothing_live_or_rebuilt(gateway, people, stack, changed):
    operator = people["other_operator"]
    r = gateway.patch("/api/v1/cameras/FTG-P2", json={"status": "broken"}, headers=operator)
    assert r.json()["version"] == 3
    eventually(lambda: (f := fact(stack, "FTG-P2")) and f["version"] == 3)
    old = eventually(lambda: (found := camera_events(stack, "FTG-P2")) and len(found) == 3 and found)
    # the registration and version 2 delivered again after version 3, then a camera whose
    # events share the partition: once it is counted, the old ones have been applied
    produce(stack.bootstrap, contracts.topic("cameras").name, [(b"FTG-P2", e.encode()) for e in old[:2]])
    sentinel = same_partition_as("FTG-P2")
    register(gateway, operator, sentinel, 6000, OTHER_WARD)
    eventually(lambda: fact(stack, sentinel))
    live = fact(stack, "FTG-P2")
    assert (live["version"], live["status"], live["programme_code"]) == (3, "broken", "FTG-PROG-A")

    target = f"{stack.service_env()['MONGO_DB_PREFIX']}_rebuilt_footage"
    asyncio.run(rebuild(ServiceSettings(**stack.service_env()), target, drop=True, progress=lambda _: None))
    client, _ = database(stack, "aggregation")
    try:
        ids = ["FTG-P1", "FTG-P2", sentinel, "FTG-MID", "FTG-B-BROKEN"]
        rebuilt = {d["_id"]: d for d in client[target].camera_facts.find({"_id": {"$in": ids}})}
        assert rebuilt == {i: fact(stack, i) for i in ids}
    finally:
        client.close()


# Footage uploads through the gateway.

@pytest.fixture(scope="module")
def extraction_id(gateway, people, case) -> str:
    now = datetime.now(timezone.utc)
    r = gateway.post("/api/v1/extractions", headers=people["operator"], json={
        "camera_id": "FTG-MID", "case_id": case["case_id"], "reason": "Trích xuất cho vụ trộm xe máy",
        "time_from": (now - timedelta(days=10, hours=1)).isoformat(), "time_to": (now - timedelta(days=10)).isoformat()})
    assert r.status_code == 201, r.text
    return r.json()["extraction_id"]


def stored_dir(stack, extraction_id: str) -> Path:
    env = stack.service_env()
    return ROOT / env.get("ANTT_EXTRACTION_FILES_DIR", ".cache/extraction-files") / env["MONGO_DB_PREFIX"] / extraction_id


def footage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def memory(stack, service: str, reset: bool = False) -> dict[str, int]:
    """The service's resident memory now (VmRSS) and its peak (VmHWM) since the last `reset`."""
    proc = Path(f"/proc/{stack.services[service].proc.pid}")
    if reset:
        (proc / "clear_refs").write_text("5")  # the peak starts again from the current size
    fields = dict(line.split(":", 1) for line in (proc / "status").read_text().splitlines())
    return {k: int(fields[k].split()[0]) * 1024 for k in ("VmRSS", "VmHWM")}  # given in kB


def test_a_file_of_some_mib_streams_through_the_gateway_and_its_manifest_verifies(
        gateway, people, stack, extraction_id, tmp_path, capsys):
    data = footage(24 * 1024 * 1024 + 17, seed=6)  # about a hundred times ANTT_MAX_BODY_BYTES
    path = tmp_path / "cho-thieu-van.mp4"
    path.write_bytes(data)
    before = memory(stack, "gateway", reset=True)
    with path.open("rb") as f:
        r = gateway.post(f"/api/v1/extractions/{extraction_id}/files", headers=people["operator"],
                         files={"file": (path.name, f, "video/mp4")})
    assert r.status_code == 201, r.text
    grown, half = memory(stack, "gateway")["VmHWM"] - before["VmRSS"], len(data) // 2
    assert grown < half  # the gateway never held the file
    sha = hashlib.sha256(data).hexdigest()
    assert r.json()["details"]["file"] == {"name": path.name, "size": len(data), "sha256": sha, "stored": True}
    assert hashlib.sha256((stored_dir(stack, extraction_id) / sha).read_bytes()).hexdigest() == sha
    manifest = gateway.get(f"/api/v1/extractions/{extraction_id}/manifest", headers=people["officer"]).json()
    key = gateway.get("/api/v1/extractions/manifest-key", headers=people["officer"]).json()["public_key"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    assert verify.main([str(tmp_path / "manifest.json"), str(path), "--public-key", key]) == 0
    assert "OK: signature" in capsys.readouterr().out


@pytest.fixture(scope="module")
def small_gateway(stack) -> int:
    """A second gateway on the session's services whose uploads of footage stop at 1 MiB."""
    port = free_port()
    child = Child("gateway-small-files", [sys.executable, "-m", "services", "gateway"],
                  stack.workdir / "services" / "gateway-small-files.log",
                  env={**stack.service_env(), "GATEWAY_PORT": str(port), "EXTRACTION_FILE_MAX_BYTES": str(SMALL_LIMIT)},
                  cwd=ROOT)
    child.start()
    try:
        child.wait_until(lambda: _live(port), 60, "serving HTTP")
        yield port
    finally:
        child.stop()


def _live(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def raw_post(port: int, path: str, headers: dict[str, str], parts: list[bytes]) -> tuple[int, dict]:
    """Send a request piece by piece on a socket and read the answer (status, JSON body), so a
    refusal is read even though the body was never (or not wholly) sent."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: test\r\n{head}\r\n".encode())
        for part in parts:
            s.sendall(part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += s.recv(65536)
        top, _, rest = answer.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in top.split(b"\r\n") if line.lower().startswith(b"content-length"))
        while len(rest) < length:
            rest += s.recv(65536)
    return int(top.split(b" ")[1]), json.loads(rest[:length])


PREAMBLE = (b'--B\r\nContent-Disposition: form-data; name="file"; filename="too-big.mp4"\r\n'
            b"Content-Type: video/mp4\r\n\r\n")


def files_of(gateway, people, extraction_id) -> list[dict]:
    return gateway.get(f"/api/v1/extractions/{extraction_id}/manifest", headers=people["officer"]).json()["files"]


def test_a_file_of_exactly_the_limit_passes_and_one_beyond_is_413_and_nothing_is_stored(
        gateway, people, stack, extraction_id, small_gateway):
    exact = footage(SMALL_LIMIT, seed=7)
    r = httpx.post(f"http://127.0.0.1:{small_gateway}/api/v1/extractions/{extraction_id}/files",
                   headers=people["operator"], files={"file": ("exact.mp4", exact)}, timeout=60)
    assert r.status_code == 201, r.text
    assert r.json()["details"]["file"]["sha256"] == hashlib.sha256(exact).hexdigest()
    before = files_of(gateway, people, extraction_id)
    on_disk = sorted(p.name for p in stored_dir(stack, extraction_id).iterdir())
    auth = {"Authorization": people["operator"]["Authorization"], "Content-Type": "multipart/form-data; boundary=B"}
    path = f"/api/v1/extractions/{extraction_id}/files"

    # declared too long: refused before a byte of the body is read
    status, body = raw_post(small_gateway, path, {**auth, "Content-Length": str(SMALL_LIMIT + SLACK + 1)}, [])
    assert status == 413 and body["error"]["fields"] == [{"field": "file", "reason": f"at most {SMALL_LIMIT} bytes"}]

    # streamed without a length: cut off at the limit, on its way to camera-extraction already
    data = footage(SMALL_LIMIT + SLACK + 1 - len(PREAMBLE), seed=8)
    pieces = [PREAMBLE] + [data[i:i + 65536] for i in range(0, len(data), 65536)]
    chunks = [b"%x\r\n%s\r\n" % (len(p), p) for p in pieces[:-1]] + [b"%x\r\n%s" % (len(pieces[-1]), pieces[-1])]
    status, body = raw_post(small_gateway, path, {**auth, "Transfer-Encoding": "chunked"}, chunks)
    assert status == 413 and body["error"]["fields"][0]["field"] == "file"

    assert files_of(gateway, people, extraction_id) == before
    eventually(lambda: sorted(p.name for p in stored_dir(stack, extraction_id).iterdir()) == on_disk, 30)


def test_an_upload_refused_before_it_is_read_gets_the_refusal_not_a_gateway_error(gateway, people, extraction_id):
    data = footage(4 * 1024 * 1024, seed=9)  # more than the sockets' buffers hold
    before = files_of(gateway, people, extraction_id)
    for who, target, status in (("operator", "X-NO-SUCH-EXTRACTION", 404), ("other_operator", extraction_id, 403)):
        r = gateway.post(f"/api/v1/extractions/{target}/files", headers=people[who], files={"file": ("x.mp4", data)})
        assert r.status_code == status, r.text
    assert files_of(gateway, people, extraction_id) == before

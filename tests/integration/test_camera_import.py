"""Import of a city's camera registry through the gateway on the real stack: a 2,000-camera CSV
with a few bad rows gives the right counts and names each bad row and field, every camera gets
exactly one `camera.registered` event, a re-import adds nothing, the geo search finds the
imported cameras, and "footage at risk" works from a tip's place and time."""
from __future__ import annotations

import csv
import io
import math
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest

from services.common import contracts
from tests.conftest import eventually
from tests.integration.conftest import database, read_all

WARD, OTHER_WARD = "16384", "16390"  # used by this module only
CENTER = (19.8165, 105.6676)
M_PER_DEG_LAT = 6378100 * math.pi / 180
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(CENTER[0]))
SPACING_M, COLUMNS_, ROWS = 20, 50, 2000
HEADER = ["camera_id", "unit_code", "lat", "lon", "owner_kind", "owner_name", "owner_contact",
          "programme_code", "retention_days", "status", "installed_at"]
BAD = {  # spreadsheet row → (the column to spoil, its bad value)
    101: ("lat", "200"), 502: ("owner_kind", "shop"), 903: ("unit_code", OTHER_WARD),
    1404: ("retention_days", "0"), 1805: ("installed_at", "2099-01-01"),
}


def grid(n: int) -> tuple[int, int]:
    """Camera n's place on a 20 m grid centred on CENTER: (east, north) in steps."""
    return n % COLUMNS_ - COLUMNS_ // 2, n // COLUMNS_ - ROWS // COLUMNS_ // 2


def point(east: float, north: float) -> tuple[float, float]:
    return CENTER[0] + north * SPACING_M / M_PER_DEG_LAT, CENTER[1] + east * SPACING_M / M_PER_DEG_LON


def camera_row(n: int) -> list:
    lat, lon = point(*grid(n))
    return [f"IMP-{WARD}-{n:04d}", WARD, f"{lat:.7f}", f"{lon:.7f}", "business" if n % 3 else "household",
            f"Hộ kinh doanh số {n}", f"0912{n:06d}", "CAMERA-ANTT-DONG-NINH", 10 + n % 60,
            "broken" if n % 7 == 0 else "", "2025-01-01 00:00"]


def registry_csv() -> bytes:
    rows = []
    for n in range(ROWS):
        row = camera_row(n)
        if n + 2 in BAD:
            column, value = BAD[n + 2]
            row[HEADER.index(column)] = value
        rows.append(row)
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


GOOD = {f"IMP-{WARD}-{n:04d}" for n in range(ROWS) if n + 2 not in BAD}


def upload(gateway, headers, name: str, data: bytes):
    return gateway.post("/api/v1/cameras/import", headers=headers, files={"file": (name, data)})


def finished(gateway, headers, job_id: str) -> dict:
    def check():
        job = gateway.get(f"/api/v1/imports/{job_id}", headers=headers)
        assert job.status_code == 200, job.text
        return job.json() if job.json()["status"] in ("done", "failed") else None
    return eventually(check, timeout_s=180, interval_s=0.5)


@pytest.fixture(scope="module")
def operator(make_user):
    return make_user("op.import.16384", "camera_operator", WARD)


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.import.16384", "officer", WARD)


@pytest.fixture(scope="module")
def first_job(gateway, operator) -> dict:
    r = upload(gateway, operator, "camera-dong-ninh.csv", registry_csv())
    assert r.status_code == 202, r.text
    assert r.json()["job_id"].startswith("IC-")
    return finished(gateway, operator, r.json()["job_id"])


def test_the_registry_goes_in_and_bad_rows_are_named_by_row_and_field(first_job):
    assert first_job["status"] == "done", first_job
    assert (first_job["kind"], first_job["total"], first_job["done"], first_job["failed"]) == (
        "cameras", ROWS, ROWS - len(BAD), len(BAD))
    assert first_job["already_imported"] == 0 and first_job["errors_total"] == len(BAD)
    assert {e["row"]: e["field"] for e in first_job["errors"]} == {row: col for row, (col, _) in BAD.items()}
    assert all(e["reason"] for e in first_job["errors"])


def test_each_imported_camera_has_exactly_one_event_and_no_pending_outbox(stack, first_job):
    topic = contracts.topic("cameras").name

    def events():  # at-least-once: a repeat carries the same event id, consumers dedupe on it
        ids: dict[str, set[str]] = {}
        for r in read_all(stack.bootstrap, topic):
            if r.key and r.key.decode() in GOOD:
                ids.setdefault(r.key.decode(), set()).add(contracts.decode(r.value).id)
        return ids if len(ids) == len(GOOD) else None
    assert all(len(found) == 1 for found in eventually(events, timeout_s=60).values())
    client, db = database(stack, "extraction")
    try:
        assert db.cameras.count_documents({"unit_code": WARD}) == len(GOOD)
        eventually(lambda: db.cameras.count_documents({"unit_code": WARD, "outbox.0": {"$exists": True}}) == 0)
    finally:
        client.close()


def test_a_re_import_adds_nothing_and_says_the_rows_were_imported(gateway, operator, first_job):
    r = upload(gateway, operator, "camera-dong-ninh-lan-2.csv", registry_csv())
    assert r.status_code == 202, r.text
    again = finished(gateway, operator, r.json()["job_id"])
    assert (again["status"], again["done"], again["already_imported"], again["failed"]) == (
        "done", len(GOOD), len(GOOD), len(BAD))
    listed = gateway.get("/api/v1/cameras", params={"unit_code": WARD, "page_size": 1}, headers=operator)
    assert listed.json()["total"] == len(GOOD)


def test_the_geo_search_finds_exactly_the_imported_cameras_in_the_radius(gateway, officer, first_job):
    r = gateway.get("/api/v1/cameras", headers=officer,
                    params={"near": f"{CENTER[0]},{CENTER[1]}", "radius_m": 50, "page_size": 200})
    assert r.status_code == 200, r.text
    expected = {f"IMP-{WARD}-{n:04d}" for n in range(ROWS) if sum(d * d for d in grid(n)) <= 6} & GOOD
    assert {c["camera_id"] for c in r.json()["items"]} == expected and r.json()["total"] == 21
    assert "contact" not in r.json()["items"][0]["owner"]


def tip(gateway, officer, **fields) -> str:
    r = gateway.post("/api/v1/tips", headers=officer, json={
        "channel": "hotline", "unit_code": WARD, "content": "Trộm xe máy trước cửa hàng tạp hoá", **fields})
    assert r.status_code == 202, r.text
    tip_id = r.json()["tip_id"]
    eventually(lambda: gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).status_code == 200)
    return tip_id


def test_footage_at_risk_for_a_tip_uses_its_place_and_time(gateway, officer, first_job):
    near = 20 * COLUMNS_ + 7  # a camera of the grid, away from the spoiled rows
    lat, lon = point(*grid(near))
    occurred = datetime.now(timezone.utc) - timedelta(days=50)
    tip_id = tip(gateway, officer, location={"lat": lat, "lon": lon}, occurred_at=occurred.isoformat())
    r = gateway.get("/api/v1/cameras/at-risk", params={"tip_id": tip_id, "radius_m": 30}, headers=officer)
    assert r.status_code == 200, r.text
    east, north = grid(near)
    around = [n for n in range(ROWS) if (grid(n)[0] - east) ** 2 + (grid(n)[1] - north) ** 2 <= 2]
    keep = [n for n in around if n % 7 and 10 + n % 60 > 50]  # working, footage of 50 days ago still kept
    items = r.json()["items"]
    assert r.json()["tip_id"] == tip_id and len(around) == 9
    assert len(keep) == 5  # of the 9: one broken, two whose retention ended, one both
    assert {c["camera_id"] for c in items} == {f"IMP-{WARD}-{n:04d}" for n in keep}
    assert [c["expires_at"] for c in items] == sorted(c["expires_at"] for c in items)
    assert r.json()["at"][:16] == occurred.isoformat()[:16]


def test_footage_at_risk_for_a_tip_without_place_or_unknown_is_refused(gateway, officer, first_job):
    nowhere = tip(gateway, officer)
    r = gateway.get("/api/v1/cameras/at-risk", params={"tip_id": nowhere}, headers=officer)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "tip_id"
    assert gateway.get("/api/v1/cameras/at-risk", params={"tip_id": "T-NO-SUCH-TIP"},
                       headers=officer).status_code == 404
    both = gateway.get("/api/v1/cameras/at-risk", params={"tip_id": nowhere, "lat": 19.8}, headers=officer)
    assert both.status_code == 422 and both.json()["error"]["fields"][0]["field"] == "lat"


def test_an_xlsx_registry_is_imported_and_the_wrong_role_or_header_is_refused(gateway, operator, officer, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([h.upper() for h in HEADER])
    sheet.append([777001, int(WARD), 19.81, 105.66, "public_body", "UBND xã Đông Ninh", 912345678, None, 45,
                  "working", datetime(2024, 6, 1)])
    sheet.append([777002, int(WARD), 19.81, 105.66, "public_body", None, None, None, 45, None, datetime(2024, 6, 1)])
    book.save(tmp_path / "camera.xlsx")
    data = (tmp_path / "camera.xlsx").read_bytes()
    assert upload(gateway, officer, "camera.xlsx", data).status_code == 403
    r = upload(gateway, operator, "camera.xlsx", data)
    assert r.status_code == 202, r.text
    job = finished(gateway, operator, r.json()["job_id"])
    assert (job["file"]["type"], job["done"], job["failed"]) == ("xlsx", 1, 1)
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(3, "owner_name")]
    camera = gateway.get("/api/v1/cameras/777001", headers=operator).json()
    assert (camera["unit_code"], camera["owner"]["contact"]) == (WARD, "912345678")
    bad = upload(gateway, operator, "x.csv", b"camera_id,vi_tri\nA,1\n")
    assert bad.status_code == 422 and "vi_tri" in {f["field"] for f in bad.json()["error"]["fields"]}

"""Bulk import of tips through the gateway on the real stack: good rows go in, bad rows are
reported by row and field, a re-import adds nothing, the tips reach verification, receipts are
handed over once, and a large file finishes with the right counts (IMPORT_TEST_ROWS rows)."""
from __future__ import annotations

import asyncio
import csv
import io
import os
from datetime import datetime, timezone
from pathlib import Path

import httpx
import openpyxl
import pytest
from pymongo import AsyncMongoClient

from services.common import imports
from tests.conftest import eventually

WARD, OTHER, XLSX_WARD, BIG_WARD = "15856", "15913", "16393", "16402"  # used by this module only
ROWS = int(os.environ.get("IMPORT_TEST_ROWS", "2000"))
HEADER = ["channel", "content", "unit_code", "lat", "lon", "occurred_at", "received_at", "category",
          "programme_code", "anonymous", "contact_name", "contact_phone", "contact_email"]


def to_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def upload(gateway: httpx.Client, headers, name: str, data: bytes) -> httpx.Response:
    return gateway.post("/api/v1/tips/import", headers=headers, files={"file": (name, data)})


def finished(gateway: httpx.Client, headers, job_id: str, timeout_s: float = 120) -> dict:
    def check():
        job = gateway.get(f"/api/v1/imports/{job_id}", headers=headers)
        assert job.status_code == 200, job.text
        return job.json() if job.json()["status"] in ("done", "failed") else None
    return eventually(check, timeout_s=timeout_s, interval_s=0.5)


def receipts(gateway: httpx.Client, headers, job_id: str) -> list[dict]:
    r = gateway.get(f"/api/v1/imports/{job_id}/receipts", headers=headers)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text)))


@pytest.fixture(scope="module")
def clerk(make_user):
    return make_user("tiepnhan.thieukhanh", "clerk", WARD)


@pytest.fixture(scope="module")
def officer(make_user):
    return make_user("canbo.thieukhanh", "officer", WARD)


GOOD = [
    ["leaflet", "Có người lạ hỏi mua ma túy ở bến xe", WARD, "", "", "2025-11-02 20:00", "2025-11-03 08:00",
     "drugs", "", "", "", "", ""],
    ["tip_box", "Nhóm thanh niên đua xe trái phép đêm thứ bảy", WARD, "", "", "", "", "", "", "true", "", "", ""],
    ["hotline", "Có trộm chó ở xóm 4", "", "19.8755", "105.7527", "", "", "", "", "false",
     "Lê Văn B", "0912345678", ""],
]
BAD = [  # (row, field) each bad row must be reported with
    (["fax", "Kênh không có", WARD, "", "", "", "", "", "", "", "", "", ""], "channel"),
    (["leaflet", "Ngoài địa bàn", OTHER, "", "", "", "", "", "", "", "", "", ""], "unit_code"),
    (["leaflet", "", WARD, "", "", "", "", "", "", "", "", "", ""], "content"),
    (["walk_in", "Tương lai", WARD, "", "", "2099-01-01 00:00", "", "", "", "", "", "", ""], "occurred_at"),
    (["walk_in", "Ẩn danh có tên", WARD, "", "", "", "", "", "", "", "Trần C", "", ""], "contact"),
    (["walk_in", "Toạ độ sai", "", "200", "105.7", "", "", "", "", "", "", "", ""], "lat"),
]
MIXED = to_csv([GOOD[0], BAD[0][0], GOOD[1], BAD[1][0], BAD[2][0], BAD[3][0], GOOD[2], BAD[4][0], BAD[5][0]])
BAD_ROWS = {3: "channel", 5: "unit_code", 6: "content", 7: "occurred_at", 9: "contact", 10: "lat"}


@pytest.fixture(scope="module")
def mixed_job(gateway, clerk) -> dict:
    r = upload(gateway, clerk, "to-khai.csv", MIXED)
    assert r.status_code == 202, r.text
    return finished(gateway, clerk, r.json()["job_id"])


def test_good_rows_go_in_and_bad_rows_are_reported_by_row_and_field(mixed_job):
    assert mixed_job["status"] == "done", mixed_job
    assert (mixed_job["total"], mixed_job["done"], mixed_job["failed"]) == (9, 3, 6)
    assert {e["row"]: e["field"] for e in mixed_job["errors"]} == BAD_ROWS
    assert mixed_job["errors_total"] == 6 and all(e["reason"] for e in mixed_job["errors"])


def test_imported_tips_reach_verification_and_receipts_are_given_once(gateway, clerk, officer, mixed_job):
    given = receipts(gateway, clerk, mixed_job["job_id"])
    assert [int(r["row"]) for r in given] == [2, 4, 8]
    assert gateway.get(f"/api/v1/imports/{mixed_job['job_id']}/receipts", headers=clerk).status_code == 410
    first = eventually(lambda: (t := gateway.get(f"/api/v1/tips/{given[0]['tip_id']}", headers=officer)).status_code == 200 and t.json())
    assert first["channel"] == "leaflet" and first["unit_path"] == ["38", "380", WARD]
    assert first["received_at"].startswith("2025-11-03T01:00:00")  # 08:00 in Vietnam
    for r in given:
        eventually(lambda: gateway.get(f"/api/v1/tips/{r['tip_id']}", headers=officer).status_code == 200)
        assert gateway.get(f"/api/v1/receipts/{r['receipt_code']}").json()["status"] == "received"
    contact = gateway.get(f"/api/v1/tips/{given[2]['tip_id']}/contact", headers=officer,
                          params={"reason": "Xác minh tin báo trộm chó"})
    assert contact.status_code == 200 and contact.json()["contact"]["phone"] == "0912345678"


def test_a_re_import_adds_nothing_and_says_the_rows_were_imported(gateway, clerk, mixed_job):
    r = upload(gateway, clerk, "to-khai-lan-2.csv", MIXED)
    assert r.status_code == 202, r.text
    again = finished(gateway, clerk, r.json()["job_id"])
    assert (again["status"], again["done"], again["already_imported"], again["failed"]) == ("done", 3, 3, 6)
    assert receipts(gateway, clerk, again["job_id"]) == []


def test_only_the_owner_or_a_commander_above_sees_a_job(gateway, make_user, officer, admin, mixed_job):
    path = f"/api/v1/imports/{mixed_job['job_id']}"
    assert gateway.get(path, headers=officer).status_code == 404
    assert gateway.get(path, headers=make_user("chihuy.tp.import", "commander", "380")).status_code == 200
    assert gateway.get(path, headers=admin).status_code == 200
    assert gateway.get(path).status_code == 401


def test_a_bad_header_or_a_bad_role_is_refused_at_upload(gateway, clerk, make_user):
    r = upload(gateway, clerk, "x.csv", b"channel,ghi_chu\nleaflet,x\n")
    assert r.status_code == 422
    assert {f["field"] for f in r.json()["error"]["fields"]} == {"ghi_chu", "content", "unit_code"}
    assert {f["code"] for f in r.json()["error"]["fields"]} == {"unknown_column", "required_column", "unit_or_location_column"}
    assert upload(gateway, clerk, "x.csv", b"").status_code == 422
    operator = make_user("camera.thieukhanh", "camera_operator", WARD)
    assert upload(gateway, operator, "x.csv", MIXED).status_code == 403


def test_an_xlsx_file_is_imported(gateway, make_user, tmp_path):
    clerk = make_user("tiepnhan.dongyen", "clerk", XLSX_WARD)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Channel", "Content", "Unit_Code", "Occurred_At", "Anonymous"])
    sheet.append(["tip_box", "Phiếu hòm thư: có người cho vay nặng lãi", int(XLSX_WARD), datetime(2025, 6, 1, 9, 30), True])
    sheet.append(["leaflet", "Tờ rơi: nghi buôn bán pháo", XLSX_WARD, None, None])
    sheet.append(["leaflet", None, XLSX_WARD, None, None])
    book.save(tmp_path / "hom-thu.xlsx")
    r = upload(gateway, clerk, "hom-thu.xlsx", (tmp_path / "hom-thu.xlsx").read_bytes())
    assert r.status_code == 202, r.text
    job = finished(gateway, clerk, r.json()["job_id"])
    assert (job["status"], job["file"]["type"], job["done"], job["failed"]) == ("done", "xlsx", 2, 1)
    assert job["errors"] == [{"row": 4, "field": "content", "reason": "is required", "code": "required"}]


def test_a_large_import_finishes_with_the_right_counts(gateway, make_user):
    clerk = make_user("tiepnhan.dongthanh", "clerk", BIG_WARD)
    rows = [["leaflet" if n % 2 else "tip_box", f"Tờ rơi số {n}: phản ánh nhóm thanh niên tụ tập gây rối, hát karaoke ồn ào sau 23 giờ ở đầu ngõ",
             BIG_WARD,
             "", "", "", "", "", "", "", "", "", ""] if n % 100 else
            ["leaflet", f"Tờ rơi số {n}", "99999", "", "", "", "", "", "", "", "", "", ""] for n in range(1, ROWS + 1)]
    data = to_csv(rows)
    assert len(data) > 256 * 1024 or ROWS < 2000  # past the gateway's usual body limit
    r = upload(gateway, clerk, "to-roi.csv", data)
    assert r.status_code == 202, r.text
    # each row's receipt costs an Argon2id key (25 ms of a core, services/intake/codes.py)
    job = finished(gateway, clerk, r.json()["job_id"], timeout_s=60 + ROWS / 15)
    bad = ROWS // 100
    assert (job["status"], job["total"], job["done"], job["failed"]) == ("done", ROWS, ROWS - bad, bad)
    assert job["errors_total"] == bad and len(job["errors"]) == min(bad, 1000)
    assert job["errors"][0] == {"row": 101, "field": "unit_code", "reason": job["errors"][0]["reason"],
                                "code": "unknown_unit", "value": "99999"}
    assert len(receipts(gateway, clerk, job["job_id"])) == ROWS - bad


def test_a_replayed_batch_commit_counts_once_and_a_lost_lease_stops_a_worker(stack, tmp_path):
    async def scenario():
        client = AsyncMongoClient(stack.uri, tz_aware=True)
        try:
            jobs = imports.ImportJobs(client["antt_test_import_bookkeeping"][f"jobs_{tmp_path.name}"], errors_kept=2)
            (tmp_path / "a.csv").write_text("a\n")
            upload_ = imports.Upload("a.csv", 2, "ab", "text/csv", Path(tmp_path / "a.csv"))
            await jobs.create("J-1", kind="tips", owner={"username": "u"}, upload=upload_, now=datetime.now(timezone.utc))
            job = await jobs.claim("tips", "worker-1")
            assert job["status"] == "running" and await jobs.claim("tips", "worker-2") is None
            errors = [{"row": r, "field": "content", "reason": "is required"} for r in (3, 4, 5)]
            result = imports.BatchResult(done=7, failed=3, errors=errors)
            assert await jobs.commit(job, 2, 12, result)
            assert not await jobs.commit(job, 2, 12, result)  # the same batch again: ignored
            assert not await jobs.commit({**job, "worker": "worker-2"}, 12, 22, result)
            saved = await jobs.get("J-1")
            assert (saved["next_row"], saved["done"], saved["failed"], saved["error_count"]) == (12, 7, 3, 3)
            assert [e["row"] for e in saved["errors"]] == [3, 4]  # only the first ones kept
        finally:
            await client.close()
    asyncio.run(scenario())

"""Spreadsheets read row by row and the job's public view (the bookkeeping on the database is
tested in tests/integration/test_import.py)."""
from datetime import datetime, timezone

import openpyxl
import pytest

from services.common import imports


def rows_of(path, kind):
    sheet = imports.Sheet(path, kind)
    try:
        return sheet.columns, sheet.expected_rows(), list(sheet.rows())
    finally:
        sheet.close()


def test_csv_rows_are_numbered_as_in_a_spreadsheet(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('\ufeffChannel, Content ,unit_code\nleaflet,"hai\ndòng",15856\n\n,  ,\nhotline,x,\n', encoding="utf-8")
    columns, expected, rows = rows_of(path, "csv")
    assert columns == ["channel", "content", "unit_code"]
    assert rows == [(2, {"channel": "leaflet", "content": "hai\ndòng", "unit_code": "15856"}),
                    (5, {"channel": "hotline", "content": "x", "unit_code": None})]
    assert expected == 3  # the blank-looking ",  ," row is counted until it is read


def test_semicolons_are_taken_when_the_header_uses_them(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("channel;content\nleaflet;a, b\n", encoding="utf-8")
    assert rows_of(path, "csv")[2] == [(2, {"channel": "leaflet", "content": "a, b"})]


def test_xlsx_rows_keep_their_types_and_numbers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["channel", "content", "unit_code", "occurred_at"])
    sheet.append(["tip_box", "Có trộm", 15856, datetime(2025, 1, 2, 3, 4)])
    sheet.append([])
    sheet.append(["hotline", " y ", "15913", None])
    book.save(tmp_path / "a.xlsx")
    columns, expected, rows = rows_of(tmp_path / "a.xlsx", "xlsx")
    assert columns == ["channel", "content", "unit_code", "occurred_at"] and expected == 3
    assert rows[0] == (2, {"channel": "tip_box", "content": "Có trộm", "unit_code": 15856,
                           "occurred_at": datetime(2025, 1, 2, 3, 4)})
    assert rows[1] == (4, {"channel": "hotline", "content": "y", "unit_code": "15913", "occurred_at": None})


@pytest.mark.parametrize("data, kind", [(b"", "csv"), (b"\xff\xfe\x00c\x00h", "csv"), (b"PK\x03\x04broken", "xlsx")])
def test_unreadable_files_are_a_sheet_error(tmp_path, data, kind):
    path = tmp_path / "f"
    path.write_bytes(data)
    with pytest.raises(imports.SheetError):
        imports.Sheet(path, kind)


def test_batches_start_at_the_cursor():
    rows = iter([(n, {}) for n in range(2, 12)])
    assert [r[0] for r in imports._next_batch(rows, 5, 3)] == [5, 6, 7]
    assert [r[0] for r in imports._next_batch(rows, 5, 3)] == [8, 9, 10]
    assert [r[0] for r in imports._next_batch(rows, 5, 3)] == [11]
    assert imports._next_batch(rows, 5, 3) == []


def test_public_view_shows_progress_and_errors_but_not_the_files_path():
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    job = {"_id": "I-1", "kind": "tips", "status": "running", "created_at": at, "total": 10, "done": 4,
           "failed": 1, "already": 2, "errors": [{"row": 3, "field": "channel", "reason": "x"}], "error_count": 1,
           "file": {"name": "a.csv", "size": 9, "sha256": "ab", "type": "csv", "path": "/secret/place"},
           "receipts_key": "sealed"}
    view = imports.public_view(job)
    assert view["status"] == "running" and view["done"] == 4 and view["already_imported"] == 2
    assert view["errors_total"] == 1 and view["created_at"] == "2026-01-01T00:00:00Z"
    assert "path" not in view["file"] and "receipts_key" not in str(view)

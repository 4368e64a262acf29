"""The display labels (strings.json "labels", common.js label()): every code the services use
has a Vietnamese name with diacritics and an English one; every error code the API's fields
carry has a message; every string a staff script asks for exists for its page."""
from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common import auth, commands, errors, sheets, tip_columns
from services.common.auth import Principal
from services.gateway import ui
from services.intake import imports as tip_imports
from services.verification import clocks, triage

LABELS = json.loads((ui.WEB / "strings.json").read_text(encoding="utf-8"))["labels"]
ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


@pytest.mark.parametrize("kind, codes", [
    ("category", triage.CATEGORIES), ("priority", triage.PRIORITIES),
    ("tip_status", ("received", "converted", *typing.get_args(commands.Outcome))),
    ("case_status", typing.get_args(commands.CaseStatus)), ("channel", typing.get_args(commands.Channel)),
    ("step", typing.get_args(commands.StepName)), ("clock", typing.get_args(clocks.State)),
    ("deadline", ("forward", "decide")), ("role", auth.ROLES), ("field", tip_columns.NAMES),
])
def test_every_code_has_a_vietnamese_and_an_english_name(kind, codes):
    names = LABELS[kind]
    assert set(codes) <= set(names), set(codes) - set(names)
    for code in codes:
        assert set(names[code]) == {"vi", "en"} and all(names[code].values()), (kind, code)
    assert any(VIETNAMESE.search(names[c]["vi"]) for c in codes), kind  # with diacritics, not folded


def test_the_labels_reach_the_pages_in_the_pages_language():
    app = FastAPI()
    app.include_router(ui.router)
    client = TestClient(app)
    for lang, fight in (("vi", "Đánh nhau, gây thương tích"), ("en", "Fight, assault")):
        page = client.get(f"/can-bo?lang={lang}").text
        found = json.loads(re.search(r'<script type="application/json" id="labels">(.*?)</script>', page, re.S).group(1))
        assert found["category"]["fight"] == fight and found["http"]["403"]


def error_codes_in(path: Path) -> set[str]:
    """The codes of field errors: in `{"field", "reason", "code"}` literals and `_invalid(…, code=…)`."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r'"code": "([a-z_]+)"', text)) | set(re.findall(r'_invalid\([^)]*?code="([a-z_]+)"', text, re.S))


def test_every_field_error_code_the_tip_rules_give_has_a_message():
    made = set()
    for path in ("services/intake/domain.py", "services/intake/imports.py", "services/common/sheets.py"):
        made |= error_codes_in(ROOT / path)
    made.add("unreadable_file")  # services/common/imports.py, a file that is no spreadsheet
    assert {"unknown_unit", "outside_unit", "required_column", "receipt_collision"} <= made
    assert made <= set(LABELS["error"]), made - set(LABELS["error"])
    for message in LABELS["error"].values():
        assert set(message) == {"vi", "en"} and set(re.findall(r"\{(\w+)\}", message["vi"])) == set(
            re.findall(r"\{(\w+)\}", message["en"]))


CLERK = Principal("clerk", "clerk", "15856")


def test_row_errors_carry_codes_the_page_translates():
    from datetime import datetime, timezone
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    row = {"kênh": "leaflet", "Nội dung": "Có người lạ hỏi mua ma túy", "mã đơn vị": "99999"}
    [unknown] = tip_imports.check_row(5, row, CLERK, now)
    assert unknown == {"row": 5, "field": "unit_code", "code": "unknown_unit", "value": "99999",
                       "reason": "no administrative unit has code 99999"}
    missing = tip_imports.check_row(6, {"channel": "leaflet", "unit_code": "15856"}, CLERK, now)
    assert [(e["field"], e["code"]) for e in missing] == [("content", "required")]
    outside = tip_imports.check_row(7, {**row, "mã đơn vị": "15913"}, CLERK, now)
    assert [(e["field"], e["code"]) for e in outside] == [("unit_code", "outside_unit")]
    long = tip_imports.check_row(8, {**row, "mã đơn vị": "15856", "nội dung": "x" * 20001}, CLERK, now)
    assert [(e["field"], e["code"], e["limit"]) for e in long] == [("content", "string_too_long", 20000)]
    for errs in (missing, outside, long):
        assert all(e["code"] in LABELS["error"] for e in errs)


def test_vietnamese_headers_are_read_as_the_english_columns():
    assert tip_imports.check_columns(["kênh", "Nội Dung", "ma don vi"]) == []
    assert tip_imports.check_columns(["channel", "content", "vĩ độ", "kinh độ"]) == []
    problems = {(f["field"], f["code"]) for f in tip_imports.check_columns(["kênh", "channel", "ghi chú"])}
    assert problems == {("ghi chú", "unknown_column"), ("channel", "repeated_column"), ("content", "required_column"),
                        ("unit_code", "unit_or_location_column")}
    header = tip_columns.template_csv().decode("utf-8-sig").strip().split(",")
    assert header[:3] == ["kênh", "nội dung", "mã đơn vị"] and len(header) == len(tip_imports.COLUMNS)
    assert [tip_columns.canonical(h) for h in header] == list(tip_imports.COLUMNS)


def test_the_template_is_served_and_reads_back_as_a_header_without_problems(tmp_path):
    app = FastAPI()
    errors.install(app)
    app.include_router(ui.router)
    r = TestClient(app).get("/tiep-nhan/mau-nhap-lo.csv")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    (tmp_path / "mau.csv").write_bytes(r.content)
    sheet = sheets.Sheet(tmp_path / "mau.csv", "csv")
    sheet.close()
    assert tip_imports.check_columns(sheet.columns) == []


def test_unit_names_come_in_one_request_for_many_codes():
    app = FastAPI()
    errors.install(app)
    app.include_router(ui.router)
    client = TestClient(app)
    r = client.get("/ui/unit-names.json", params={"codes": "38,380,14776,99999"})
    assert r.status_code == 200
    assert r.json() == {"38": "Tỉnh Thanh Hóa", "380": "Thành phố Thanh Hóa", "14776": "Phường Ba Đình"}
    assert client.get("/ui/unit-names.json", params={"codes": ",".join(["380"] * 201)}).status_code == 422
    assert client.get("/ui/unit-names.json", params={"codes": "38;drop"}).status_code == 422


def test_the_staff_menu_names_known_roles_and_every_page_script_string_exists():
    assert all(set(roles) <= set(auth.ROLES) for _, _, roles in ui.MENU)
    strings = ui.strings()
    for script, sections in (("staff.js", ("login", "queue", "tipview", "intake")), ("batch.js", ("batch",)),
                             ("common.js", ())):
        used = set(re.findall(r"\bT\.([a-z0-9_]+)", (ui.WEB / "static" / script).read_text()))
        known = set(strings["common"]).union(*(strings[s] for s in sections))
        assert used <= known, (script, used - known)

"""Rows of a tip import: the header, each row checked by the rules of POST /tips, and the
identities derived for a row (the same when a batch is replayed)."""
from datetime import datetime, timezone

from services.common.auth import Principal
from services.intake import imports

CLERK = Principal("clerk", "clerk", "15856")
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def row(**cells):
    return {"channel": "leaflet", "content": "Có người lạ hỏi mua ma túy", "unit_code": "15856", **cells}


def test_a_good_row_becomes_the_tip_and_its_unit():
    tip, unit = imports.check_row(2, row(occurred_at="2025-12-01 21:00", category="drugs"), CLERK, NOW)
    assert unit.code == "15856" and unit.era == "legacy" and tip.channel == "leaflet" and tip.anonymous
    assert tip.occurred_at.utcoffset().total_seconds() == 7 * 3600  # Vietnam's time by default


def test_spreadsheet_numbers_are_read_as_the_text_they_show():
    tip, unit = imports.check_row(3, row(unit_code=15856.0, contact_phone=912345678, anonymous=False), CLERK, NOW)
    assert unit.code == "15856" and tip.contact.phone == "912345678" and tip.anonymous is False


def test_lat_lon_or_location_give_the_nearest_ward():
    cells = {k: v for k, v in row(lat=19.8157, lon=105.7502).items() if k != "unit_code"}
    _, by_columns = imports.check_row(2, cells, Principal("a", "admin", "38"), NOW)
    cells = {k: v for k, v in row(location="19.8157, 105.7502").items() if k != "unit_code"}
    _, by_location = imports.check_row(2, cells, Principal("a", "admin", "38"), NOW)
    assert by_columns == by_location and by_columns.code.startswith("1")


def fields_of(result) -> dict[str, str]:
    assert isinstance(result, list), result
    return {e["field"]: e["reason"] for e in result}


def test_bad_cells_are_named_by_their_column_and_row():
    result = imports.check_row(7, row(channel="fax", lat=200, lon=105.0, anonymous="maybe"), CLERK, NOW)
    assert {e["row"] for e in result} == {7}
    assert set(fields_of(result)) == {"channel", "lat", "anonymous"}


def test_contact_of_an_anonymous_tip_and_future_times_are_refused():
    result = imports.check_row(4, row(contact_name="Nguyễn Văn A", occurred_at="2099-01-01"), CLERK, NOW)
    assert set(fields_of(result)) == {"contact", "occurred_at"}


def test_a_row_outside_the_callers_unit_is_an_error_of_its_unit_code():
    reason = fields_of(imports.check_row(5, row(unit_code="15913"), CLERK, NOW))["unit_code"]
    assert "outside your unit" in reason
    assert "no administrative unit" in fields_of(imports.check_row(5, row(unit_code="99999"), CLERK, NOW))["unit_code"]
    assert set(fields_of(imports.check_row(5, row(content=None), CLERK, NOW))) == {"content"}


def test_header_problems_are_named():
    assert imports.check_columns(list(imports.COLUMNS)) == []
    assert imports.check_columns(["channel", "content", "lat", "lon"]) == []
    problems = {f["field"]: f["reason"] for f in imports.check_columns(["content", "ward", "content"])}
    assert set(problems) == {"ward", "content", "channel", "unit_code"}
    assert "appears twice" in problems["content"]


def test_a_rows_identities_are_derived_from_the_jobs_secret_and_the_row():
    first = imports.derive(b"k" * 32, 12, 1_700_000_000_000)
    assert first == imports.derive(b"k" * 32, 12, 1_700_000_000_000)
    other_row, other_key = imports.derive(b"k" * 32, 13, 1_700_000_000_000), imports.derive(b"j" * 32, 12, 1_700_000_000_000)
    assert len({first[0], other_row[0], other_key[0]}) == 3
    tip_id, code, event_id = first
    assert tip_id.startswith("T-") and len(tip_id) == 28
    assert len(code.digits) == 16 and code.digits.isdigit() and len(code.text) == 19
    assert len({first[1], other_row[1], other_key[1]}) == 3
    assert len(event_id) == 36

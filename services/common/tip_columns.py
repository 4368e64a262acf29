"""The columns of a spreadsheet of tips (intake's bulk import), each with the Vietnamese header
a clerk may write instead of the English name: the import reads either (with or without
diacritics, any case), the batch page's template (gateway) writes the Vietnamese ones."""
from __future__ import annotations

import re
import unicodedata
from functools import cache

COLUMNS: tuple[tuple[str, str], ...] = (
    ("channel", "kênh"), ("content", "nội dung"), ("unit_code", "mã đơn vị"), ("unit_era", "hệ đơn vị"),
    ("lat", "vĩ độ"), ("lon", "kinh độ"), ("location", "vị trí"), ("occurred_at", "thời điểm xảy ra"),
    ("received_at", "thời điểm tiếp nhận"), ("category", "loại"), ("programme_code", "mã mô hình"),
    ("anonymous", "ẩn danh"), ("contact_name", "họ tên người báo"), ("contact_phone", "số điện thoại"),
    ("contact_email", "email người báo"))
NAMES = tuple(name for name, _ in COLUMNS)


def _folded(header: str) -> str:
    """"Mã đơn vị" → "ma_don_vi": lower case, no diacritics, "đ" as "d", words joined by "_"."""
    text = unicodedata.normalize("NFD", header.lower().replace("đ", "d").replace("Đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "_".join(re.findall(r"[a-z0-9]+", text))


_BY_HEADER = {_folded(vi): name for name, vi in COLUMNS}


@cache
def canonical(header: str) -> str:
    """The column's English name for a Vietnamese header; any other header as it is."""
    return _BY_HEADER.get(_folded(header), header)


def template_csv() -> bytes:
    """The header row of an empty import file, in Vietnamese (UTF-8 with a BOM, which
    spreadsheet programs need to show the diacritics)."""
    return ("\ufeff" + ",".join(vi for _, vi in COLUMNS) + "\r\n").encode("utf-8")

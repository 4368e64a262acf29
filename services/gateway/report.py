"""The steering committee's yearly report, in Vietnamese, from figures already queried: pure
text building (JSON, Markdown, CSV, XLSX), no I/O, unit-tested.

`figures` is `{"unit_code", "unit_name", "year", "tips": {received, valuable, converted, open,
overdue}, "by_channel": [{key, received, valuable, converted}], "by_programme": [...],
"cameras": {cameras, camera_programmes, extractions, cases_clarified}, "previous": {"tips",
"cameras"}, "programmes": {code: {name, kind}}}` (the registered programmes; optional: a code
nobody registered is named from its prefix, else shown as it is), and optionally "activities":
`{kind: {activities, participants, findings...}}` (the patrols' sentences, report_activities.py). A public report shows every figure below 5 as "< 5" (small counts can identify
informants) and no percentage or change computed from such a figure.
"""
from __future__ import annotations

import csv
import io
from typing import Literal

from openpyxl import Workbook

from . import report_activities

Audience = Literal["internal", "public"]
SMALL = 5
MASK = "< 5"
CHANNELS = {  # (phrase in a sentence, table label), in the seed article's words
    "tip_box": ("qua hòm thư tố giác", "Hòm thư tố giác"),
    "walk_in": ("Nhân dân trực tiếp đến cơ quan công an cung cấp", "Trực tiếp đến cơ quan công an"),
    "hotline": ("qua đường dây nóng", "Đường dây nóng"),
    "leaflet": ("qua phiếu phát giác tội phạm", "Phiếu phát giác tội phạm"),
    "web": ("qua cổng thông tin điện tử", "Cổng thông tin điện tử"),
    "zalo": ("qua nhóm Zalo, camera an ninh", "Zalo"),
    "sms": ("qua tin nhắn SMS", "Tin nhắn SMS"),
    "programme": ("qua thành viên các mô hình tự quản", "Thành viên mô hình tự quản"),
}
PROGRAMMES = {  # code prefix → a name for codes nobody registered (codes are "<PREFIX>-<unit>")
    "CNMT": "Công nhân môi trường - chiến sĩ tuần tra", "CAMERA": "Camera giám sát ANTT",
    "ANCN": "Tổ an ninh công nhân", "LGTQ": "Tổ liên gia tự quản", "DHTQ": "Dòng họ với ANTT",
    "NTTQ": "CLB nhà trọ tự quản về ANTT", "CTAT": "Cổng trường an toàn giao thông",
}
COLUMNS = ("received", "valuable", "converted")
HEADERS = ("Tiếp nhận", "Có giá trị", "Chuyển hóa")
ACTIVITY_COLUMNS = ("activities", "participants", "traffic", "drugs", "theft", "disputes_settled", "other")
ACTIVITY_HEADERS = ("Số lượt", "Lượt người tham gia", "Vi phạm giao thông", "Ma túy", "Trộm cắp",
                    "Mâu thuẫn được giải quyết", "Khác")


def number(n: int) -> str:
    """1911 → "1.911" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") + "%"


def programme_name(code: str | None, registered: dict[str, dict] | None = None) -> str:
    """The registered name of a programme, else the name of its code's prefix, else the code."""
    if not code:
        return "Không thuộc mô hình"
    if registered and code in registered:
        return registered[code]["name"]
    return PROGRAMMES.get(code.split("-")[0].upper(), code)


def _namer(figures: dict):
    registered = figures.get("programmes") or {}
    return lambda code: programme_name(code, registered)


class Figures:
    """Formats figures for one audience."""

    def __init__(self, audience: Audience):
        self.public = audience == "public"

    def masked(self, n: int) -> bool:
        return self.public and n < SMALL

    def show(self, n: int) -> str:
        return MASK if self.masked(n) else number(n)

    def value(self, n: int) -> int | str:
        return MASK if self.masked(n) else n

    def share(self, part: int, whole: int) -> str:
        return "" if not whole or self.masked(part) or self.masked(whole) else f" ({percent(part, whole)})"

    def change(self, now: int, before: int, year: int) -> str:
        if self.masked(now) or self.masked(before):
            return f"so với năm {year - 1} ({self.show(before)})"
        if before == 0 or now == before:
            return f"{'bằng' if now == before else 'so với'} năm {year - 1} ({number(before)})"
        verb = "tăng" if now > before else "giảm"
        return f"{verb} {percent(abs(now - before), before)} so với năm {year - 1} ({number(before)})"


def paragraphs(figures: dict, audience: Audience) -> list[str]:
    """The narrative, in the style of the seed article (Báo Thanh Hóa, 2025)."""
    f, year, name = Figures(audience), figures["year"], figures["unit_name"]
    tips, prev, cams = figures["tips"], figures["previous"], figures["cameras"]
    channels = sorted(figures["by_channel"], key=lambda g: list(CHANNELS).index(g["key"]))
    forms = ", ".join(f"{CHANNELS[g['key']][0]} ({f.show(g['received'])} tin)" for g in channels)
    out = [f"Năm {year}, quần chúng Nhân dân trên địa bàn {name} đã cung cấp {f.show(tips['received'])} tin"
           f", trong đó {f.show(tips['valuable'])} tin có giá trị về ANTT{f.share(tips['valuable'], tips['received'])}"
           + (f", với các hình thức: {forms}" if forms else "") + ". "
           f"Số tin tiếp nhận {f.change(tips['received'], prev['tips']['received'], year)}; "
           f"số tin có giá trị {f.change(tips['valuable'], prev['tips']['valuable'], year)}."]
    out += report_activities.sentences(figures.get("activities") or {}, f.show)
    for g in (g for g in figures["by_programme"] if g["key"]):
        out.append(f"Thông qua mô hình “{_namer(figures)(g['key'])}”, các thành viên đã cung cấp "
                   f"{f.show(g['received'])} tin liên quan đến ANTT, trong đó có {f.show(g['converted'])} "
                   "nguồn tin được chuyển hóa phục vụ công tác phòng, chống tội phạm, vi phạm pháp luật.")
    out.append(f"Toàn đơn vị có {f.show(tips['converted'])} nguồn tin được chuyển hóa thành vụ việc"
               f"{f.share(tips['converted'], tips['valuable'])} trên tổng số tin có giá trị.")
    out.append(f"Hiện nay, trên địa bàn đã xây dựng được {f.show(cams['camera_programmes'])} mô hình "
               f"“Camera giám sát ANTT”, với tổng số {f.show(cams['cameras'])} mắt camera. "
               f"Năm {year}, lực lượng công an đã tiến hành {f.show(cams['extractions'])} lượt trích xuất "
               "hình ảnh, dữ liệu phục vụ công tác điều tra, khám phá các vụ án và xử lý các hành vi vi phạm "
               f"pháp luật, góp phần xác minh, làm rõ {f.show(cams['cases_clarified'])} vụ việc liên quan đến "
               f"ANTT (số lượt trích xuất {f.change(cams['extractions'], prev['cameras']['extractions'], year)}).")
    if not f.public:
        out.append(f"Đến thời điểm lập báo cáo, còn {number(tips['open'])} tin tiếp nhận trong năm chưa được "
                   f"giải quyết, trong đó {number(tips['overdue'])} tin đã quá thời hạn 20 ngày "
                   "(Điều 147 Bộ luật Tố tụng hình sự).")
    return out


def _rows(groups: list[dict], label, f: Figures) -> list[list]:
    return [[g["key"] or "", label(g["key"]), *(f.value(g[c]) for c in COLUMNS)] for g in groups]


def tables(figures: dict, audience: Audience) -> dict[str, list[list]]:
    """The tables by channel and by programme, with a header row."""
    f = Figures(audience)
    channels = sorted(figures["by_channel"], key=lambda g: list(CHANNELS).index(g["key"]))
    out = {"Theo kênh tiếp nhận": [["Mã", "Kênh", *HEADERS]]
           + _rows(channels, lambda k: CHANNELS[k][1], f),
           "Theo mô hình": [["Mã", "Mô hình", *HEADERS]] + _rows(figures["by_programme"], _namer(figures), f)}
    if activities := figures.get("activities"):
        out["Theo loại hoạt động"] = [["Mã", "Hoạt động", *ACTIVITY_HEADERS]] + [
            [kind, report_activities.kind_name(kind), *(f.value(m[c]) for c in ACTIVITY_COLUMNS)]
            for kind, m in activities.items()]
    return out


def title(figures: dict) -> str:
    return (f"Báo cáo kết quả phong trào toàn dân bảo vệ an ninh Tổ quốc năm {figures['year']} "
            f"- {figures['unit_name']}")


def to_json(figures: dict, audience: Audience) -> dict:
    f = Figures(audience)

    def masked(d):
        return {k: (f.value(v) if isinstance(v, int) else v) for k, v in d.items()}
    tips = masked(figures["tips"])
    if f.public:
        tips = {k: v for k, v in tips.items() if k not in ("open", "overdue")}
    return {"unit_code": figures["unit_code"], "unit_name": figures["unit_name"], "year": figures["year"],
            "audience": audience, "title": title(figures), "tips": tips,
            "by_channel": [masked(g) for g in figures["by_channel"]],
            "by_programme": [masked(g) for g in figures["by_programme"]],
            "programmes": figures.get("programmes") or {},
            "cameras": masked(figures["cameras"]),
            "activities": {k: masked(m) for k, m in (figures.get("activities") or {}).items()},
            "previous": {"tips": masked(figures["previous"]["tips"]),
                         "cameras": masked(figures["previous"]["cameras"])},
            "paragraphs": paragraphs(figures, audience)}


def to_markdown(figures: dict, audience: Audience) -> str:
    lines = [f"# {title(figures)}", ""]
    for p in paragraphs(figures, audience):
        lines += [p, ""]
    for name, rows in tables(figures, audience).items():
        lines += [f"## {name}", "", "| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows[1:]] + [""]
    return "\n".join(lines)


def long_rows(figures: dict, audience: Audience) -> list[list]:
    """Every figure as (part, code, name, measure, value): the CSV and the XLSX data sheet."""
    f = Figures(audience)
    out = [["phan", "ma", "ten", "chi_tieu", "gia_tri"]]
    for part, source in (("nam", figures), ("nam_truoc", figures["previous"])):
        tips = {k: v for k, v in source["tips"].items() if not (f.public and k in ("open", "overdue"))}
        out += [[part, figures["unit_code"], figures["unit_name"], k, f.value(v)]
                for k, v in {**tips, **source["cameras"]}.items()]
    for part, groups, label in (("kenh", figures["by_channel"], lambda k: CHANNELS[k][1]),
                                ("mo_hinh", figures["by_programme"], _namer(figures))):
        out += [[part, g["key"] or "", label(g["key"]), c, f.value(g[c])] for g in groups for c in COLUMNS]
    out += [["hoat_dong", kind, report_activities.kind_name(kind), c, f.value(m[c])]
            for kind, m in (figures.get("activities") or {}).items() for c in ACTIVITY_COLUMNS]
    return out


def to_csv(figures: dict, audience: Audience) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(long_rows(figures, audience))
    return buffer.getvalue()


def to_xlsx(figures: dict, audience: Audience) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    sheet.append([title(figures)])
    for p in paragraphs(figures, audience):
        sheet.append([p])
    for name, rows in tables(figures, audience).items():
        table = book.create_sheet(name)
        for row in rows:
            table.append(row)
    data = book.create_sheet("Số liệu")
    for row in long_rows(figures, audience):
        data.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

import io

from openpyxl import load_workbook

from services.gateway import report, stats


def figures(**tips):
    return {"unit_code": "380", "unit_name": "Thành phố Thanh Hóa", "year": 2024,
            "tips": {"received": 692, "valuable": 265, "converted": 120, "open": 3, "overdue": 2, **tips},
            "by_channel": [{"key": "hotline", "received": 375, "valuable": 150, "converted": 70},
                           {"key": "tip_box", "received": 5, "valuable": 2, "converted": 1},
                           {"key": "walk_in", "received": 312, "valuable": 113, "converted": 49}],
            "by_programme": [{"key": None, "received": 660, "valuable": 250, "converted": 108},
                             {"key": "CNMT-380", "received": 32, "valuable": 15, "converted": 12}],
            "cameras": {"cameras": 1911, "camera_programmes": 34, "extractions": 1028, "cases_clarified": 152},
            "previous": {"tips": {"received": 600, "valuable": 250, "converted": 100},
                         "cameras": {"cameras": 1800, "camera_programmes": 30, "extractions": 900, "cases_clarified": 3}}}


def test_the_narrative_reads_like_the_seed_article():
    text = " ".join(report.paragraphs(figures(), "internal"))
    assert ("đã cung cấp 692 tin, trong đó 265 tin có giá trị về ANTT (38,3%), với các hình thức: qua hòm thư "
            "tố giác (5 tin), Nhân dân trực tiếp đến cơ quan công an cung cấp (312 tin), qua đường dây nóng (375 tin)") in text
    assert "mô hình “Công nhân môi trường - chiến sĩ tuần tra”, các thành viên đã cung cấp 32 tin" in text
    assert "12 nguồn tin được chuyển hóa" in text
    assert "34 mô hình “Camera giám sát ANTT”, với tổng số 1.911 mắt camera" in text
    assert "1.028 lượt trích xuất" in text and "làm rõ 152 vụ việc" in text
    assert "tăng 15,3% so với năm 2023 (600)" in text
    assert "2 tin đã quá thời hạn 20 ngày" in text


def test_public_reports_hide_small_figures_and_what_derives_from_them():
    public = report.to_json(figures(converted=4), "public")
    assert public["tips"]["converted"] == "< 5" and "overdue" not in public["tips"]
    assert public["by_channel"][1] == {"key": "tip_box", "received": 5, "valuable": "< 5", "converted": "< 5"}
    text = " ".join(public["paragraphs"])
    assert "< 5 nguồn tin được chuyển hóa thành vụ việc trên" in text  # no percentage
    assert "quá thời hạn" not in text
    assert report.to_json(figures(converted=4), "internal")["tips"]["converted"] == 4


def test_markdown_csv_and_xlsx_carry_the_same_tables():
    md = report.to_markdown(figures(), "public")
    assert "| tip_box | Hòm thư tố giác | 5 | < 5 | < 5 |" in md
    rows = report.long_rows(figures(), "internal")
    assert ["kenh", "walk_in", "Trực tiếp đến cơ quan công an", "received", 312] in rows
    assert ["nam_truoc", "380", "Thành phố Thanh Hóa", "cases_clarified", 3] in rows
    assert report.to_csv(figures(), "internal").splitlines()[0] == "phan,ma,ten,chi_tieu,gia_tri"
    book = load_workbook(io.BytesIO(report.to_xlsx(figures(), "internal")))
    assert book.sheetnames == ["Báo cáo", "Theo kênh tiếp nhận", "Theo mô hình", "Số liệu"]
    assert book["Theo mô hình"]["B3"].value == "Công nhân môi trường - chiến sĩ tuần tra"


def test_numbers_and_periods():
    assert report.number(1911) == "1.911" and report.percent(265, 692) == "38,3%"
    start, end = stats.year_period(2024)
    assert start.isoformat() == "2024-01-01T00:00:00+07:00" and end.year == 2025


def test_eras_and_filters_of_the_tip_pipeline():
    assert stats.era_of("380") == "legacy" and stats.era_of("14797", "2025") == "2025"
    assert stats.era_of("380", "2025") is None
    match = stats.tip_pipeline("14797", None, None, None, era="2025", channel="hotline")[0]["$match"]
    assert match == {"unit_path_2025": "14797", "received_at": {"$exists": True}, "channel": "hotline"}

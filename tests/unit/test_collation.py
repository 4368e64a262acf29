"""Vietnamese alphabetical order (services/common/collation.py) and the ward lists that use it."""
from services.common.collation import vi_key
from services.gateway import ui, ui_camera


def ordered(*names: str) -> list[str]:
    return sorted(names, key=vi_key)


def test_letters_follow_the_vietnamese_alphabet_not_code_points():
    assert ordered("Hoằng Quang", "Hàm Rồng") == ["Hàm Rồng", "Hoằng Quang"]
    assert sorted(["Hoằng Quang", "Hàm Rồng"]) == ["Hoằng Quang", "Hàm Rồng"]  # what code points did
    assert ordered("Điện Biên", "Eo Lê", "Dương Xá") == ["Dương Xá", "Điện Biên", "Eo Lê"]
    assert ordered("ư", "u", "v", "ơ", "ô", "o", "p") == ["o", "ô", "ơ", "p", "u", "ư", "v"]
    assert ordered("â", "ă", "a", "b") == ["a", "ă", "â", "b"]


def test_tones_only_order_texts_equal_without_them():
    assert ordered("Đông Hoàng", "Đông Hòa") == ["Đông Hòa", "Đông Hoàng"]  # "hoa" is a prefix of "hoang"
    assert ordered("mạ", "má", "mã", "mả", "mà", "ma") == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert ordered("Thành", "Thanh Hóa") == ["Thành", "Thanh Hóa"]  # letters first: "thanh" < "thanh hoa"


def test_case_and_composed_or_decomposed_forms_do_not_matter():
    assert vi_key("HÀM RỒNG") == vi_key("hàm rồng")
    assert vi_key("Ho\u0103\u0300ng") == vi_key("Hoằng")  # NFD input


def test_the_ward_lists_are_in_vietnamese_order():
    names = [w["name"] for w in ui.units_under("380")["wards"]]
    assert names.index("Phường Hàm Rồng") < names.index("Phường Hoằng Đại") < names.index("Phường Hoằng Quang")
    assert names.index("Phường Đông Vệ") < names.index("Xã Đông Hòa") < names.index("Xã Đông Hoàng")
    assert names == sorted(names, key=vi_key)
    points = [f["properties"]["name"] for f in ui_camera.ward_points("380")["features"]]
    assert points == sorted(points, key=vi_key) and points.index("Phường Hàm Rồng") < points.index("Phường Hoằng Quang")

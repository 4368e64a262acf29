import pytest

from services.verification.triage import CATEGORIES, fold, triage


def test_fold_drops_diacritics_and_d_stroke_and_expands_abbreviations():
    assert fold("Ma TÚY đá, Đường") == "ma tuy da duong"
    assert fold("ko liên lạc dc, số đt") == "khong lien lac duoc so dien thoai"
    assert fold("  a--b!!c ") == "a b c"


@pytest.mark.parametrize("text", ["Có người bán ma túy đá ở đầu ngõ", "co nguoi ban ma tuy da o dau ngo",
                                  "CÓ NGƯỜI BÁN MA TÚY ĐÁ Ở ĐẦU NGÕ"])
def test_with_and_without_diacritics_the_same(text):
    result = triage(text)
    assert (result.category, result.priority) == ("drugs", "high")
    assert "ma tuy" in result.matched


@pytest.mark.parametrize("text, category", [
    ("Nhà tôi bị kẻ gian đột nhập lấy trộm xe đạp", "theft"),
    ("Nhóm thanh niên tụ tập cá độ bóng đá ở quán nước", "gambling"),
    ("hai nhom xo xat o cong cho", "fight"),
    ("Bị nhóm cho vay nặng lãi đến đòi nợ", "illegal_lending"),
    ("Hàng xóm tàng trữ súng tự chế", "weapons"),
    ("Thanh niên đua xe, bốc đầu trên đại lộ", "traffic"),
    ("Cửa hàng tích trữ bình gas trong nhà ở", "fire_risk"),
    ("Quán karaoke mở nhạc to quá khuya", "disorder"),
    ("Tôi bị lừa đảo chuyển tiền qua mạng", "fraud"),
    ("Đèn đường trong ngõ bị hỏng", "other"),
    ("Xin chào", "other"),
])
def test_categories(text, category):
    assert triage(text).category == category


def test_ambiguous_syllables_only_count_inside_phrases():
    # "chạy" folds to "chay" like "cháy"; "lừa" to "lua" like "lửa": no fire from running or fraud
    assert triage("Đối tượng bỏ chạy về phía chợ sau khi trộm xe").category == "theft"
    assert triage("Tôi bị lừa đảo mất 10 triệu").category == "fraud"


@pytest.mark.parametrize("text, priority", [
    ("Có người mang kiếm và mã tấu trong cốp xe", "high"),         # weapons are always high
    ("Đang có hai nhóm đánh nhau trước quán nhậu", "high"),        # in progress
    ("Tuần trước hai người cãi nhau rồi xô xát ở chợ", "normal"),
    ("Hàng xóm hát karaoke đến khuya", "low"),                      # a nuisance
    ("Tờ rơi cho vay tiền nhanh dán trên cột điện", "low"),
    ("Nhặt được ví ở công viên", "low"),                            # "other" is low by default
])
def test_priorities(text, priority):
    assert triage(text).priority == priority


def test_a_given_category_sets_the_priority_but_triage_still_reads_the_text():
    result = triage("Có người đang đứng trước cổng nhà tôi", "weapons")
    assert result.priority == "high" and result.category == "other"


def test_the_result_is_json_ready():
    assert set(triage("ma tuy").as_dict()) == {"category", "priority", "matched"}
    assert triage("ma tuy").category in CATEGORIES

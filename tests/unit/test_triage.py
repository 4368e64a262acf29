import pytest

from services.verification import triage as triage_module
from services.verification.text import fold
from services.verification.triage import CATEGORIES, PRIORITIES, triage


def test_fold_drops_diacritics_and_d_stroke_and_expands_abbreviations():
    assert fold("Ma TÚY đá, Đường") == "ma tuy da duong"
    assert fold("ko liên lạc dc, số đt") == "khong lien lac duoc so dien thoai"
    assert fold("  a--b!!c ") == "a b c"


@pytest.mark.parametrize("text", ["Có người bán ma túy đá ở đầu ngõ", "co nguoi ban ma tuy da o dau ngo",
                                  "CÓ NGƯỜI BÁN MA TÚY ĐÁ Ở ĐẦU NGÕ"])
def test_with_and_without_diacritics_the_same(text):
    result = triage(text)
    assert result.category == "drugs" and result.certain
    assert result.matched == ("ma túy",)  # the phrase as the officer reads it, with diacritics


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
    ("Nhặt được ví ở công viên, ai mất xin liên hệ", "other"),
])
def test_categories(text, category):
    assert triage(text).category == category


def test_ambiguous_syllables_only_count_inside_phrases():
    # "chạy" folds to "chay" like "cháy"; "lừa" to "lua" like "lửa": no fire from running or fraud
    assert triage("Đối tượng bỏ chạy về phía chợ sau khi trộm xe").category == "theft"
    assert triage("Tôi bị lừa đảo mất 10 triệu").category == "fraud"


@pytest.mark.parametrize("text, priority", [
    ("Có người mang kiếm và mã tấu trong cốp xe", "high"),         # weapons are always high
    ("Đang có hai nhóm đánh nhau trước quán nhậu, có người bị thương", "high"),  # in progress
    ("Hàng xóm hát karaoke đến khuya", "low"),                      # a nuisance
    ("Tờ rơi cho vay tiền nhanh dán trên cột điện", "low"),
])
def test_priorities(text, priority):
    assert triage(text).priority == priority


def test_situations_are_the_reasons_of_the_priority():
    result = triage("Đang có hai nhóm đánh nhau trước quán nhậu, có người bị thương")
    assert {"đang diễn ra", "có người bị thương"} <= set(result.reasons)
    assert triage("Tờ rơi cho vay tiền nhanh dán trên cột điện").reasons == ()


def test_a_given_category_sets_the_priority_but_triage_still_reads_the_text():
    result = triage("Có người đang đứng trước cổng nhà tôi", "weapons")
    assert result.priority == "high" and result.category != "weapons"


def test_a_text_without_anything_known_is_uncertain():
    result = triage("xyzzy qwerty")
    assert not result.certain and result.confidence < triage_module.UNSURE_BELOW
    assert result.as_dict()["certain"] is False


def test_the_result_is_json_ready_with_what_the_ui_reads():
    found = triage("ma tuy").as_dict()
    assert set(found) == {"category", "priority", "confidence", "certain", "matched", "reasons"}
    assert found["category"] in CATEGORIES and found["priority"] in PRIORITIES
    assert 0 <= found["confidence"] <= 1 and found["certain"] is (found["confidence"] >= triage_module.UNSURE_BELOW)


def test_the_probabilities_of_the_shipped_models_sum_to_one():
    category_model, priority_model = triage_module.models()
    assert set(category_model.classes) == set(CATEGORIES) and set(priority_model.classes) == set(PRIORITIES)
    reading = triage_module.read("Có người bán ma túy đá ở đầu ngõ")
    chances = category_model.probabilities(reading.features)
    assert sum(chances.values()) == pytest.approx(1) and max(chances, key=chances.get) == "drugs"

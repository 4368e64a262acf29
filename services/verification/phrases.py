"""The phrases the triage is sure of, and the situations that make a tip urgent. Pure data.

Phrases are written with their diacritics, for the reader and for the officer's screen, and
matched folded (text.fold) as whole words. Without diacritics many syllables collide ("chay" is
both "cháy" and "chạy", "lua" both "lửa" and "lừa", "dan" both "đạn" and "dân"), so such syllables
appear only inside longer phrases. A category phrase's weight says how sure it is alone: the
learned model (triage.py) reads the summed weights as features beside the words.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .text import fold

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Text:
    """A text as phrases are matched in it: folded, and its words as typed (lower case), or
    None when it was typed without diacritics (then only the folded form can be read)."""
    folded: str
    spelled: frozenset[str] | None

    @classmethod
    def of(cls, text: str, folded: str) -> "Text":
        words = frozenset(_WORD.findall(unicodedata.normalize("NFC", text.lower())))
        return cls(folded, words if any(not w.isascii() for w in words) else None)


class Phrases:
    """"phrase:weight, phrase:weight" → the folded phrases, their weights and their spelling.

    A phrase of two or more syllables is matched folded. A single syllable folded is often
    several words ("dao" is "dao", "đạo" and "đào"), so in a text typed with diacritics it is
    matched as spelled, and folded only in a text typed without them."""

    def __init__(self, spec: str):
        self.weights: dict[str, float] = {}
        self.spelling: dict[str, str] = {}
        for item in spec.split(","):
            phrase, weight = item.strip().rsplit(":", 1)
            self.weights[fold(phrase)] = float(weight)
            self.spelling[fold(phrase)] = phrase

    def found(self, text: Text) -> list[str]:
        """The folded phrases that occur as whole words in `text`."""
        padded = f" {text.folded} "
        return [p for p in self.weights if f" {p} " in padded
                and (text.spelled is None or " " in p or self.spelling[p].lower() in text.spelled)]

    def score(self, text: Text) -> float:
        return sum(self.weights[p] for p in self.found(text))


CATEGORY: dict[str, Phrases] = {name: Phrases(spec) for name, spec in {
    "theft": "trộm:3, trộm cắp:3, kẻ gian:2, cướp:3, giật túi:3, giật dây chuyền:3, móc túi:3,"
             "cạy khóa:3, phá khóa:3, bẻ khóa:3, cắt khóa:2, đột nhập:2, phá két:3, két sắt:2,"
             "đập kính:2, lấy điện thoại:2, giả vờ:1.5, lấy mất:2, tháo biển số:2, bị mất:1, mất đồ:2",
    "drugs": "ma túy:3, heroin:3, thuốc lắc:3, cần sa:3, bay lắc:3, nghiện:2.5, tiêm chích:3,"
             "kim tiêm:2, chích:1.5, chơi đá:2.5, hàng đá:2.5, nước vui:2.5, bóng cười:2.5,"
             "chất kích thích:2.5, phê thuốc:3, cai nghiện:3, cỏ mỹ:2.5, ảo giác:1.5,"
             "lên cơn:1, shisha:1.5",
    "gambling": "đánh bạc:3, sới bạc:3, sòng bạc:3, gá bạc:3, bài bạc:3, đám bạc:3, xóc đĩa:3,"
                "lô đề:3, số đề:3, ghi số:2, cá độ:3, cá cược:3, đặt cược:3, ăn tiền:2.5,"
                "đánh bài:2, chơi bài:2, đổi thưởng:3, bắn cá:1.5, tài xỉu:3, đá gà:3,"
                "sát phạt:3, đánh chắn:3, tiền hồ:2, tiền cược:3",
    "fight": "đánh nhau:3, ẩu đả:3, xô xát:3, hỗn chiến:3, đâm chém:3, bị đâm:2.5, hành hung:3,"
             "đánh đập:3, bạo hành:3, gây thương tích:3, đánh hội đồng:3, vây đánh:3,"
             "chặn đánh:3, đánh người:3, gây gổ:1.5, đuổi đánh:3, rượt đuổi:1.5, bị đánh:2.5,"
             "đánh vợ:3, gậy gộc:2, chém:2, đánh vào:2, gây sự:1.5, kêu cứu:1, đập nhau:2.5,"
             "rượt nhau:2.5, bị thương:1, chứng thương:2",
    "illegal_lending": "tín dụng đen:3, cho vay:3, nặng lãi:3, lãi nặng:3, lãi cao:2,"
                       "lãi suất:2, đòi nợ:3, bốc họ:3, bát họ:3, vay góp:3, góp ngày:2.5,"
                       "vay app:3, lãi cắt cổ:3, cắt cổ:2, tín chấp:2, vay tiền:2, gốc lãi:2.5,"
                       "khủng bố điện thoại:1.5, sổ đỏ:1, triệu ngày:1.5, vay nhanh:2,"
                       "tài chính:1",
    "weapons": "súng:2.5, mã tấu:3, thanh kiếm:3, kiếm nhật:3, dao kiếm:3, dao phóng lợn:3,"
               "dao bấm:3, dao nhọn:2.5, cầm dao:2.5, mang dao:2.5, dao dài:2.5, lựu đạn:3, bom mìn:3, bom xăng:3, thuốc nổ:3,"
               "vật liệu nổ:3, pháo nổ:3, thuốc pháo:3, pháo hoa:2, côn nhị khúc:3, dùi cui:3,"
               "hơi cay:2.5, vũ khí:3, hung khí:2.5, hộp đạn:3, đầu đạn:3, đạn pháo:3,"
               "đạn chì:3, viên đạn:3, tiếng nổ:1.5, tàng trữ:1, chế tạo:1, chai xăng:2",
    "traffic": "đua xe:3, lạng lách:3, bốc đầu:3, nẹt pô:3, nổ pô:3, tai nạn:3, va chạm:2.5,"
               "vừa tông:3, tông xe:3, tông vào:3, bị xe:1.5, xe tải:1.5, container:1.5,"
               "lòng đường:2.5, vỉa hè:2, đỗ xe:2, ùn tắc:2.5, tắc cứng:2.5, ngược chiều:3,"
               "vượt đèn đỏ:3, đèn tín hiệu:3, mũ bảo hiểm:1.5, quá tải:2.5, biển báo:2.5,"
               "phân luồng:2.5, xe khách:1.5, quay đầu:2, tập lái:3, chở 3:2, cồng kềnh:2.5,"
               "lấn đường:2.5, bấm bụng:2.5, ô tô đỗ:2, say rượu:0.5, lái xe:1, điều khiển:1.5",
    "fire_risk": "bốc cháy:3, đám cháy:3, cháy lớn:3, cháy nhà:3, cháy lan:3, cháy kho:3,"
                 "chữa cháy:2, báo cháy:3, cháy nổ:3, chập cháy:3, dễ cháy:3, cứu hỏa:3,"
                 "lửa bốc:3, tóe lửa:3, lửa cháy:3, lửa đã bén:3, ngọn lửa:3, khói đen:3,"
                 "bốc khói:3, khói bốc:3, có khói:3, khói:1, gas:3, chập:2, xăng lẻ:3,"
                 "bán xăng:2, mùi xăng:3, mùi khét:1.5, pccc:2.5, lối thoát:2.5, hàn cắt:2,"
                 "phồng pin:3, sạc:1.5, mắc điện:2.5, khí hydro:3, đốt rơm rạ:3, đốt rác:3,"
                 "đốt vàng mã:3, dầu nhớt:1.5, mùn cưa:2",
    "disorder": "karaoke:2, loa kẹo kéo:3, loa:1.5, ồn ào:2.5, tiếng ồn:3, ồn quá:2.5,"
                "nhạc to:2, mở nhạc:2, bật nhạc:1.5, mất trật tự:3,"
                "an ninh trật tự:2, gây rối:3, mại dâm:3, mua bán dâm:3, tiếp viên:2,"
                "say xỉn:2, chửi bới:2, tụ tập:1, la hét:1.5, hò hét:2, văng tục:2.5,"
                "tiểu bậy:2.5, nhậu:1, chèo kéo:3, đeo bám:3, ăn xin:3, khiếu kiện:3,"
                "kích động:2.5, đi bão:3, ném trứng:3, ném đá:2, lang thang:2, tâm thần:2,"
                "quá giờ:2, rú ga:2.5, mất ngủ:2, ngủ được:2, hát:1, hát hò:2, cãi vã:1,"
                "xin tiền:1.5, trêu ghẹo:2",
    "fraud": "lừa đảo:3, bị lừa:3, lừa mua:3, lừa tham gia:3, lừa đặt cọc:3, giả danh:3,"
             "mạo danh:3, giả mạo:3, giả làm:2.5, chiếm đoạt:3, chuyển tiền:2, chuyển khoản:1.5, chuyển khoản giả:3,"
             "link lạ:3, tiền ảo:3, đa cấp:3, tiền giả:3, vàng giả:3, trúng thưởng:3,"
             "nộp phí:2, xuất khẩu lao động:3, xin việc:3, cộng tác viên:3, bị hack:3,"
             "mượn tiền:2, sim rác:3, tự xưng:2, giải hạn:3, thầy cúng:2, chặn liên lạc:2,"
             "mất liên lạc:1.5, đặt cọc:1.5, góp vốn:3, đầu tư:2, bưu phẩm:3, bỏ trốn:2,"
             "ngân hàng:1, thẻ tín dụng:2, hứa:1",
    "other": "đánh rơi:3, nhặt được:3, đèn đường:3, bị lạc:3, lạc mẹ:3, thả rông:3,"
             "tạm trú:2, thủ tục:2.5, cảm ơn:3, góp ý:3, hòa giải:3, lấn sang:2.5, cây xanh:3,"
             "mất cccd:3, tuyên truyền:2.5, lắp camera:3, che khuất:3, xác động vật:3,"
             "tái hòa nhập:3, đi khỏi nhà:3, bị lẫn:3, trực ban:3, cấp lại:3",
}.items()}


# What makes a tip urgent whatever its category, each with the reason the officer reads.
SITUATIONS: dict[str, Phrases] = {reason: Phrases(spec) for reason, spec in {
    "đang diễn ra": "đang:1, vừa:1, vừa mới:1, ngay bây giờ:1, lúc này:1, hiện đang:1, vẫn còn:1,"
                    "đang còn:1, ngay lúc này:1, sắp:1, tối nay:1, đêm nay:1",
    "có người bị thương": "bị thương:1, chảy máu:1, cấp cứu:1, ngất:1, bất tỉnh:1, gục:1, vỡ đầu:1,"
                          "nhập viện:1, bị đâm:1, bị chém:1, tử vong:1, nguy kịch:1",
    "có hung khí": "cầm dao:1, con dao:1, súng:1, mã tấu:1, thanh kiếm:1, hung khí:1, gậy gộc:1, tuýp sắt:1, dao găm:1",
    "đe dọa": "đe dọa:1, dọa giết:1, dọa đánh:1, khủng bố:1, tạt sơn:1, tạt mắm tôm:1, ném chất bẩn:1,"
              "siết nợ:1, đòi nợ:1, xiết nợ:1",
    "cháy có thể lan": "cháy lan:1, bốc cháy:1, ngọn lửa:1, khói đen:1, mùi gas:1, rò rỉ gas:1, rò gas:1,"
                       "đang cháy:1, phát nổ:1, tiếng nổ:1, bén lửa:1",
    "người dễ bị tổn thương": "trẻ em:1, học sinh:1, cháu bé:1, em bé:1, bé gái:1, bé trai:1, trẻ nhỏ:1,"
                              "người già:1, cụ bà:1, cụ ông:1, dụ dỗ:1, bắt cóc:1, mất tích:1, "
                              "người khuyết tật:1",
    "khẩn cấp": "khẩn:1, gấp:1, kêu cứu:1, cứu với:1, cứu cứu:1, nhanh lên:1, đến ngay:1, ra ngay:1",
}.items()}

# Nuisances and attempts without loss: low unless a situation above says otherwise.
LOW: dict[str, Phrases] = {name: Phrases(spec) for name, spec in {
    "illegal_lending": "tờ rơi:1, quảng cáo:1",
    "traffic": "vỉa hè:1, đỗ xe:1, ô tô đỗ:1, đèn tín hiệu:1, lấn chiếm:1, bán hàng rong:1",
    "fire_risk": "đốt rác:1, vàng mã:1, khói bụi:1",
    "disorder": "karaoke:1, loa:1, ồn ào:1, tiếng ồn:1, ồn quá:1, nhạc to:1, mở nhạc:1,"
                "hò hét:1, mất ngủ:1, nhậu nhẹt:1, nhạc lớn:1, ngủ được:1",
    "fraud": "không chuyển:1, không bấm:1, cúp máy:1, nắm thông tin:1",
}.items()}

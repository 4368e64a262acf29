from datetime import datetime, timedelta, timezone

import pytest

from services.verification import duplicates

T0 = datetime(2026, 3, 14, 22, 0, tzinfo=timezone(timedelta(hours=7)))
LAT, LON = 19.8067, 105.7852  # Thanh Hóa city centre


def tip(tip_id, content, *, north_m=0.0, hours=0.0, category="fight", located=True):
    return {"_id": tip_id, "content": content, "category": category,
            "location": {"lat": LAT + north_m / 111_195, "lon": LON} if located else None,
            "occurred_at": T0 + timedelta(hours=hours), "received_at": T0 + timedelta(hours=hours)}


HOTLINE = tip("T-1", "Đang có hai nhóm thanh niên hỗn chiến trước quán nhậu trên đường Lê Lai, có người bị thương")
ZALO = tip("T-2", "ae tranh duong Le Lai nhe, 2 nhom dang hon chien truoc quan nhau, 1 nguoi bi thuong",
           north_m=120, hours=2)


def test_haversine():
    assert duplicates.haversine_m(LAT, LON, LAT, LON) == 0
    assert duplicates.haversine_m(LAT, LON, LAT + 1, LON) == pytest.approx(111_195, rel=1e-3)


def test_text_similarity_ignores_diacritics():
    assert duplicates.text_similarity("Ma túy đá", "ma tuy da") == 1
    assert duplicates.text_similarity("", "") == 0


def test_the_same_incident_by_two_channels_scores_high_with_reasons():
    value, reasons = duplicates.score(HOTLINE, ZALO)
    assert value >= duplicates.THRESHOLD
    assert reasons[0] == "cách 120 m / 120 m apart"
    assert reasons[1] == "cách 2 giờ / 2 h apart"
    assert reasons[2] == "cùng loại: đánh nhau / same category: fight"
    assert reasons[3].startswith("nội dung giống 0.")
    assert duplicates.score(ZALO, HOTLINE)[0] == value


@pytest.mark.parametrize("other", [
    tip("T-3", ZALO["content"], north_m=120, hours=24 * 9),   # another day
    tip("T-4", ZALO["content"], north_m=3000, hours=2),       # another place
])
def test_far_in_time_or_space_is_not_proposed(other):
    assert duplicates.score(HOTLINE, other)[0] < duplicates.THRESHOLD


def test_each_signal_counts():
    same = duplicates.score(HOTLINE, ZALO)[0]
    assert duplicates.score(HOTLINE, {**ZALO, "category": "theft"})[0] < same
    assert duplicates.score(HOTLINE, {**ZALO, "content": "Mất trộm xe đạp điện ở nhà xe"})[0] < same
    assert duplicates.score(HOTLINE, {**ZALO, "occurred_at": T0 + timedelta(hours=10)})[0] < same


def test_without_a_location_the_score_says_so_and_is_lower():
    value, reasons = duplicates.score(HOTLINE, {**ZALO, "location": None})
    assert "không rõ vị trí / location unknown" in reasons
    assert value < duplicates.score(HOTLINE, ZALO)[0]


def test_receipt_time_is_used_when_an_incident_time_is_missing():
    late = {**ZALO, "occurred_at": None, "received_at": T0 + timedelta(days=3)}
    assert "cách 3 ngày / 3 days apart" in duplicates.score(HOTLINE, late)[1]


def test_short_gaps_in_minutes_and_long_distances_in_km():
    _, reasons = duplicates.score(HOTLINE, tip("T-5", "x", north_m=2500, hours=0.25))
    assert reasons[0] == "cách 2.5 km / 2.5 km apart" and reasons[1] == "cách 15 phút / 15 min apart"


def test_propose_sorts_best_first_skips_itself_and_the_weak():
    later = tip("T-6", HOTLINE["content"], north_m=10, hours=8)
    far = tip("T-7", ZALO["content"], north_m=5000, hours=30)
    proposals = duplicates.propose(HOTLINE, [later, far, HOTLINE, ZALO])
    assert [p.tip_id for p in proposals] == ["T-2", "T-6"]
    assert proposals[0].score > proposals[1].score >= duplicates.THRESHOLD
    assert proposals[1].as_dict()["reasons"][:2] == ["cách 10 m / 10 m apart", "cách 8 giờ / 8 h apart"]
    assert duplicates.propose(HOTLINE, [ZALO], threshold=1.01) == []

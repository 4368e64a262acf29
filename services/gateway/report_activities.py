"""The yearly report's sentences on the programmes' activities, in the words of the seed article
(Thanh Hóa city, 2024): "Tuần tra Nhân dân được tổ chức với 8.760 lượt, 21.900 lượt người tham
gia, giải quyết 26 mâu thuẫn trong cộng đồng; tuần tra vũ trang 2.920 lượt với 23.360 lượt
người tham gia, phát hiện 106 trường hợp vi phạm giao thông, 5 vụ ma túy, 2 vụ trộm cắp."
Pure text from the figures of `activity_stats.report_activities` (`{kind: {activities,
participants, traffic, drugs, theft, disputes_settled, other, ...}}`); Vietnamese, or English
for `lang="en"`. A finding of 0 is not mentioned. `show` formats a figure for the audience
(report.Figures.show: "8.760", or "< 5" in a public report).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Lang = Literal["vi", "en"]
FOUND = ("traffic", "drugs", "theft", "other")
WORDS = {
    "vi": {"traffic": "{} trường hợp vi phạm giao thông", "drugs": "{} vụ ma túy", "theft": "{} vụ trộm cắp",
           "other": "{} trường hợp vi phạm khác", "found": "phát hiện {}",
           "settled": "giải quyết {} mâu thuẫn trong cộng đồng",
           "patrol": "Tuần tra Nhân dân được tổ chức với {n} lượt, {p} lượt người tham gia",
           "armed_patrol": "tuần tra vũ trang {n} lượt với {p} lượt người tham gia",
           "dispute_mediation": "{n} lượt hòa giải với {p} lượt người tham gia",
           "propaganda": "{n} buổi tuyên truyền với {p} lượt người tham gia",
           "other_kind": "{n} hoạt động khác với {p} lượt người tham gia",
           "besides": "Ngoài ra, các mô hình đã tổ chức {}."},
    "en": {"traffic": "{} traffic violations", "drugs": "{} drug cases", "theft": "{} thefts",
           "other": "{} other violations", "found": "finding {}",
           "settled": "settling {} disputes within the community",
           "patrol": "People's patrols went out {n} times with {p} participants",
           "armed_patrol": "armed patrols went out {n} times with {p} participants",
           "dispute_mediation": "{n} mediations with {p} participants",
           "propaganda": "{n} propaganda sessions with {p} participants",
           "other_kind": "{n} other activities with {p} participants",
           "besides": "The programmes also held {}."},
}
KIND_NAMES = {"patrol": ("Tuần tra Nhân dân", "People's patrols"),
              "armed_patrol": ("Tuần tra vũ trang", "Armed patrols"),
              "dispute_mediation": ("Hòa giải mâu thuẫn", "Dispute mediation"),
              "propaganda": ("Tuyên truyền", "Propaganda"), "other": ("Hoạt động khác", "Other activities")}


def _phrase(kind: str, figures: dict, show: Callable[[int], str], lang: Lang) -> str:
    w = WORDS[lang]
    head = w["other_kind" if kind == "other" else kind].format(n=show(figures["activities"]),
                                                               p=show(figures["participants"]))
    found = [w[k].format(show(figures[k])) for k in FOUND if figures.get(k)]
    tail = ([w["found"].format(", ".join(found))] if found else []) + \
           ([w["settled"].format(show(figures["disputes_settled"]))] if figures.get("disputes_settled") else [])
    return ", ".join([head, *tail])


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentences(activities: dict[str, dict], show: Callable[[int], str], lang: Lang = "vi") -> list[str]:
    """The patrols' sentence (people's and armed patrols, one sentence as the article has it),
    then one for the other kinds; none for kinds without activities."""
    out = []
    patrols = [_phrase(k, activities[k], show, lang) for k in ("patrol", "armed_patrol") if k in activities]
    if patrols:
        out.append(_capitalised("; ".join(patrols)) + ".")
    others = [_phrase(k, activities[k], show, lang) for k in ("dispute_mediation", "propaganda", "other")
              if k in activities]
    if others:
        out.append(WORDS[lang]["besides"].format(", ".join(others)))
    return out


def kind_name(kind: str, lang: Lang = "vi") -> str:
    return KIND_NAMES.get(kind, (kind, kind))[lang == "en"]

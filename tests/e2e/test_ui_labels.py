"""Vietnamese first on every staff screen (issue 15), in headless Chromium on the real stack: each
role (officer, clerk, commander, camera operator) logs in, its menu offers exactly the pages its
APIs let it use, and every staff page it opens, on tips of many categories, channels and
statuses, a case, a camera and an extraction, shows names, never codes: the visible text
(`document.body.innerText`) holds no English category, priority, status, channel, role, legal
step or clock code as a whole word, no folded triage phrase, no bare unit code and no English
API message. A bad batch row and a bad header are explained in Vietnamese. Ward 16378 (phường
Rừng Thông) belongs to this module only."""
from __future__ import annotations

import re
import typing
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.common import commands
from services.common.auth import ROLES
from services.verification import clocks, triage
from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, login, opened, shot, until

WARD, WARD_NAME, PLACE = "16378", "Phường Rừng Thông", (19.8185, 105.7168)
RUN = uuid.uuid4().hex[:6]
USERS = {"officer": "canbo.rungthong", "clerk": "tiepnhan.rungthong", "commander": "chihuy.rungthong",
         "camera_operator": "camera.rungthong"}
CAMERA = f"UI-CAM-RT-{RUN}"
# one tip per category the triage knows, by the channels a clerk records
TIPS = (("hotline", "Đang có đánh nhau ở ngã tư Rừng Thông, một người bị thương chảy máu"),
        ("walk_in", "Kẻ gian cạy khóa lấy trộm xe máy trước chợ Rừng Thông đêm qua"),
        ("tip_box", "Có người bán ma túy cho thanh niên ở quán nước đầu ngõ"),
        ("leaflet", "Nhóm người tụ tập đánh bạc ăn tiền, xóc đĩa trong nhà kho"),
        ("hotline", "Thanh niên đua xe lạng lách, nẹt pô trên đường tỉnh lộ mỗi tối"),
        ("hotline", "Bị lừa đảo chuyển khoản, kẻ giả danh công an gọi điện"),
        ("walk_in", "Nhóm cho vay nặng lãi đến đòi nợ, dọa ném chất bẩn vào nhà"),
        ("tip_box", "Nghi có người cất giấu súng và mã tấu trong nhà trọ"),
        ("hotline", "Ngửi thấy mùi gas rò rỉ và có khói đen ở dãy ki-ốt"),
        ("leaflet", "Quán karaoke hát hò ồn ào quá giờ, hàng xóm mất ngủ"))
MENU = {"officer": {"/can-bo", "/can-bo/vu-viec", "/tiep-nhan", "/chi-huy", "/camera"},
        "clerk": {"/tiep-nhan", "/tiep-nhan/hoat-dong", "/chi-huy"},
        "commander": {"/can-bo", "/can-bo/vu-viec", "/tiep-nhan", "/tiep-nhan/hoat-dong", "/chi-huy", "/camera"},
        "camera_operator": {"/chi-huy", "/camera"}}
# the codes no page may show as a word (Zalo, SMS and web are the same words in Vietnamese)
CODES = {*triage.CATEGORIES, *triage.PRIORITIES, "received", "converted", *typing.get_args(commands.Outcome),
         *typing.get_args(commands.CaseStatus), *(set(typing.get_args(commands.Channel)) - {"web", "zalo", "sms"}),
         *ROLES, *typing.get_args(commands.StepName), *(set(typing.get_args(clocks.State)) - {"ok"}),
         "household", "business", "public_body", "working", "broken"}
RAW_CODE = re.compile(r"\b(" + "|".join(sorted(CODES, key=len, reverse=True)) + r")\b")
BARE_UNIT = re.compile(r"\b\d{2}\s*›\s*\d{3}|\b" + WARD + r"\b")
ENGLISH = ("may not", "is required", "needs one of", "no administrative unit", "Error ", "Có lỗi 4")
# what the pages read to show them, to prove the menu: a hidden page's API refuses the role
PROBES = {"/can-bo": ("GET", "/api/v1/queue", None), "/can-bo/vu-viec": ("GET", "/api/v1/cases", None),
          "/tiep-nhan": ("POST", "/api/v1/tips", {"channel": "hotline", "unit_code": WARD,
                                                  "content": f"Tin thử quyền ghi tin ({RUN})"}),
          "/chi-huy": ("GET", "/api/v1/stats/tips", None), "/camera": ("GET", "/api/v1/cameras", None)}


@pytest.fixture(scope="module")
def data(gateway, make_user) -> dict:
    """Through the API: the ten tips (one located), two decided valuable and one of them a
    case, a legal step on another, a camera by the tip and an extraction for the case."""
    heads = {role: make_user(name, role, WARD) for role, name in USERS.items()}
    ids = []
    for i, (channel, content) in enumerate(TIPS):
        body = {"channel": channel, "unit_code": WARD, "content": f"{content} ({RUN})"}
        if i == 1:
            body["location"] = {"lat": PLACE[0], "lon": PLACE[1]}
        r = gateway.post("/api/v1/tips", headers=heads["clerk"], json=body)
        assert r.status_code == 202, r.text
        ids.append(r.json()["tip_id"])
    tips = [eventually(lambda i=i: (r := gateway.get(f"/api/v1/tips/{i}", headers=heads["officer"])).status_code == 200
                       and r.json(), 90) for i in ids]
    assert len({t["category"] for t in tips}) >= 6, [t["category"] for t in tips]
    officer = heads["officer"]
    for tip in tips[1:3]:
        assert gateway.post(f"/api/v1/tips/{tip['tip_id']}/claim", headers=officer).status_code == 200
        r = gateway.post(f"/api/v1/tips/{tip['tip_id']}/decision", headers=officer, json={"outcome": "valuable"})
        assert r.status_code == 200, r.text
    r = gateway.post(f"/api/v1/tips/{ids[0]}/legal", headers=officer, json={
        "step": "forward", "legal_basis": "Điều 145 BLTTHS"})
    assert r.status_code == 200, r.text
    r = gateway.post("/api/v1/cases", headers=officer,
                     json={"title": f"Trộm xe máy chợ Rừng Thông {RUN}", "unit_code": WARD, "tip_ids": [ids[1]]})
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    r = gateway.post("/api/v1/cameras", headers=heads["camera_operator"], json={
        "camera_id": CAMERA, "unit_code": WARD, "location": {"lat": PLACE[0] + 0.0005, "lon": PLACE[1]},
        "owner": {"kind": "household", "name": "Lê Văn Bình", "contact": "0912 000 111"}, "retention_days": 30,
        "installed_at": "2025-06-01T00:00:00+07:00"})
    assert r.status_code == 201, r.text
    now = datetime.now(timezone.utc)
    r = gateway.post("/api/v1/extractions", headers=officer, json={
        "camera_id": CAMERA, "case_id": case_id, "time_from": (now - timedelta(hours=3)).isoformat(),
        "time_to": (now - timedelta(hours=2)).isoformat(), "reason": "Hình ảnh trước chợ lúc xảy ra vụ trộm",
        "files": [{"name": "truoc-cho.mp4", "size": 2048, "sha256": "cd" * 32}]})
    assert r.status_code == 201, r.text
    contents = " ".join(t["content"] for t in tips).lower()
    # the phrases as the triage folds them ("danh nhau"), unless a tip's text has them as they are
    folded = {triage.fold(p) for t in tips for p in t["triage"].get("matched", [])} - set(contents.split())
    folded = {p for p in folded if p not in contents}
    assert folded  # the triage of these tips matched folded phrases: the scan below can fail
    return {"heads": heads, "tips": ids, "case_id": case_id, "extraction_id": r.json()["extraction_id"],
            "folded": folded}


def staff_pages(role: str, data: dict) -> list[str]:
    tips = [f"/can-bo/tin/{i}" for i in data["tips"]] if role == "officer" else [f"/can-bo/tin/{data['tips'][0]}"]
    work = ["/can-bo", *tips, "/can-bo/vu-viec", f"/can-bo/vu-viec/{data['case_id']}"]
    cameras = ["/camera", "/camera/trich-xuat", f"/camera/trich-xuat/{data['extraction_id']}"]
    entry = ["/tiep-nhan", "/tiep-nhan/nhap-lo"]
    activity = ["/tiep-nhan/hoat-dong"]
    return {"officer": work + entry + ["/chi-huy"] + cameras,
            "commander": work + entry + activity + ["/chi-huy"] + cameras,
            "clerk": entry + activity + ["/chi-huy"], "camera_operator": ["/chi-huy"] + cameras}[role]


# the batch page documents the channel codes a file's channel column takes: that hint is exempt
VISIBLE_TEXT = """() => { const hint = document.querySelector('#file-hint');
  const saved = hint && hint.style.display; if (hint) hint.style.display = 'none';
  const text = document.body.innerText; if (hint) hint.style.display = saved; return text; }"""


def settled_text(page) -> str:
    """The page's visible text once its data (and the units' names) arrived."""
    page.wait_for_load_state("networkidle")
    return until(lambda: (text := page.evaluate(VISIBLE_TEXT)) and "Đang tải…" not in text and text, 30)


def problems(text: str, folded: set[str]) -> list[str]:
    found = [f"code {m.group(0)!r}" for m in RAW_CODE.finditer(text)]
    found += [f"unit {m.group(0)!r}" for m in BARE_UNIT.finditer(text)]
    found += [f"folded {p!r}" for p in folded if re.search(rf"\b{re.escape(p)}\b", text.lower())]
    return found + [f"English {e!r}" for e in ENGLISH if e in text]


@pytest.mark.parametrize("role", ["officer", "clerk", "commander", "camera_operator"])
def test_each_roles_menu_and_pages_show_names_never_codes(browser, stack, gateway, data, role):
    from playwright.sync_api import expect
    with opened(browser, stack, DESKTOP) as page:
        login(page, USERS[role])
        menu = {a.evaluate("(a) => a.pathname") for a in page.locator("header nav a[data-roles]").all() if a.is_visible()}
        assert menu == MENU[role]
        for hidden in set(PROBES) - menu:  # what the menu leaves out, the API refuses
            method, path, body = PROBES[hidden]
            r = gateway.request(method, path, headers=data["heads"][role], json=body)
            assert r.status_code == 403, (role, hidden, r.status_code)
        who = page.locator("#who")
        expect(who).to_contain_text(WARD_NAME)
        expect(who.locator(".unit")).to_have_attribute("title", WARD)
        found = {}
        for path in staff_pages(role, data):
            page.goto(f"{path}?lang=vi")
            text = settled_text(page)
            if bad := problems(text, data["folded"]):
                found[path] = bad
            if path.startswith("/can-bo/tin/") and path.endswith(data["tips"][0]):
                expect(page.locator("#f-category")).to_contain_text("Đánh nhau")
                expect(page.locator("#f-priority")).to_contain_text("Cao")
                expect(page.locator("#f-unit")).to_have_text(f"Tỉnh Thanh Hóa › Thành phố Thanh Hóa › {WARD_NAME}")
                expect(page.locator("#f-unit .unit")).to_have_attribute("title", f"38 › 380 › {WARD}")
                expect(page.locator("#legal-steps")).to_contain_text("Đã chuyển tin")
                expect(page.locator("#f-channel")).to_have_text("Đường dây nóng")
                shot(page, f"15-tip-{role}")
        assert found == {}, found


def test_a_page_the_role_may_not_use_says_so_in_vietnamese(browser, stack, data):
    from playwright.sync_api import expect
    with opened(browser, stack, DESKTOP, allow=("status of 403",)) as page:
        login(page, USERS["clerk"])
        page.goto("/can-bo?lang=vi")
        expect(page.locator("#status")).to_have_text("Vai trò hoặc đơn vị của bạn không được làm việc này.")
        page.goto("/can-bo?lang=en")
        expect(page.locator("#status")).to_have_text("Your role or unit may not do this.")


def test_the_batch_page_explains_bad_rows_and_headers_in_vietnamese(browser, stack, data):
    from playwright.sync_api import expect
    csv = ("kênh,nội dung,mã đơn vị\n"
           f"tip_box,Thư tố giác có người bán hàng cấm ở chợ ({RUN}),{WARD}\n"
           f"leaflet,Phiếu phát giác không rõ đơn vị ({RUN}),99999\n"
           f"leaflet,,{WARD}\n")
    with opened(browser, stack, DESKTOP, allow=("status of 422",)) as page:
        login(page, USERS["clerk"])
        page.goto("/tiep-nhan/nhap-lo?lang=vi")
        with page.expect_download() as download:
            page.click("#template")
        header = open(download.value.path(), encoding="utf-8-sig").read().splitlines()[0]
        assert header.startswith("kênh,nội dung,mã đơn vị,")
        page.set_input_files("#file", files=[{"name": f"phieu-{RUN}.csv", "mimeType": "text/csv",
                                              "buffer": csv.encode("utf-8")}])
        page.click("#upload button[type=submit]")
        expect(page.locator("#n-failed")).to_have_text("2")
        rows = page.locator("#errors tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Mã đơn vị")
        expect(rows.nth(0)).to_contain_text("không có đơn vị hành chính nào mang mã 99999")
        expect(rows.nth(1)).to_contain_text("Nội dung")
        expect(rows.nth(1)).to_contain_text("chưa nhập (bắt buộc)")
        assert problems(page.evaluate(VISIBLE_TEXT), set()) == []
        shot(page, "15-batch-errors")
        page.set_input_files("#file", files=[{"name": f"sai-cot-{RUN}.csv", "mimeType": "text/csv",
                                              "buffer": "kênh,ghi chú\nleaflet,x\n".encode("utf-8")}])
        page.click("#upload button[type=submit]")
        status = page.locator("#status")
        expect(status).to_contain_text("Có thông tin chưa hợp lệ")
        expect(status).to_contain_text("ghi chú: không phải là cột được nhận")
        expect(status).to_contain_text("Nội dung: thiếu cột bắt buộc")


def test_the_scan_finds_what_the_issue_saw():
    """The screens of the issue ("Loại: fight", folded phrases, "Đơn vị: 38 › 380 › 14776", the
    English 403) are caught; the same facts by name are not."""
    seen = "Loại: fight\nƯu tiên: Cao (danh nhau, bi thuong)\nĐơn vị: 38 › 380 › 14776\nrole 'clerk' may not do this"
    assert sorted(p.split()[0] for p in problems(seen, {"danh nhau", "bi thuong"})) == [
        "English", "code", "code", "folded", "folded", "unit"]
    good = ("Loại: Đánh nhau, gây thương tích\nƯu tiên: Cao (đang diễn ra, có người bị thương)\n"
            "Đơn vị: Tỉnh Thanh Hóa › Thành phố Thanh Hóa › Phường Ba Đình\nKênh: Trang web · Zalo")
    assert problems(good, {"danh nhau", "bi thuong"}) == []


def test_the_triage_reads_in_words_with_or_without_its_new_fields(browser, stack):
    """A tip triaged with `certain` and `reasons` shows "chưa rõ" and the situations; an older
    tip (only `matched`, folded) shows the priority alone, never the folded phrases."""
    with opened(browser, stack, DESKTOP) as page:
        page.goto("/dang-nhap?lang=vi")
        new = {"category": "fight", "priority": "high", "triage": {
            "category": "fight", "priority": "high", "confidence": 0.4, "certain": False,
            "matched": ["đánh nhau", "bị thương"], "reasons": ["đang diễn ra", "có người bị thương"]}}
        old = {"category": "theft", "priority": "normal", "triage": {"category": "theft", "priority": "normal",
                                                                     "matched": ["trom", "bi mat"]}}
        chosen = {**new, "category": "drugs"}  # a clerk's category: the triage's doubt is not about it
        shown = page.evaluate("(tips) => tips.map((t) => [categoryText(t), priorityText(t)])", [new, old, chosen])
        assert shown == [["Đánh nhau, gây thương tích (chưa rõ)", "Cao (đang diễn ra, có người bị thương)"],
                         ["Trộm cắp, cướp giật", "Thường"], ["Ma túy", "Cao (đang diễn ra, có người bị thương)"]]
        page.goto("/dang-nhap?lang=en")
        assert page.evaluate("(t) => [categoryText(t), priorityText(t)]", new) == [
            "Fight, assault (uncertain)", "High (đang diễn ra, có người bị thương)"]

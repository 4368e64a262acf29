"""The camera operator's pages and the public form's map in Debian's headless Chromium on the real
stack: the operator finds the unit's cameras on the map and in the list, logs an extraction for
a case with one uploaded file and one kept on the operator's media (both hashed in the browser,
in chunks), reads the custody log, records a transfer and downloads the signed manifest, which
the offline verifier accepts with the files; an officer sees the registry without the owners'
contacts; a citizen taps the map to place a tip; an operator of the city registers and edits a
camera on the page, finds it offered in the extraction form (with a warning: it is outside the
case's ward), and imports a registry file with rows in error. No page may log a console error.
Wards 15970, 16414, 16417, 16420 and 16432 belong to this module only."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from services.extraction import verify
from tests.conftest import eventually
from tests.e2e.conftest import DESKTOP, PHONE, login, opened, shot

CAMERA_WARD, OTHER_WARD, TIP_WARD = "16432", "15970", "16417"  # Đông Tân, Hoằng Đại, Đông Văn
CENTRE = (19.804448, 105.738051)  # Phường Đông Tân in the unit table
VN = timezone(timedelta(hours=7))
OPERATOR, OFFICER = "op.ui.16432", "canbo.ui.16432"
WORKING, BROKEN, ELSEWHERE = "UI-CAM-DT-1", "UI-CAM-DT-2", "UI-CAM-HD-1"


def camera(camera_id: str, unit_code: str, lat: float, lon: float, **fields) -> dict:
    return {"camera_id": camera_id, "unit_code": unit_code, "location": {"lat": lat, "lon": lon},
            "owner": {"kind": "household", "name": "Nguyễn Thị Lan", "contact": "0912 345 678"},
            "programme_code": "CAMERA-ANTT", "retention_days": 30, "installed_at": "2025-06-01T00:00:00+07:00",
            **fields}


@pytest.fixture(scope="module")
def setup(gateway, admin, make_user) -> dict:
    """Through the API: the operator's two cameras, one in another ward, and a case opened from
    a valuable tip of the operator's ward."""
    operator = make_user(OPERATOR, "camera_operator", CAMERA_WARD)
    officer = make_user(OFFICER, "officer", CAMERA_WARD)
    for headers, body in ((operator, camera(WORKING, CAMERA_WARD, CENTRE[0] + 0.002, CENTRE[1] + 0.002)),
                          (operator, camera(BROKEN, CAMERA_WARD, CENTRE[0] - 0.003, CENTRE[1] - 0.002,
                                            status="broken", owner={"kind": "business", "name": "Cửa hàng Minh Anh"},
                                            programme_code=None, retention_days=15)),
                          (admin, camera(ELSEWHERE, OTHER_WARD, 19.796, 105.832))):
        r = gateway.post("/api/v1/cameras", json=body, headers=headers)
        assert r.status_code in (201, 409), r.text
    r = gateway.post("/api/v1/tips", json={"channel": "web", "unit_code": CAMERA_WARD,
                                           "content": "Xe máy bị lấy trộm trước cửa hàng tạp hóa đường Đông Tân lúc 20 giờ"})
    assert r.status_code == 202, r.text
    tip_id = r.json()["tip_id"]
    eventually(lambda: gateway.get(f"/api/v1/tips/{tip_id}", headers=officer).status_code == 200)
    r = gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=officer, json={"outcome": "valuable"})
    assert r.status_code == 200, r.text
    r = gateway.post("/api/v1/cases", headers=officer,
                     json={"title": "Trộm xe máy đường Đông Tân", "unit_code": CAMERA_WARD, "tip_ids": [tip_id]})
    assert r.status_code == 201, r.text
    return {"case_id": r.json()["case_id"], "tip_id": tip_id}


def footage(path, size: int, seed: bytes) -> str:
    """A file of `size` pseudo-random bytes; its SHA-256 by hashlib."""
    block = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(4096))  # 128 KiB
    data = (block * (size // len(block) + 1))[:size]
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_the_operator_logs_an_extraction_whose_manifest_verifies(browser, stack, gateway, setup, tmp_path):
    from playwright.sync_api import expect
    uploaded, kept = tmp_path / "cong-truoc.mp4", tmp_path / "dau-ghi-kenh-2.mp4"
    uploaded_sha = footage(uploaded, 150_000, b"upload")
    kept_sha = footage(kept, 9 * 1024 * 1024 + 123, b"kept")  # three 4 MiB chunks in the browser
    yesterday = datetime.now(VN) - timedelta(days=1)
    with opened(browser, stack, DESKTOP) as page:
        login(page, OPERATOR)
        assert "/camera" in page.url  # an operator lands on the registry
        rows = page.locator("#cameras tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("#cameras")).to_contain_text(WORKING)
        expect(page.locator("#cameras")).not_to_contain_text(ELSEWHERE)  # another ward's camera
        expect(rows.filter(has_text=WORKING)).to_contain_text("0912 345 678")  # operators see the contact
        expect(page.locator("#map path.cam")).to_have_count(2)
        expect(page.locator("#map path.cam-broken")).to_have_count(1)
        expect(page.locator(f"#map path.ward-{CAMERA_WARD}")).to_have_count(1)

        page.select_option("#f-status", "broken")
        page.click("#filters button[type=submit]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(BROKEN)
        page.select_option("#f-status", "")
        page.fill("#f-lat", str(CENTRE[0] + 0.002))
        page.fill("#f-lon", str(CENTRE[1] + 0.002))
        page.fill("#f-radius", "200")
        page.click("#filters button[type=submit]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(WORKING)
        expect(rows.first.locator("td").nth(6)).to_have_text("0 m")
        expect(page.locator("#map path.near-circle")).to_have_count(1)
        page.click("#near-clear")
        expect(rows).to_have_count(2)

        page.locator("#map path.cam-working").click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_contain_text(WORKING)
        expect(popup).to_contain_text("Hộ gia đình")
        expect(popup).to_contain_text("30 ngày")
        expect(popup).to_contain_text("Đang hoạt động")
        shot(page, "c1-camera-registry")
        popup.get_by_role("link").click()

        page.wait_for_url("**/camera/trich-xuat?**")
        expect(page.locator("#camera")).to_have_value(WORKING)
        page.fill("#case_id", setup["case_id"])
        page.fill("#time_from", yesterday.replace(hour=19, minute=55, second=0).strftime("%Y-%m-%dT%H:%M:%S"))
        page.fill("#time_to", yesterday.replace(hour=20, minute=25, second=0).strftime("%Y-%m-%dT%H:%M:%S"))
        page.fill("#device_time", (datetime.now(VN) - timedelta(minutes=2)).strftime("%H:%M:%S"))
        page.click("#offset-calc")  # the device shows a time two minutes behind
        assert -130 <= int(page.input_value("#clock_offset_s")) <= -110
        page.fill("#clock_offset_s", "-95")
        page.select_option("#export_method", "sd_card")
        page.fill("#reason", "Trích xuất hình ảnh phục vụ xác minh vụ trộm xe máy")
        page.set_input_files("#files", [str(uploaded), str(kept)])
        files = page.locator("#file-list tbody tr")
        expect(files).to_have_count(2)
        expect(files.filter(has_text=uploaded.name).locator("code.hash")).to_have_text(uploaded_sha)
        expect(files.filter(has_text=kept.name).locator("code.hash")).to_have_text(kept_sha)
        files.filter(has_text=kept.name).locator("input.keep").check()
        shot(page, "c2-extraction-form")
        page.click("#extract button[type=submit]")

        expect(page.locator("#done")).to_be_visible()
        results = page.locator("#results tbody tr")
        expect(results).to_have_count(2)
        for name, sha in ((uploaded.name, uploaded_sha), (kept.name, kept_sha)):
            row = results.filter(has_text=name)
            expect(row.locator("td").nth(1)).to_have_text(sha)  # the browser's
            expect(row.locator("td").nth(2)).to_have_text(sha)  # the server's
            expect(row.locator(".result")).to_contain_text("✓")
        expect(results.filter(has_text=uploaded.name).locator(".result")).to_contain_text("máy chủ nhận đúng tệp")
        extraction_id = page.locator("#done-id").inner_text()
        assert extraction_id.startswith("X-")
        shot(page, "c3-extraction-logged")

        page.click("#open-extraction")
        expect(page.locator("#f-case")).to_have_text(setup["case_id"])
        expect(page.locator("#f-camera")).to_have_text(WORKING)
        expect(page.locator("#f-offset")).to_have_text("-95 s")
        expect(page.locator("#f-method")).to_have_text("Thẻ nhớ")
        stored = page.locator("#files tbody tr")
        expect(stored).to_have_count(2)
        expect(stored.filter(has_text=uploaded.name)).to_contain_text("Đã tải lên máy chủ")
        expect(stored.filter(has_text=kept.name)).to_contain_text("Trên thiết bị của người trích xuất")
        custody = page.locator("#custody tbody tr")
        expect(custody).to_have_count(4)  # logged with the kept file, the upload, this view
        expect(custody.nth(0)).to_contain_text("Ghi nhận trích xuất")
        expect(custody.nth(3)).to_contain_text("Xem")
        page.select_option("#c-action", "transferred")
        page.fill("#c-person", "Trung úy Lê Văn Tâm")
        page.fill("#c-unit", "380")
        page.click("#custody-form button[type=submit]")
        expect(custody).to_have_count(5)
        expect(custody.nth(4)).to_contain_text("Bàn giao")
        expect(custody.nth(4)).to_contain_text("Trung úy Lê Văn Tâm")
        public_key = gateway.get("/api/v1/extractions/manifest-key").json()["public_key"]
        expect(page.locator("#verify-cmd")).to_contain_text(public_key)
        shot(page, "c4-extraction-custody")
        with page.expect_download() as download:
            page.click("#manifest")
        assert download.value.suggested_filename == f"manifest-{extraction_id}.json"
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)

    manifest = json.loads(saved.read_text(encoding="utf-8"))
    assert manifest["extraction"]["case_id"] == setup["case_id"]
    assert manifest["extraction"]["clock_offset_s"] == -95
    assert [e["action"] for e in manifest["custody"]] == ["created", "file_added", "file_added", "viewed", "transferred"]
    assert {f["name"]: (f["sha256"], f["stored"]) for f in manifest["files"]} == {
        kept.name: (kept_sha, False), uploaded.name: (uploaded_sha, True)}
    assert verify.main([str(saved), str(uploaded), str(kept), "--public-key", public_key]) == 0
    kept.write_bytes(kept.read_bytes()[:-1] + b"\x00")  # one byte of the kept copy changes
    assert verify.main([str(saved), str(uploaded), str(kept), "--public-key", public_key]) == 1


def test_the_units_officer_and_commander_see_the_registry_without_owners_contacts(browser, stack, setup, make_user):
    from playwright.sync_api import expect
    make_user("chihuy.ui.16432", "commander", CAMERA_WARD)
    with opened(browser, stack, DESKTOP) as page:
        login(page, OFFICER)
        page.get_by_role("link", name="Camera", exact=True).click()
        page.wait_for_url("**/camera?**")
        rows = page.locator("#cameras tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text=WORKING)).to_contain_text("Nguyễn Thị Lan")
        expect(page.locator("#cameras")).not_to_contain_text("0912")
        expect(page.locator("#new-extraction")).to_be_visible()  # officers may log extractions
        page.goto("/camera?lang=en")
        expect(page.locator("h1")).to_have_text("Camera registry")
        expect(rows.filter(has_text=BROKEN)).to_contain_text("Broken")
        shot(page, "c5-registry-officer-en")
    with opened(browser, stack, DESKTOP) as page:
        login(page, "chihuy.ui.16432")
        page.goto("/camera")
        expect(page.locator("#cameras tbody tr")).to_have_count(2)
        expect(page.locator("#new-extraction")).to_be_hidden()  # commanders read only
        expect(page.locator("#cameras tbody a")).to_have_count(0)


def test_a_citizen_taps_the_map_to_place_a_tip(browser, stack, gateway, admin):
    from playwright.sync_api import expect
    content = "Có người lạ đi xe không biển số dò xét các nhà ở xóm 3 Đông Văn mấy đêm nay"
    with opened(browser, stack, PHONE) as page:
        page.goto("/")
        page.fill("#content", content)
        ward = page.locator(f"#map path.ward-{TIP_WARD}")
        expect(ward).to_have_count(1)
        expect(page.locator("#place-clear")).to_be_hidden()
        page.locator("#map").scroll_into_view_if_needed()
        ward.click(force=True)  # the ward's point, whatever is drawn over it
        expect(page.locator("#ward")).to_have_value(TIP_WARD)
        expect(page.locator("#place")).to_contain_text("Xã Đông Văn")
        expect(page.locator("#map path.place-pt")).to_have_count(1)
        expect(page.locator("#place-clear")).to_be_visible()
        shot(page, "c6-tip-map-phone")
        with page.expect_request(lambda r: r.url.endswith("/api/v1/tips") and r.method == "POST") as sent:
            page.click("#tip-form button[type=submit]")
        expect(page.locator("#receipt")).to_be_visible()
        body = sent.value.post_data_json
        assert body["unit_code"] == TIP_WARD
        assert abs(body["location"]["lat"] - 19.78235) < 0.002 and abs(body["location"]["lon"] - 105.726315) < 0.002
        shot(page, "c7-tip-receipt-phone")

    def stored():
        items = gateway.get("/api/v1/tips", params={"unit_code": TIP_WARD, "page_size": 100}, headers=admin).json()["items"]
        return next((t for t in items if t["content"] == content), None)
    tip = eventually(stored)
    assert tip["location"] == body["location"] and tip["unit_code"] == TIP_WARD


CITY_OPERATOR, NEW_WARD, IMPORT_WARD = "op.ui.380", "16414", "16420"  # Đông Thịnh, Đông Phú
NEW_CENTRE = (19.806028, 105.720448)  # Phường Đông Thịnh in the unit table


def test_a_camera_registered_on_the_page_is_offered_in_the_extraction_form_with_a_ward_warning(
        browser, stack, gateway, setup, make_user):
    from playwright.sync_api import expect
    operator = make_user(CITY_OPERATOR, "camera_operator", "380")
    eventually(lambda: gateway.get("/api/v1/places", params={"case_id": setup["case_id"]}, headers=operator).status_code == 200)
    with opened(browser, stack, DESKTOP, allow=("409",)) as page:
        login(page, CITY_OPERATOR)
        page.goto("/camera")
        expect(page.locator("#register")).to_be_visible()
        expect(page.locator(f"#c-unit_code option[value='{NEW_WARD}']")).to_have_text("Phường Đông Thịnh")
        page.fill("#c-camera_id", "UI-CAM-DTH-1")
        page.select_option("#c-unit_code", NEW_WARD)
        page.fill("#c-lat", str(NEW_CENTRE[0] + 0.001))
        page.fill("#c-lon", str(NEW_CENTRE[1] - 0.001))
        page.fill("#c-installed_at", "2024-03-15")
        page.select_option("#c-owner_kind", "public_body")
        page.fill("#c-owner_name", "Trường THCS Đông Thịnh")
        page.fill("#c-owner_contact", "0237 3 555 111")
        page.fill("#c-retention_days", "30")
        page.click("#camera-submit")
        expect(page.locator("#status")).to_contain_text("Đã đăng ký camera: UI-CAM-DTH-1 (Phường Đông Thịnh)")

        page.fill("#f-q", "truong thcs dong thinh")  # typed without diacritics
        page.click("#filters button[type=submit]")
        rows = page.locator("#cameras tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("td").nth(1)).to_have_text("Phường Đông Thịnh")  # the ward's name, not its code
        expect(rows.first).to_contain_text("Cơ quan, đơn vị: Trường THCS Đông Thịnh")
        page.fill("#f-q", "")
        page.select_option("#f-ward", NEW_WARD)
        expect(rows).to_have_count(1)
        expect(page.locator("#page-of")).to_contain_text("Trang 1/1")

        rows.first.locator("button.edit").click()
        expect(page.locator("#register-title")).to_have_text("Sửa camera")
        expect(page.locator("#c-camera_id")).to_be_disabled()
        page.fill("#c-retention_days", "45")
        page.click("#camera-submit")
        expect(page.locator("#status")).to_contain_text("Đã lưu camera UI-CAM-DTH-1, phiên bản 2")
        expect(rows.first).to_contain_text("45 ngày")
        shot(page, "c8-camera-registered-and-edited")

        page.click("#camera-cancel")  # the same id again: refused, said next to the field
        page.fill("#c-camera_id", "UI-CAM-DTH-1")
        page.select_option("#c-unit_code", NEW_WARD)
        page.fill("#c-lat", str(NEW_CENTRE[0]))
        page.fill("#c-lon", str(NEW_CENTRE[1]))
        page.fill("#c-installed_at", "2024-03-15")
        page.fill("#c-owner_name", "Hộ ông Lê Văn Nam")
        page.click("#camera-submit")
        expect(page.locator("#c-camera_id-error")).to_have_text("Mã camera này đã có trong sổ.")
        expect(page.locator("#c-camera_id")).to_be_focused()

        page.goto(f"/camera/trich-xuat?case={setup['case_id']}")
        expect(page.locator("#for-place")).to_contain_text("Phường Đông Tân")
        ward_group = page.locator("#cams-ward")
        expect(ward_group).to_have_attribute("label", "Camera tại Phường Đông Tân")
        expect(ward_group.locator("option")).to_have_count(2)  # the case's ward's cameras, offered first
        expect(page.locator("#camera optgroup").first).to_have_id("cams-ward")
        page.fill("#camera-search", "UI-CAM-DTH")
        expect(page.locator("#cams-other option[value='UI-CAM-DTH-1']")).to_have_count(1)
        page.select_option("#camera", "UI-CAM-DTH-1")
        warning = page.locator("#ward-warning")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("ở Phường Đông Thịnh, ngoài Phường Đông Tân của vụ việc")
        shot(page, "c9-extraction-out-of-ward-warning")
        page.select_option("#camera", WORKING)
        expect(warning).to_be_hidden()
        page.select_option("#camera", "UI-CAM-DTH-1")
        yesterday = datetime.now(VN) - timedelta(days=1)
        page.fill("#time_from", yesterday.replace(hour=7, minute=0, second=0).strftime("%Y-%m-%dT%H:%M:%S"))
        page.fill("#time_to", yesterday.replace(hour=7, minute=30, second=0).strftime("%Y-%m-%dT%H:%M:%S"))
        page.fill("#reason", "Camera cổng trường ghi được hướng đi của đối tượng")
        page.click("#extract button[type=submit]")
        expect(page.locator("#done")).to_be_visible()
    logged = gateway.get("/api/v1/extractions", params={"camera_id": "UI-CAM-DTH-1"}, headers=operator).json()["items"]
    assert [x["case_id"] for x in logged] == [setup["case_id"]]


def test_a_registry_imported_from_the_page_shows_its_rows_in_error(browser, stack, gateway, make_user):
    from playwright.sync_api import expect
    operator = make_user(CITY_OPERATOR, "camera_operator", "380")
    header = "camera_id,unit_code,lat,lon,owner_kind,owner_name,owner_contact,programme_code,retention_days,status,installed_at"
    rows = [f"UI-IMP-DP-1,{IMPORT_WARD},19.7630,105.7176,household,Hộ bà Trịnh Thị Hạnh,0912000111,,15,working,2024-02-01",
            "UI-IMP-DP-2,99999,19.7630,105.7176,household,Hộ ông Mai Văn Sơn,,,15,working,2024-02-01",
            f"UI-IMP-DP-3,{IMPORT_WARD},19.7631,105.7177,business,,,,30,working,2024-02-01"]
    data = "\n".join([header, *rows]).encode()
    with opened(browser, stack, DESKTOP) as page:
        login(page, CITY_OPERATOR)
        page.goto("/camera")
        page.set_input_files("#file", files=[{"name": "so-camera-dong-phu.csv", "mimeType": "text/csv", "buffer": data}])
        page.click("#upload button[type=submit]")
        expect(page.locator("#job")).to_be_visible()
        expect(page.locator("#job-state")).to_contain_text("Hoàn tất", timeout=90_000)
        expect(page.locator("#n-done")).to_have_text("1")
        expect(page.locator("#n-failed")).to_have_text("2")
        errors = page.locator("#errors tbody tr")
        expect(errors).to_have_count(2)
        expect(errors.nth(0).locator("td").nth(0)).to_have_text("3")  # spreadsheet rows: the header is 1
        expect(errors.nth(0).locator("td").nth(1)).to_have_text("Mã đơn vị")  # the column by its name
        expect(errors.nth(1).locator("td").nth(0)).to_have_text("4")
        expect(errors.nth(1).locator("td").nth(1)).to_have_text("Tên chủ sở hữu")
        shot(page, "c10-registry-import-errors")
        page.select_option("#f-ward", IMPORT_WARD)
        expect(page.locator("#cameras tbody tr")).to_have_count(1)
        expect(page.locator("#cameras tbody tr").first).to_contain_text("UI-IMP-DP-1")
        expect(page.locator("#cameras tbody tr").first).to_contain_text("Xã Đông Phú")
    camera = gateway.get("/api/v1/cameras/UI-IMP-DP-1", headers=operator).json()
    assert camera["unit_code"] == IMPORT_WARD and camera["owner"]["name"] == "Hộ bà Trịnh Thị Hạnh"

"""The gateway's web assets for the maps and the camera pages, without servers: the static route
serves the vendored sub-folders and nothing outside web/static, the ward points and the tile
setting, and every string the camera pages and scripts use exists in both languages."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common import errors
from services.gateway import ui, ui_camera
from services.gateway.settings import GatewaySettings

WEB = ui.WEB
CAMERA_TEMPLATES = ("cameras.html", "extract.html", "extraction.html", "filepicker.html", "results.html")


def client(**env) -> TestClient:
    app = FastAPI()
    errors.install(app)
    app.include_router(ui.router)
    app.include_router(ui_camera.router)
    app.state.settings = GatewaySettings(**env)
    return TestClient(app)


@pytest.mark.parametrize("path, media", [
    ("/static/vendor/leaflet/leaflet.js", "text/javascript"),
    ("/static/vendor/leaflet/leaflet.css", "text/css"),
    ("/static/vendor/leaflet/images/layers.png", "image/png"),
    ("/static/vendor/js-sha256/sha256.js", "text/javascript"),
    ("/static/map.js", "text/javascript"),
    ("/static/app.css", "text/css"),
])
def test_the_vendored_libraries_are_served(path, media):
    r = client().get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)


@pytest.mark.parametrize("path", [
    "/static/../ui.py", "/static/%2e%2e/ui.py", "/static/vendor/..%2F..%2Fui.py", "/static/vendor/%2e%2e/%2e%2e/ui.py",
    "/static/..%2f..%2fsettings.py", "/static/%2fetc%2fpasswd", "/static//etc/hosts", "/static/.hidden.js",
    "/static/vendor/leaflet/LICENSE", "/static/vendor/README.md", "/static/vendor/leaflet/leaflet.js.map",
    "/static/vendor/leaflet/images", "/static/vendor\\leaflet\\leaflet.js", "/static/a/b/c/d/e.js",
])
def test_nothing_outside_web_static_nor_any_other_kind_of_file_is_served(path):
    r = client().get(path)
    assert r.status_code == 404, (path, r.text[:200])


def test_the_ward_points_of_the_city_are_geojson_with_names():
    r = client().get("/ui/wards.geojson")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection" and body["unit"]["code"] == "380"
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    assert len(by_code) == 47
    lon, lat = by_code["16432"]["geometry"]["coordinates"]
    assert by_code["16432"]["properties"]["name"] == "Phường Đông Tân"
    assert (round(lat, 3), round(lon, 3)) == (19.804, 105.738)
    # a ward asks for the points of its district; an unknown code names the field
    assert client().get("/ui/wards.geojson", params={"unit_code": "16432"}).json() == body
    bad = client().get("/ui/wards.geojson", params={"unit_code": "99999"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "unit_code"


def test_a_tile_server_is_offered_only_when_configured():
    assert client().get("/ui/map.json").json() == {"tiles": None}
    assert client(ANTT_MAP_TILES_URL="").get("/ui/map.json").json() == {"tiles": None}
    url = "https://tiles.example.vn/{z}/{x}/{y}.png"
    tiles = client(ANTT_MAP_TILES_URL=url, ANTT_MAP_TILES_ATTRIBUTION="© OSM").get("/ui/map.json").json()["tiles"]
    assert tiles == {"url": url, "attribution": "© OSM"}
    for bad in ("javascript:alert(1)//{z}", "https://tiles.example.vn/no-placeholders.png", "https://x/{z}\"><script>"):
        with pytest.raises(ValueError):
            GatewaySettings(ANTT_MAP_TILES_URL=bad)


@pytest.mark.parametrize("path, title", [("/camera?lang=en", "Camera registry"),
                                         ("/camera/trich-xuat?lang=en", "Log a footage extraction"),
                                         ("/camera/trich-xuat/X-0123ABC?lang=en", "Footage extraction"),
                                         ("/camera", "Sổ camera")])
def test_the_camera_pages_render_in_both_languages(path, title):
    r = client().get(path)
    assert r.status_code == 200
    assert f"<h1>{title}</h1>" in r.text
    assert "/static/camera.js" in r.text and "{{" not in r.text


def used_keys(text: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, text))


def test_every_string_the_camera_pages_use_exists_in_both_languages():
    strings = json.loads((WEB / "strings.json").read_text(encoding="utf-8"))
    for section in ("cameras", "extract", "extraction"):
        table = {**strings["common"], **strings["camera"], **strings[section]}
        assert all(set(v) == {"vi", "en"} for v in table.values())
    known = set(strings["common"]) | set(strings["camera"])
    from services.gateway.ui_camera import ALSO  # the strings of other pages a page uses too
    pages = {s: set(strings[s]) | known | set().union(*(set(strings[o]) for o in ALSO.get(s, ())))
             for s in ("cameras", "extract", "extraction")}
    templates = {"cameras.html": "cameras", "extract.html": "extract", "extraction.html": "extraction"}
    for template, section in templates.items():
        text = (WEB / "templates" / template).read_text()
        for include in re.findall(r'include "([a-z]+\.html)"', text):
            text += (WEB / "templates" / include).read_text()
        missing = used_keys(text, r"\bt\.([a-z0-9_]+)") - pages[section]
        assert not missing, (template, missing)
        for prefix, values in (("st_", ("working", "broken")), ("em_", ("usb", "sd_card", "network", "cloud",
                                                                       "screen_recording", "other")),
                               ("a_", ("transferred", "viewed", "exported"))):
            if f'"{prefix}"' in text:
                assert {prefix + v for v in values} <= pages[section], (template, prefix)
    script = (WEB / "static" / "camera.js").read_text()
    missing = used_keys(script, r"\bT\.([a-z0-9_]+)") - (set().union(*pages.values()))
    assert not missing, missing
    actions = {"a_" + a for a in ("created", "file_added", "viewed", "transferred", "exported", "disposed")}
    assert actions <= pages["extraction"]
    owner_kinds = {"ok_household", "ok_business", "ok_public_body"}
    assert owner_kinds <= known
    tip = set(strings["tip"]) | set(strings["common"])
    assert used_keys((WEB / "static" / "map.js").read_text(), r"\bT\.([a-z0-9_]+)") <= tip
    assert used_keys((WEB / "templates" / "tip.html").read_text(), r"\bt\.([a-z0-9_]+)") <= tip


def test_the_vendored_files_are_the_registry_releases_named_in_the_readme():
    readme = (WEB / "static" / "vendor" / "README.md").read_text()
    assert "leaflet@1.9.4" in readme and "js-sha256@1.0.0" in readme
    assert (WEB / "static" / "vendor" / "leaflet" / "LICENSE").read_text().startswith("BSD 2-Clause License")
    assert "MIT License" in (WEB / "static" / "vendor" / "js-sha256" / "LICENSE").read_text()
    head = (WEB / "static" / "vendor" / "js-sha256" / "sha256.js").read_text()[:300]
    assert "@version 1.0.0" in head and "@license MIT" in head
    assert hashlib.sha256((WEB / "static" / "vendor" / "leaflet" / "leaflet.js").read_bytes()).hexdigest() \
        == "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a"


def test_no_string_is_named_like_a_method_of_the_templates_dict():
    """A template reads `t.clear` as the dict's method, not the string (the queue's reset button
    once read "<built-in method clear of dict object>")."""
    strings = json.loads((WEB / "strings.json").read_text(encoding="utf-8"))
    taken = {name for name in dir(dict) if not name.startswith("_")}
    assert {(section, key) for section, table in strings.items() for key in table if key in taken} == set()

"""The web interface: server-rendered pages (Jinja2) in Vietnamese or English (`?lang=en`)
whose small scripts call the JSON API under /api/v1 with the token kept in sessionStorage.
Every asset is served from services/gateway/web (no CDN)."""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated

import segno
from fastapi import APIRouter, Body, Query, Request, Response
from fastapi import Path as PathPart
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from services.common import tip_columns, units
from services.common.collation import vi_key
from services.common.limits import TIP_CONTENT_MAX
from services.common.errors import ApiError

WEB = Path(__file__).parent / "web"
STATIC = WEB / "static"
LANGS = ("vi", "en")
WARDS_OF = "380"  # the unit whose wards the public form offers (Thanh Hóa city); staff get their own
MEDIA = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".png": "image/png", ".svg": "image/svg+xml"}
STATIC_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")  # no "..", no hidden files
# page path, template, strings section
PAGES = (("/", "tip.html", "tip"), ("/theo-doi", "followup.html", "followup"),
         ("/dang-nhap", "login.html", "login"), ("/can-bo", "queue.html", "queue"),
         ("/tiep-nhan", "intake.html", "intake"), ("/chi-huy", "command.html", "command"),
         ("/can-bo/vu-viec", "cases.html", "cases"), ("/tiep-nhan/hoat-dong", "activity.html", "activity"))

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=WEB / "templates")
templates.env.globals["content_max"] = TIP_CONTENT_MAX  # the counter of every tip text area


@cache
def strings() -> dict:
    return json.loads((WEB / "strings.json").read_text(encoding="utf-8"))


def texts(section: str, lang: str) -> dict[str, str]:
    """The common strings and the page's, in one language."""
    table = {**strings()["common"], **strings()[section]}
    return {key: value[lang] for key, value in table.items()}


@cache
def labels(lang: str) -> dict[str, dict[str, str]]:
    """The display names of codes (categories, priorities, statuses, channels, legal steps,
    clock states, roles, fields and error codes), by kind then code, in one language: the
    pages show these (common.js `label(kind, code)`), never the codes."""
    return {kind: {code: value[lang] for code, value in names.items()}
            for kind, names in strings()["labels"].items()}


# The staff menu: page, its strings key, and the roles whose work it is, as the APIs it calls
# allow them (GET /queue: verification's DECIDING_ROLES; /cases: CASE_ROLES; POST /tips and
# imports: intake's RECORDING_ROLES; activities: its LOGGING_ROLES; /stats: every role in its unit; /cameras: extraction's
# VIEWING_ROLES). tests/e2e/test_ui_labels.py checks each role's menu against those answers.
MENU = (("/can-bo", "nav_queue", ("officer", "commander", "admin")),
        ("/can-bo/vu-viec", "nav_cases", ("officer", "commander", "admin")),
        ("/tiep-nhan", "nav_intake", ("clerk", "officer", "commander", "admin")),
        ("/tiep-nhan/hoat-dong", "nav_activity", ("clerk", "commander", "admin")),
        ("/chi-huy", "nav_command", ("clerk", "officer", "camera_operator", "commander", "ops", "admin")),
        ("/camera", "nav_camera", ("camera_operator", "officer", "commander", "admin")))


def respond(request: Request, template: str, t: dict[str, str], lang: str, page: str, **extra) -> HTMLResponse:
    """A page with its strings `t`, the code labels and the staff menu."""
    return templates.TemplateResponse(request, template, {"t": t, "lang": lang, "page": page, "labels": labels(lang),
                                                          "menu": MENU, **extra})


def render(request: Request, template: str, section: str, lang: str, **extra) -> HTMLResponse:
    lang = lang if lang in LANGS else "vi"
    return respond(request, template, texts(section, lang), lang, section, **extra)


def _page(template: str, section: str):
    async def page(request: Request, lang: Annotated[str, Query(max_length=2)] = "vi") -> HTMLResponse:
        return render(request, template, section, lang)
    return page


for _path, _template, _section in PAGES:
    router.add_api_route(_path, _page(_template, _section), methods=["GET"], response_class=HTMLResponse)


@router.get("/tiep-nhan/nhap-lo", response_class=HTMLResponse)
async def batch_page(request: Request, lang: Annotated[str, Query(max_length=2)] = "vi") -> HTMLResponse:
    """The batch import, with the columns a file may have (Vietnamese headers or English names)."""
    return render(request, "batch.html", "batch", lang, columns=tip_columns.COLUMNS)


@router.get("/tiep-nhan/mau-nhap-lo.csv")
async def batch_template() -> Response:
    """An empty import file whose header names the columns in Vietnamese."""
    return Response(tip_columns.template_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="mau-nhap-lo-tin-bao.csv"',
                             "Cache-Control": "max-age=300"})


@router.get("/can-bo/tin/{tip_id}", response_class=HTMLResponse)
async def tip_page(request: Request, tip_id: str, lang: Annotated[str, Query(max_length=2)] = "vi") -> HTMLResponse:
    return render(request, "tipview.html", "tipview", lang, tip_id=tip_id)


@router.get("/can-bo/vu-viec/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: Annotated[str, PathPart(min_length=1, max_length=64)],
                    lang: Annotated[str, Query(max_length=2)] = "vi") -> HTMLResponse:
    """One case: its facts and history, tips, status changes, cameras at risk and extractions."""
    return render(request, "case.html", "case", lang, case_id=case_id)


@router.get("/static/{name:path}")
async def static(name: str) -> FileResponse:
    """A file under web/static (vendored libraries in sub-folders): every part of the path is a
    plain name, and the resolved file must still lie under web/static."""
    parts = name.split("/")
    path = STATIC.joinpath(*parts)
    if (len(parts) > 4 or not all(STATIC_PART.fullmatch(part) for part in parts) or path.suffix not in MEDIA
            or not path.resolve().is_relative_to(STATIC.resolve()) or not path.is_file()):
        raise ApiError(404, "no such file")
    return FileResponse(path, media_type=MEDIA[path.suffix], headers={"Cache-Control": "max-age=300"})


@cache
def units_under(code: str) -> dict[str, list[dict[str, str]]]:
    """The wards (with their district's name) and the districts at or below a unit, by
    district then name in Vietnamese order (collation.py): a ward gives itself, a district its
    wards, a province all of them."""
    every = units.all_units().values()
    districts = sorted((u for u in every if u.level == "district" and code in (u.code, u.parent)),
                       key=lambda u: vi_key(u.name))
    names = {d.code: d.name for d in districts}
    found = [u for u in every if u.level == "ward" and (u.code == code or u.parent in names)]
    if found and found[0].code == code:
        names[found[0].parent] = units.get(found[0].parent).name
    found.sort(key=lambda u: (vi_key(names[u.parent]), vi_key(u.name)))
    return {"districts": [{"code": d.code, "name": d.name} for d in districts],
            "wards": [{"code": u.code, "name": u.name, "district": names[u.parent]} for u in found]}


@router.get("/ui/units.json")
async def unit_list(unit_code: Annotated[str, Query(pattern=r"^[0-9]{2,5}$")] = WARDS_OF) -> dict:
    """The pickers' units (public names and codes, no login): the wards at or below `unit_code`
    (default: Thanh Hóa city, for the public form; staff pages ask for their login's unit)."""
    unit = units.get(unit_code)
    if unit is None:
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "unit_code", "reason": f"no administrative unit has code {unit_code}"}])
    return {"unit": {"code": unit.code, "name": unit.name, "level": unit.level},
            "district": {"code": unit.code, "name": unit.name}, **units_under(unit.code)}


def unit_names(codes: list[str]) -> dict[str, str]:
    """The names of units by code (legacy units first, then those of the 2025 reform); codes of
    no unit are left out."""
    found = {}
    for code in codes:
        unit = units.get(code) or units.units_2025().get(code)
        if unit is not None:
            found[code] = unit.name
    return found


@router.get("/ui/unit-names.json")
async def unit_name_list(codes: Annotated[str, Query(pattern=r"^[0-9]{2,5}(,[0-9]{2,5}){0,199}$")]) -> Response:
    """Public names of up to 200 units at once (`codes=38,380,14776`), so a page shows a list's
    units by name with one request, not one per row."""
    return Response(json.dumps(unit_names(codes.split(",")), ensure_ascii=False),
                    media_type="application/json", headers={"Cache-Control": "max-age=300"})


@router.post("/ui/qr")
async def qr(text: Annotated[str, Body(embed=True, max_length=300)]) -> Response:
    """A QR code (SVG) made here: a receipt must never travel in a URL or to a third party."""
    svg = segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

"""The web interface: server-rendered pages (Jinja2) in Vietnamese or English (`?lang=en`)
whose small scripts call the JSON API under /api/v1 with the token kept in sessionStorage.
Every asset is served from services/gateway/web (no CDN)."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated

import segno
from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from services.common import units
from services.common.errors import ApiError

WEB = Path(__file__).parent / "web"
STATIC = WEB / "static"
LANGS = ("vi", "en")
WARDS_OF = "380"  # the district whose wards the pickers offer (Thanh Hóa city)
MEDIA = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
# page path, template, strings section
PAGES = (("/", "tip.html", "tip"), ("/theo-doi", "followup.html", "followup"),
         ("/dang-nhap", "login.html", "login"), ("/can-bo", "queue.html", "queue"),
         ("/tiep-nhan", "intake.html", "intake"), ("/chi-huy", "command.html", "command"))

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=WEB / "templates")


@cache
def strings() -> dict:
    return json.loads((WEB / "strings.json").read_text(encoding="utf-8"))


def texts(section: str, lang: str) -> dict[str, str]:
    """The common strings and the page's, in one language."""
    table = {**strings()["common"], **strings()[section]}
    return {key: value[lang] for key, value in table.items()}


def render(request: Request, template: str, section: str, lang: str, **extra) -> HTMLResponse:
    lang = lang if lang in LANGS else "vi"
    t = texts(section, lang)
    return templates.TemplateResponse(request, template, {"t": t, "lang": lang, "page": section, **extra})


def _page(template: str, section: str):
    async def page(request: Request, lang: Annotated[str, Query(max_length=2)] = "vi") -> HTMLResponse:
        return render(request, template, section, lang)
    return page


for _path, _template, _section in PAGES:
    router.add_api_route(_path, _page(_template, _section), methods=["GET"], response_class=HTMLResponse)


@router.get("/can-bo/tin/{tip_id}", response_class=HTMLResponse)
async def tip_page(request: Request, tip_id: str, lang: Annotated[str, Query(max_length=2)] = "vi") -> HTMLResponse:
    return render(request, "tipview.html", "tipview", lang, tip_id=tip_id)


@router.get("/static/{name}")
async def static(name: str) -> FileResponse:
    path = STATIC / name
    if "/" in name or path.suffix not in MEDIA or not path.is_file():
        raise ApiError(404, "no such file")
    return FileResponse(path, media_type=MEDIA[path.suffix], headers={"Cache-Control": "max-age=300"})


@cache
def wards() -> list[dict[str, str]]:
    found = [u for u in units.all_units().values() if u.parent == WARDS_OF]
    return [{"code": u.code, "name": u.name} for u in sorted(found, key=lambda u: u.name)]


@router.get("/ui/units.json")
async def unit_list() -> dict:
    district = units.get(WARDS_OF)
    return {"district": {"code": district.code, "name": district.name}, "wards": wards()}


@router.post("/ui/qr")
async def qr(text: Annotated[str, Body(embed=True, max_length=300)]) -> Response:
    """A QR code (SVG) made here: a receipt must never travel in a URL or to a third party."""
    svg = segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

"""The camera operator's pages (the registry with its map, the extraction form, one extraction
with its custody log) and the data of the web maps: the ward points of the district the pickers
offer, as GeoJSON, and the optional tile server. Offline by default: no tile server is needed."""
from __future__ import annotations

from functools import cache
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from services.common import units
from services.common.collation import vi_key
from services.common.errors import ApiError

from .ui import LANGS, WARDS_OF, respond, texts

router = APIRouter(include_in_schema=False)
Lang = Annotated[str, Query(max_length=2)]
# page path, template, strings section
CAMERA_PAGES = (("/camera", "cameras.html", "cameras"), ("/camera/trich-xuat", "extract.html", "extract"))
# the strings of other pages a page uses too: the registry imports with batch.js's progress
ALSO = {"cameras": ("batch",)}


def render(request: Request, template: str, section: str, lang: str, **extra) -> HTMLResponse:
    """As ui.render, with the strings the camera pages share (section `camera`) added."""
    lang = lang if lang in LANGS else "vi"
    t = {**texts("camera", lang)}
    for other in ALSO.get(section, ()):
        t.update(texts(other, lang))
    t.update(texts(section, lang))
    return respond(request, template, t, lang, section, **extra)


def _page(template: str, section: str):
    async def page(request: Request, lang: Lang = "vi") -> HTMLResponse:
        return render(request, template, section, lang)
    return page


for _path, _template, _section in CAMERA_PAGES:
    router.add_api_route(_path, _page(_template, _section), methods=["GET"], response_class=HTMLResponse)


@router.get("/camera/trich-xuat/{extraction_id}", response_class=HTMLResponse)
async def extraction_page(request: Request, extraction_id: Annotated[str, Path(max_length=64)],
                          lang: Lang = "vi") -> HTMLResponse:
    return render(request, "extraction.html", "extraction", lang, extraction_id=extraction_id)


@cache
def ward_points(code: str) -> dict:
    """The ward centres around a unit as GeoJSON points (the unit table has no outlines): a
    ward's whole district, a district's wards, a province's wards."""
    unit = units.get(code)
    if unit.level == "ward":
        unit = units.get(unit.parent)
    every = units.all_units().values()
    districts = {unit.code} if unit.level == "district" else {u.code for u in every if u.parent == unit.code}
    found = sorted((u for u in every if u.level == "ward" and u.parent in districts
                    and u.lat is not None and u.lon is not None), key=lambda u: vi_key(u.name))
    return {"type": "FeatureCollection", "unit": {"code": unit.code, "name": unit.name},
            "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [u.lon, u.lat]},
                          "properties": {"code": u.code, "name": u.name}} for u in found]}


@router.get("/ui/wards.geojson")
async def wards_geojson(unit_code: Annotated[str, Query(pattern=r"^[0-9]{2,5}$")] = WARDS_OF) -> JSONResponse:
    """Public names and places only, no login: the base layer of the maps."""
    if units.get(unit_code) is None:
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "unit_code", "reason": f"no administrative unit has code {unit_code}"}])
    return JSONResponse(ward_points(unit_code), media_type="application/geo+json",
                        headers={"Cache-Control": "max-age=300"})


def tile_source(tiles_url: str | None) -> tuple[str, ...]:
    """Where the maps' tile images come from, as a CSP source (`img-src`): the tile server's
    origin, a `{s}` subdomain as `*`; nothing for none or one on the gateway's own origin."""
    if not tiles_url or tiles_url.startswith("/"):
        return ()
    parts = urlsplit(tiles_url.replace("{s}", "*"))
    return (f"{parts.scheme}://{parts.netloc}",)


@router.get("/ui/map.json")
async def map_settings(request: Request) -> JSONResponse:
    """What the maps draw under the ward points: a tile server if ANTT_MAP_TILES_URL is set."""
    settings = request.app.state.settings
    tiles = ({"url": settings.map_tiles_url, "attribution": settings.map_tiles_attribution}
             if settings.map_tiles_url else None)
    return JSONResponse({"tiles": tiles}, headers={"Cache-Control": "max-age=300"})

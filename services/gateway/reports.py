"""HTTP of the camera statistics and the steering committee's yearly report (read models only).

Unit codes may be legacy or 2025 codes (`units=legacy|2025`, default: legacy if the code is
one); a 2025 unit includes the legacy units merged into it."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.common import audit, readmodels, units
from services.common.auth import CurrentUser, Principal, require_scope
from services.common.errors import ApiError
from services.common.times import zoned

from . import activity_stats, report, stats

router = APIRouter(prefix="/api/v1")
UnitCode = Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")]
EraParam = Annotated[stats.Era | None, Query(alias="units")]
MEDIA = {"md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _scope(user: Principal, unit_code: str | None, requested: stats.Era | None) -> tuple[str, stats.Era]:
    """The unit asked for (default: the caller's), its era, checked against the caller's scope."""
    code = unit_code or user.unit_code
    era = stats.era_of(code, requested)
    if era is None:
        raise ApiError(422, "the request has invalid fields",
                       fields=[{"field": "unit_code", "reason": f"no administrative unit has code {code}"}])
    if era == "legacy":
        require_scope(user, code)
    elif not units.covers_2025(user.unit_code, code):
        raise ApiError(403, f"unit {code} (2025) is outside your unit {user.unit_code}")
    return code, era


@router.get("/stats/tips", tags=["statistics"])
async def tip_stats(request: Request, user: CurrentUser, unit_code: UnitCode = None,
                    from_: Annotated[datetime | None, Query(alias="from")] = None,
                    to: Annotated[datetime | None, Query()] = None,
                    group_by: Annotated[stats.GroupBy | None, Query()] = None,
                    channel: Annotated[str | None, Query(max_length=32)] = None,
                    programme_code: Annotated[str | None, Query(max_length=64)] = None,
                    category: Annotated[str | None, Query(max_length=64)] = None,
                    era: EraParam = None) -> dict:
    """Tips received, valuable and converted in the caller's unit (or a unit below it); grouped
    by programme, each group also has the programme's registered `name` and `kind`."""
    code, era = _scope(user, unit_code, era)
    found = await stats.tip_stats(request.app.state.service.tip_facts, code, group_by, zoned(from_), zoned(to),
                                  era=era, channel=channel, programme_code=programme_code, category=category)
    if group_by == "programme":
        db = readmodels.database(request.app.state.settings, request.app.state.service.mongo)
        names = await stats.programme_names(db, [g["key"] for g in found["groups"]])
        found["groups"] = stats.named_groups(found["groups"], names)
    return found


@router.get("/stats/cameras", tags=["statistics"])
async def camera_stats(request: Request, user: CurrentUser, unit_code: UnitCode = None,
                       from_: Annotated[datetime | None, Query(alias="from")] = None,
                       to: Annotated[datetime | None, Query()] = None, era: EraParam = None) -> dict:
    """Cameras (installed before `to`), camera programmes, extractions in the period and cases
    clarified in the period with the help of at least one extraction."""
    code, era = _scope(user, unit_code, era)
    db = readmodels.database(request.app.state.settings, request.app.state.service.mongo)
    return await stats.camera_stats(db, code, zoned(from_), zoned(to), era)


@router.get("/reports/summary", tags=["reports"])
async def summary(request: Request, user: CurrentUser, year: Annotated[int, Query(ge=2000, le=2100)],
                  unit_code: UnitCode = None, era: EraParam = None,
                  format: Literal["json", "md", "csv", "xlsx"] = "json",
                  audience: report.Audience = "internal") -> Response:
    """The yearly report in Vietnamese; `audience=public` shows figures below 5 as "< 5"."""
    code, era = _scope(user, unit_code, era)
    db = readmodels.database(request.app.state.settings, request.app.state.service.mongo)
    figures = await stats.report_figures(db, code, year, era)
    figures["activities"] = await activity_stats.report_activities(db, code, *stats.year_period(year), era)
    await audit.record(request, "gateway", user, "report.exported", f"summary/{code}/{year}",
                       {"format": format, "audience": audience, "units": era})
    if format == "json":
        return JSONResponse(report.to_json(figures, audience))
    body = {"md": report.to_markdown, "csv": report.to_csv, "xlsx": report.to_xlsx}[format](figures, audience)
    filename = f"bao-cao-{code}-{year}-{audience}.{format}"
    return Response(content=body, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

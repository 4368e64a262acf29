"""`GET /api/v1/audit`: the audit logs of every service, for admins. The one place where the
gateway reads other services' collections (each service's `audit`, read-only): the audit log
is an operations concern, and one query point is what ops need; no service state is read."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from services.common.audit import COLLECTION, stamp
from services.common.auth import CurrentUser, require_role
from services.common.times import zoned

router = APIRouter(prefix="/api/v1", tags=["audit"])
MAX_PAGE = 100


@router.get("/audit", responses={401: {}, 403: {}, 422: {}})
async def audit_entries(request: Request, user: CurrentUser,
                        service: Literal["intake", "verification", "extraction", "gateway"],
                        from_: Annotated[datetime | None, Query(alias="from")] = None,
                        to: Annotated[datetime | None, Query()] = None,
                        action: Annotated[str | None, Query(pattern=r"^[a-z_.]{1,64}$")] = None,
                        page: Annotated[int, Query(ge=1, le=100000)] = 1,
                        page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> dict:
    """A service's audit entries, newest first, with `at` in [from, to) and of one `action`."""
    require_role(user, "admin")
    query: dict = {}
    if from_ or to:
        query["at"] = {k: stamp(zoned(v)) for k, v in (("$gte", from_), ("$lt", to)) if v}
    if action:
        query["action"] = action
    gateway = request.app.state.service
    entries = gateway.mongo[gateway.settings.database_name(service)][COLLECTION]
    found = await entries.find(query, {"_id": 0}).sort("_id", -1).skip((page - 1) * page_size).limit(
        page_size).to_list()
    return {"service": service, "items": found, "page": page, "page_size": page_size,
            "total": await entries.count_documents(query)}

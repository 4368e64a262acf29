"""Informant protection (BLTTHS Art. 485): contact details leave intake only through this
role-gated call, and every release is recorded (who, role, unit, why, when)."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common import audit
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError
from services.common.times import iso

router = APIRouter(prefix="/api/v1", tags=["informants"])
RELEASING_ROLES = ("officer", "commander", "admin")


@router.get("/tips/{tip_id}/contact")
async def release_contact(tip_id: str, request: Request, user: CurrentUser,
                          reason: Annotated[str, Query(min_length=10, max_length=500,
                                                       description="why you need the informant's identity")]) -> dict:
    require_role(user, *RELEASING_ROLES)
    service = request.app.state.service
    receipt = await service.store.receipt_of_tip(tip_id)
    if receipt is None:
        raise ApiError(404, f"no tip {tip_id}")
    require_scope(user, receipt["unit_code"])
    if not receipt.get("contact"):
        raise ApiError(404, "this tip is anonymous: intake holds no contact details")
    now = datetime.now(timezone.utc)
    await service.store.record_contact_access({"tip_id": tip_id, "username": user.username, "role": user.role,
                                               "unit_code": user.unit_code, "reason": reason, "at": now})
    await audit.record(request, "intake", user, "contact.released", tip_id, {"reason": reason})
    return {"tip_id": tip_id, "contact": json.loads(service.sealer.open(receipt["contact"])),
            "released_at": iso(now)}

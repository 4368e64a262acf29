"""HTTP and storage of the programme registry: `POST /programmes` (commanders and admins, within
their unit), `GET /programmes` and `GET /programmes/{code}` (every staff role, within their unit
and below). One document per programme keyed by its code (so a code is unique); its
`programme.registered` event is written into the document's outbox in the same insert and
published at once, or by the outbox sweep after a broker outage.

The router brings its own start and stop (`lifespan`, merged into intake's by FastAPI): indexes
and the outbox relay, so wiring it into intake is one `include_router`.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query, Request
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from services.common import commands, contracts, mongo, units
from services.common.auth import CurrentUser, require_role, require_scope
from services.common.errors import ApiError, unavailable
from services.common.outbox import OutboxRelay

from . import programmes_domain as domain

MAX_PAGE = 200
COLLECTION = "programmes"


class ProgrammeExists(Exception):
    pass


class ProgrammeStore:
    def __init__(self, db: AsyncDatabase):
        self.programmes = db[COLLECTION]  # public: the outbox relay publishes from it

    async def create_indexes(self) -> None:
        await self.programmes.create_index([("unit_path", ASCENDING), ("_id", ASCENDING)])
        await self.programmes.create_index([("kind", ASCENDING)])
        await self.programmes.create_index([("outbox.id", ASCENDING)], sparse=True)

    async def add(self, doc: dict) -> None:
        try:
            await self.programmes.insert_one(doc)
        except DuplicateKeyError:
            raise ProgrammeExists(doc["_id"]) from None

    async def get(self, code: str) -> dict | None:
        return await self.programmes.find_one({"_id": code}, {"outbox": 0})

    async def find(self, *, scope: str, kind: str | None, skip: int, limit: int) -> tuple[list[dict], int]:
        query: dict = {"unit_path": scope}
        if kind is not None:
            query["kind"] = kind
        total = await self.programmes.count_documents(query)
        cursor = self.programmes.find(query, {"outbox": 0}).sort("_id", ASCENDING).skip(skip).limit(limit)
        return await cursor.to_list(), total


class Registry:
    """The store and its outbox relay, started with intake."""

    def __init__(self, service):
        self.store = ProgrammeStore(mongo.database(service.settings, service.mongo, "intake"))
        self.outbox = OutboxRelay(self.store.programmes, service.publisher)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.outbox.start()

    async def stop(self) -> None:
        await self.outbox.stop()


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Runs inside intake's own lifespan: the service (its Mongo client and publisher) exists."""
    registry = Registry(app.state.service)
    app.state.programmes = registry
    await registry.start()
    try:
        yield
    finally:
        await registry.stop()


router = APIRouter(prefix="/api/v1", tags=["programmes"], lifespan=lifespan)


async def _db(awaitable):
    try:
        return await awaitable
    except PyMongoError:
        raise unavailable("the database") from None


def _registry(request: Request) -> Registry:
    return request.app.state.programmes


@router.post("/programmes", status_code=201, responses={403: {}, 409: {}, 422: {}, 503: {}})
async def register_programme(body: commands.ProgrammeIn, request: Request, user: CurrentUser) -> dict:
    """Register a programme of the caller's unit or one below; 409 if the code is taken."""
    require_role(user, *domain.REGISTERING_ROLES)
    now = datetime.now(timezone.utc)
    unit_path = domain.check_programme(body, user, now)
    doc = domain.programme_doc(body, unit_path, user, now)
    event = contracts.make_event("programme.registered/1", subject=body.code, source="intake",
                                 data=domain.registered_data(doc))
    doc["outbox"] = [event.to_dict()]
    registry = _registry(request)
    try:
        await _db(registry.store.add(doc))
    except ProgrammeExists:
        raise ApiError(409, f"programme {body.code} is registered",
                       fields=[{"field": "code", "reason": "is taken"}]) from None
    await registry.outbox.flush(body.code, doc["outbox"])  # else the sweep publishes it
    return domain.programme_view(doc)


@router.get("/programmes", responses={403: {}, 422: {}})
async def list_programmes(request: Request, user: CurrentUser,
                          unit_code: Annotated[str | None, Query(pattern=r"^[0-9]{2,5}$")] = None,
                          kind: Annotated[commands.ProgrammeKind | None, Query()] = None,
                          page: Annotated[int, Query(ge=1, le=100000)] = 1,
                          page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50) -> dict:
    """Programmes of `unit_code` (default: the caller's unit) and the units below it, by code."""
    require_role(user, *domain.READING_ROLES)
    scope = unit_code or user.unit_code
    if units.get(scope) is None:
        raise domain.invalid(("unit_code", f"no administrative unit has code {scope}"))
    require_scope(user, scope)
    docs, total = await _db(_registry(request).store.find(scope=scope, kind=kind,
                                                         skip=(page - 1) * page_size, limit=page_size))
    return {"items": [domain.programme_view(d) for d in docs], "page": page,
            "page_size": page_size, "total": total}


@router.get("/programmes/{code}", responses={403: {}, 404: {}})
async def get_programme(request: Request, user: CurrentUser,
                        code: Annotated[str, Path(max_length=40)]) -> dict:
    require_role(user, *domain.READING_ROLES)
    doc = await _db(_registry(request).store.get(code))
    if doc is None:
        raise ApiError(404, f"no programme {code}")
    require_scope(user, doc["unit_code"])
    return domain.programme_view(doc)

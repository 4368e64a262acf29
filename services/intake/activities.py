"""HTTP and storage of programme activities: `POST /activities` (clerks, commanders, admins,
within their unit) and `POST /activities/import` (activity_imports.py). One document per
activity keyed by its id (the client's `activity_id`, else a new one), so a retried request is
logged once; its `activity.logged` event is written into the document's outbox in the same
insert and published at once, or by the outbox sweep after a broker outage (as programmes do).

The router brings its own start and stop (`lifespan`): indexes, the outbox relay and the
import runner of activity sheets, so wiring it into intake is one `include_router`.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from services.common import contracts, imports, mongo
from services.common.auth import CurrentUser, Principal, require_role
from services.common.errors import ApiError, unavailable
from services.common.outbox import OutboxRelay

from . import activities_domain as domain
from . import activity_imports
from .programmes import ProgrammeStore

COLLECTION = "activities"


class ActivityStore:
    def __init__(self, db: AsyncDatabase):
        self.activities = db[COLLECTION]  # public: the outbox relay publishes from it

    async def create_indexes(self) -> None:
        await self.activities.create_index([("unit_path", ASCENDING), ("started_at", ASCENDING)])
        await self.activities.create_index([("outbox.id", ASCENDING)], sparse=True)

    async def add(self, doc: dict) -> dict | None:
        """Insert; None if new, else the document already logged under its id."""
        try:
            await self.activities.insert_one(doc)
            return None
        except DuplicateKeyError:
            return await self.activities.find_one({"_id": doc["_id"]}, {"outbox": 0})

    async def add_many(self, docs: list[dict]) -> set[str]:
        """Insert a batch; the ids that were there already."""
        if not docs:
            return set()
        try:
            await self.activities.insert_many(docs, ordered=False)
            return set()
        except BulkWriteError as exc:
            return {docs[i]["_id"] for i in mongo.duplicate_keys(exc)}

    async def get_many(self, ids: list[str]) -> dict[str, dict]:
        cursor = self.activities.find({"_id": {"$in": ids}}, {"fingerprint": 1, "job_id": 1})
        return {d["_id"]: d async for d in cursor}


class Activities:
    """The stores, the outbox relay and the import runner, started with intake."""

    def __init__(self, service):
        db = mongo.database(service.settings, service.mongo, "intake")
        self.store = ActivityStore(db)
        self.programmes = ProgrammeStore(db)
        self.publisher = service.publisher
        self.outbox = OutboxRelay(self.store.activities, service.publisher)
        self.jobs = service.imports
        sheets = activity_imports.ActivityImports(self)
        self.import_runner = imports.ImportRunner(service.imports, domain.IMPORT_KIND, sheets.process,
                                                  service.settings.import_batch_rows)

    async def start(self) -> None:
        await self.store.create_indexes()
        await self.outbox.start()
        await self.import_runner.start()

    async def stop(self) -> None:
        await self.import_runner.stop()
        await self.outbox.stop()

    async def check(self, body: domain.ActivityIn, user: Principal, now: datetime) -> list[str]:
        """Every rule of an activity (the route's and each import row's); its unit path."""
        unit_path = domain.check_fields(body, now)
        domain.check_access(body, user)
        domain.check_programme(body, unit_path, await self.programmes.get(body.programme_code))
        return unit_path


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Runs inside intake's own lifespan: the service (its Mongo client and publisher) exists."""
    activities = Activities(app.state.service)
    app.state.activities = activities
    await activities.start()
    try:
        yield
    finally:
        await activities.stop()


router = APIRouter(prefix="/api/v1", tags=["activities"], lifespan=lifespan)


async def _db(awaitable):
    try:
        return await awaitable
    except PyMongoError:
        raise unavailable("the database") from None


@router.post("/activities", status_code=201, responses={
    200: {"description": "the same activity_id and body again: the first answer"},
    403: {}, 409: {}, 422: {}, 503: {}})
async def log_activity(body: domain.ActivityIn, request: Request, user: CurrentUser) -> JSONResponse:
    """Log a programme's activity in your unit (or one below): 201 with it; a retried request
    with the same `activity_id` answers 200 with the first one, another body 409."""
    require_role(user, *domain.LOGGING_ROLES)
    activities: Activities = request.app.state.activities
    now = datetime.now(timezone.utc)
    unit_path = await _db(activities.check(body, user, now))
    doc = domain.activity_doc(body, body.activity_id or domain.new_activity_id(), unit_path, user, now)
    event = contracts.make_event("activity.logged/1", subject=doc["_id"], source="intake",
                                 data=domain.logged_data(doc))
    doc["outbox"] = [event.to_dict()]
    earlier = await _db(activities.store.add(doc))
    if earlier is not None:
        if earlier["fingerprint"] != doc["fingerprint"]:
            raise ApiError(409, f"activity {doc['_id']} was logged with other values",
                           fields=[{"field": "activity_id", "reason": "is taken by another activity"}])
        return JSONResponse(domain.activity_view(earlier), status_code=200)
    await activities.outbox.flush(doc["_id"], doc["outbox"])  # else the sweep publishes it
    return JSONResponse(domain.activity_view(doc), status_code=201)


@router.post("/activities/import", status_code=202, responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}},
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def import_activities(request: Request, user: CurrentUser) -> JSONResponse:
    """Upload a CSV (UTF-8, `,` or `;`) or XLSX file whose first row names the columns
    (activity_id, programme_code, kind, unit_code, started_at, ended_at, count, participants,
    traffic, drugs, theft, disputes_settled, other, note); each further row is one activity,
    checked as `POST /activities` checks it. Progress at `GET /imports/{job_id}`."""
    require_role(user, *domain.LOGGING_ROLES)
    service = request.app.state.service
    job_id = f"{domain.IMPORT_PREFIX}{domain.new_activity_id()[4:]}"
    upload = await imports.accept_upload(request, service.imports, domain.IMPORT_KIND, job_id,
                                         activity_imports.check_columns)
    await service.imports.create(job_id, kind=domain.IMPORT_KIND, owner=user.as_actor(), upload=upload,
                                 now=datetime.now(timezone.utc))
    request.app.state.activities.import_runner.wake()
    return JSONResponse({"job_id": job_id}, status_code=202)

"""Camera-extraction's own data: the camera registry (with a 2dsphere index) and one document
per extraction holding its files, its append-only custody chain and the outbox of its events,
and the jobs of camera imports."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


class CameraExists(Exception):
    pass


def _point(lat: float, lon: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


class ExtractionStore:
    def __init__(self, db: AsyncDatabase):
        self.cameras = db["cameras"]
        self.extractions = db["extractions"]
        self.import_jobs = db["import_jobs"]

    async def create_indexes(self) -> None:
        # The version spelled out (3, MongoDB's default): SecantusDB stores it and refuses a
        # second create_index without it as a conflicting spec, so a restart failed here.
        await self.cameras.create_index([("location", "2dsphere")], **{"2dsphereIndexVersion": 3})
        await self.cameras.create_index([("unit_path", ASCENDING), ("_id", ASCENDING)])
        await self.cameras.create_index([("outbox.id", ASCENDING)], sparse=True)
        await self.extractions.create_index([("unit_path", ASCENDING), ("created_at", DESCENDING)])
        await self.extractions.create_index([("record.camera_id", ASCENDING)])
        await self.extractions.create_index([("outbox.id", ASCENDING)], sparse=True)

    async def add_camera(self, doc: dict) -> None:
        try:
            await self.cameras.insert_one(doc)
        except DuplicateKeyError:
            raise CameraExists(doc["_id"]) from None

    async def insert_new_cameras(self, docs: list[dict]) -> set[str]:
        """Insert the cameras whose id is not registered yet (upserts keyed by camera_id that
        change no existing camera); the ids inserted."""
        if not docs:
            return set()
        result = await self.cameras.bulk_write(
            [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": {k: v for k, v in d.items() if k != "_id"}}, upsert=True)
             for d in docs], ordered=False)
        return set(result.upserted_ids.values())

    async def import_marks(self, camera_ids: list[str]) -> dict[str, dict]:
        """The unit and the import (job, row) that registered each of these cameras."""
        cursor = self.cameras.find({"_id": {"$in": camera_ids}}, {"unit_code": 1, "imported": 1})
        return {d["_id"]: d async for d in cursor}

    async def change_camera(self, doc: dict, fields: dict, event: dict) -> dict | None:
        """Set `fields` (with the next `version`) and queue `event`, if the camera is still at
        the version `doc` was read at (registered cameras from before versions count as 1);
        the changed camera, or None if someone changed it meanwhile."""
        seen = {"version": doc["version"]} if "version" in doc else {"version": {"$exists": False}}
        return await self.cameras.find_one_and_update(
            {"_id": doc["_id"], **seen}, {"$set": fields, "$push": {"outbox": event}},
            return_document=ReturnDocument.AFTER)

    async def clear_outboxes(self, camera_ids: list[str], event_ids: list[str]) -> None:
        """Take published events out of these cameras' outboxes."""
        await self.cameras.update_many({"_id": {"$in": camera_ids}},
                                       {"$pull": {"outbox": {"id": {"$in": event_ids}}}})

    async def camera(self, camera_id: str) -> dict | None:
        return await self.cameras.find_one({"_id": camera_id}, {"outbox": 0})

    async def find_cameras(self, *, scope: str, filters: dict, near: tuple[float, float] | None,
                           radius_m: float | None, skip: int, limit: int) -> tuple[list[dict], int]:
        """A page of the cameras in `scope`; with `near`, nearest first with `distance_m`."""
        query = {"unit_path": scope, **filters}
        if near is None:
            total = await self.cameras.count_documents(query)
            cursor = self.cameras.find(query, {"outbox": 0}).sort("_id", ASCENDING).skip(skip).limit(limit)
            return await cursor.to_list(), total
        geo = {"$geoNear": {"near": _point(*near), "distanceField": "distance_m", "key": "location",
                            "maxDistance": radius_m, "spherical": True, "query": query}}
        counted = await (await self.cameras.aggregate([geo, {"$count": "n"}])).to_list()
        page = await self.cameras.aggregate([geo, {"$sort": {"distance_m": 1, "_id": 1}},
                                             {"$skip": skip}, {"$limit": limit},
                                             {"$project": {"outbox": 0}}])
        return await page.to_list(), counted[0]["n"] if counted else 0

    async def cameras_within(self, *, scope: str, near: tuple[float, float], radius_m: float,
                             query: dict, limit: int = 5000) -> list[dict]:
        geo = {"$geoNear": {"near": _point(*near), "distanceField": "distance_m", "key": "location",
                            "maxDistance": radius_m, "spherical": True,
                            "query": {"unit_path": scope, **query}}}
        cursor = await self.cameras.aggregate([geo, {"$limit": limit}, {"$project": {"outbox": 0}}])
        return await cursor.to_list()

    async def add_extraction(self, doc: dict) -> None:
        await self.extractions.insert_one(doc)

    async def extraction(self, extraction_id: str) -> dict | None:
        return await self.extractions.find_one({"_id": extraction_id})

    async def find_extractions(self, *, scope: str, filters: dict, skip: int,
                               limit: int) -> tuple[list[dict], int]:
        query = {"unit_path": scope, **{f"record.{k}": v for k, v in filters.items()}}
        total = await self.extractions.count_documents(query)
        cursor = self.extractions.find(query, {"outbox": 0}).sort(
            [("created_at", DESCENDING), ("_id", ASCENDING)]).skip(skip).limit(limit)
        return await cursor.to_list(), total

    async def append(self, doc: dict, *, entries: list[dict], files: list[dict],
                     events: list[dict]) -> dict | None:
        """Push entries (and files, and their events to the outbox) if nobody appended since
        `doc` was read: the chain only grows, nothing in it is ever rewritten. None if we lost."""
        push = {"custody": {"$each": entries}, "outbox": {"$each": events}}
        if files:
            push["files"] = {"$each": files}
        return await self.extractions.find_one_and_update(
            {"_id": doc["_id"], "custody_seq": doc["custody_seq"]},
            {"$push": push, "$set": {"custody_seq": doc["custody_seq"] + len(entries)}},
            return_document=ReturnDocument.AFTER)

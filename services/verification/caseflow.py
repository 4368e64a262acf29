"""Opening a case and linking tips to it: writes to one case and several tips, with no
multi-document transaction (any MongoDB-wire server will do). The case document is the
coordinator of a small two-phase protocol, and every step is one conditional, idempotent write:

1. intent: the case carries `pending` {id, kind, tip_ids, at, actor, committed: false,
   aborted: false} (a new case is inserted as a draft, version 0, that nobody can read);
2. reserve: each tip gets `case_id` if it is still valuable and in no case; if one is not,
   the operation aborts and the caller gets 409 with that tip's state;
3. commit: one update of the case (only if the operation is neither committed nor aborted
   and the case's version is the one read) adds the tips, bumps its version and puts
   case.opened/1 or case.tips_linked/1 into its outbox. This write decides the outcome;
4. apply: each reserved tip becomes converted (version + 1, tip.status_changed/1 in its own
   outbox), then `pending` is removed and the outboxes are flushed.

A crash or an error anywhere leaves `pending` on the case. The sweep (`recover`) finds
operations older than a grace period: committed ones are applied again (converting a tip
already converted changes nothing), uncommitted ones are aborted (mark aborted, release the
reservations, drop the draft). Abort and commit are conditional on the same fields, so exactly
one of them wins even if the sweep races a slow request. Thus a case's tips and the tips'
`converted` state always end up agreeing, and each event is in exactly one outbox.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone

from services.common import commands, units
from services.common.errors import ApiError
from services.common.outbox import OutboxRelay
from services.common.times import now_utc, parse

from . import cases
from .casestore import CaseStore
from .store import TipStore

log = logging.getLogger(__name__)
CONVERT_ATTEMPTS = 5


class CaseFlow:
    def __init__(self, case_store: CaseStore, tip_store: TipStore, case_outbox: OutboxRelay,
                 tip_outbox: OutboxRelay, recover_after: timedelta):
        self.cases, self.tips = case_store, tip_store
        self._case_outbox, self._tip_outbox = case_outbox, tip_outbox
        self._recover_after = recover_after

    async def open(self, body: commands.NewCase, actor: dict) -> dict:
        cases.check_tips(body.tip_ids, await self.tips.get_many(body.tip_ids), body.unit_code)
        at = now_utc()
        pending = _pending("open", body.tip_ids, actor, at)
        draft = {"_id": cases.new_case_id(), "title": body.title, "unit_code": body.unit_code,
                 "unit_path": units.path(body.unit_code), "status": "open", "version": 0,
                 "tip_ids": [], "opened_at": parse(at), "opened_by": actor, "history": [],
                 "outbox": [], "pending": pending}
        await self.cases.insert_draft(draft)
        await self._reserve(draft["_id"], pending)
        history = {"status": "open", "at": at, "actor": actor, "tip_ids": body.tip_ids}
        event = cases.opened_event(draft, body.tip_ids, actor, at)
        await self._commit(draft["_id"], pending, 0, history, event)
        return await self._apply(draft["_id"], pending)

    async def link(self, case: dict, body: commands.LinkTips, actor: dict) -> dict:
        cases.check_linkable(case)
        cases.check_tips(body.tip_ids, await self.tips.get_many(body.tip_ids), case["unit_code"])
        at = now_utc()
        pending = _pending("link", body.tip_ids, actor, at)
        if not await self.cases.begin(case, pending):
            raise ApiError(409, "the case changed meanwhile; read it again",
                           extra={"current": await self._current(case["_id"])})
        await self._reserve(case["_id"], pending)
        history = {"status": case["status"], "at": at, "actor": actor, "tip_ids": body.tip_ids}
        event = cases.linked_event(case["_id"], body.tip_ids, case["version"] + 1, actor, at)
        await self._commit(case["_id"], pending, case["version"], history, event)
        return await self._apply(case["_id"], pending)

    async def recover(self, now: datetime | None = None) -> int:
        """Finish or undo the operations left behind; the number handled."""
        before = (now or datetime.now(timezone.utc)) - self._recover_after
        stale = await self.cases.stale(before)
        for case in stale:
            pending = case["pending"]
            if pending["committed"]:
                await self._apply(case["_id"], pending)
            else:
                await self._abort(case["_id"], pending)
            log.info("recovered the %s operation of case %s", pending["kind"], case["_id"])
        return len(stale)

    async def _reserve(self, case_id: str, pending: dict) -> None:
        for tip_id in pending["tip_ids"]:
            if not await self.tips.reserve(tip_id, case_id):
                tip = await self.tips.get(tip_id)
                if tip.get("case_id") != case_id:
                    await self._abort(case_id, pending)
                    raise ApiError(409, f"tip {tip_id} was changed or linked to another case meanwhile",
                                   extra={"current": cases.tip_state(tip)})

    async def _commit(self, case_id: str, pending: dict, version: int, history: dict, event: dict) -> None:
        if not await self.cases.commit(case_id, pending["id"], version, tip_ids=pending["tip_ids"],
                                       history=history, event=event):
            await self._abort(case_id, pending)
            raise ApiError(409, "the case changed meanwhile; nothing was linked",
                           extra={"current": await self._current(case_id)})

    async def _abort(self, case_id: str, pending: dict) -> None:
        if await self.cases.abort(case_id, pending["id"]):
            await self.tips.unreserve(pending["tip_ids"], case_id)
            await self.cases.finish(case_id, pending["id"], drop_draft=pending["kind"] == "open")

    async def _apply(self, case_id: str, pending: dict) -> dict:
        converted = [await self._convert(tip_id, case_id, pending["actor"]) for tip_id in pending["tip_ids"]]
        if all(converted):  # else `pending` stays and the sweep applies it again
            await self.cases.finish(case_id, pending["id"], drop_draft=False)
        for tip_id in pending["tip_ids"]:
            tip = await self.tips.get(tip_id)
            if tip and tip["outbox"]:
                await self._tip_outbox.flush(tip_id, tip["outbox"])
        case = await self.cases.get(case_id)
        if case["outbox"] and await self._case_outbox.flush(case_id, case["outbox"]):
            case["outbox"] = []
        return case

    async def _convert(self, tip_id: str, case_id: str, actor: dict) -> bool:
        """valuable → converted, retried when a legal step changed the tip's version; True
        once the tip is converted (already, on a re-apply)."""
        for _ in range(CONVERT_ATTEMPTS):
            tip = await self.tips.get(tip_id)
            if tip["status"] != "valuable" or tip.get("case_id") != case_id:
                return tip["status"] == "converted" and tip.get("case_id") == case_id
            at = now_utc()
            history = {"status": "converted", "at": at, "actor": actor, "case_id": case_id}
            if await self.tips.convert(tip, case_id, history=history,
                                       event=cases.converted_event(tip, case_id, actor, at)):
                return True
        log.warning("tip %s not converted yet for case %s; the sweep retries", tip_id, case_id)
        return False

    async def _current(self, case_id: str) -> dict | None:
        case = await self.cases.get(case_id)
        return {"status": case["status"], "version": case["version"]} if case else None


def _pending(kind: str, tip_ids: list[str], actor: dict, at: str) -> dict:
    return {"id": uuid.uuid4().hex, "kind": kind, "tip_ids": tip_ids, "at": parse(at), "actor": actor,
            "committed": False, "aborted": False}

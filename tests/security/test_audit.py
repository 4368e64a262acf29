"""The audit log: hash chaining (pure), concurrent writers on the real database, what each
service writes for identity reads, decisions, exports and custody events, the admin query,
and the `verify` command finding the first broken entry."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import datetime, timezone

from pymongo import AsyncMongoClient, MongoClient

from services.common import audit
from services.common.auth import Principal
from tests.security.conftest import WARD_A, arrived, post_tip

OFFICER = Principal("sec.auditor", "officer", WARD_A)
REASON = {"reason": "Cần liên hệ người báo tin để xác minh"}


def chain(n: int) -> list[dict]:
    entries, head = [], None
    for i in range(n):
        head = audit.next_entry(head, at=datetime.now(timezone.utc), who=OFFICER, action="tip.decided",
                                obj=f"T-{i}", details={"outcome": "valuable", "at": datetime.now(timezone.utc)})
        entries.append(head)
    return entries


def test_a_chain_holds_and_any_change_breaks_it_at_that_entry():
    entries = chain(5)
    assert audit.first_broken(entries) is None and entries[0]["prev_sha256"] == audit.GENESIS
    changed = [dict(e) for e in entries]
    changed[2]["details"] = {"outcome": "not_valuable"}
    assert audit.first_broken(changed)[0]["seq"] == 3
    assert audit.first_broken(entries[:2] + entries[3:])[0]["seq"] == 4  # one removed
    rehashed = dict(changed[2], sha256=audit.entry_hash(changed[2]))  # changed and re-hashed
    assert audit.first_broken(entries[:2] + [rehashed] + entries[3:])[0]["seq"] == 4


async def test_concurrent_writers_do_not_fork_the_chain(stack):
    client = AsyncMongoClient(stack.uri, tz_aware=True)
    db_name = f"audit_test_{uuid.uuid4().hex[:8]}"
    try:
        log = audit.AuditLog(client[db_name][audit.COLLECTION])
        await asyncio.gather(*(log.append(OFFICER, "custody.viewed", f"E-{i}", {"seq": i}) for i in range(30)))
        entries = await log.entries().to_list()
        assert [e["seq"] for e in entries] == list(range(1, 31))
        assert audit.first_broken(entries) is None
    finally:
        await client.drop_database(db_name)
        await client.close()


def verify(stack, db_name: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.common.audit", "verify", "--db", db_name],
                          env={**os.environ, "MONGO_URI": stack.uri}, capture_output=True, text=True, timeout=60)


def test_the_verify_command_finds_the_first_broken_entry(stack):
    db_name = f"audit_test_{uuid.uuid4().hex[:8]}"
    with MongoClient(stack.uri) as mongo:
        entries = mongo[db_name][audit.COLLECTION]
        entries.insert_many([{"_id": e["seq"], **e} for e in chain(4)])
        ok = verify(stack, db_name)
        assert ok.returncode == 0 and "ok: 4 entries" in ok.stdout
        entries.update_one({"_id": 3}, {"$set": {"who": "someone.else"}})
        broken = verify(stack, db_name)
        mongo.drop_database(db_name)
    assert broken.returncode == 1 and "BROKEN at seq 3" in broken.stdout


def entries_of(gateway, admin, service: str, action: str) -> list[dict]:
    r = gateway.get("/api/v1/audit", params={"service": service, "action": action, "page_size": 100},
                    headers=admin)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_identity_reads_decisions_exports_and_custody_are_audited(stack, gateway, admin, people, ward_b):
    officer = people["officer_a"]
    tip_id = post_tip(gateway, WARD_A, "Phường A: có đối tượng cho vay nặng lãi", anonymous=False,
                      contact={"name": "Lê Văn C", "email": "c@example.vn"})
    arrived(gateway, officer, tip_id)
    assert gateway.get(f"/api/v1/tips/{tip_id}/contact", params=REASON, headers=officer).status_code == 200
    assert gateway.post(f"/api/v1/tips/{tip_id}/decision", headers=officer,
                        json={"outcome": "valuable"}).status_code == 200
    assert gateway.get(f"/api/v1/extractions/{ward_b['extraction_id']}/manifest", headers=admin).status_code == 200
    assert gateway.get("/api/v1/reports/summary", params={"unit_code": WARD_A, "year": 2026, "format": "md"},
                       headers=officer).status_code == 200

    released = [e for e in entries_of(gateway, admin, "intake", "contact.released") if e["object"] == tip_id]
    assert released and released[0]["who"] == "sec.officer_a" and released[0]["unit"] == WARD_A
    assert released[0]["details"] == REASON and "Lê Văn C" not in str(released)
    decided = [e for e in entries_of(gateway, admin, "verification", "tip.decided") if e["object"] == tip_id]
    assert decided and decided[0]["details"]["outcome"] == "valuable"
    assert [e for e in entries_of(gateway, admin, "verification", "case.opened") if e["object"] == ward_b["case_id"]]
    extraction = [*entries_of(gateway, admin, "extraction", "custody.created"),
                  *entries_of(gateway, admin, "extraction", "manifest.exported")]
    custody = [e["action"] for e in extraction if e["object"] == ward_b["extraction_id"]]
    assert sorted(custody) == ["custody.created", "manifest.exported"]
    exported = entries_of(gateway, admin, "gateway", "report.exported")
    assert exported[0]["object"] == f"summary/{WARD_A}/2026" and exported[0]["details"]["format"] == "md"

    for service in ("intake", "verification", "extraction", "gateway"):
        result = verify(stack, f"{stack.env['MONGO_DB_PREFIX']}_{service}")
        assert result.returncode == 0, (service, result.stdout)


def test_the_audit_query_filters_by_time_and_pages(gateway, admin):
    everything = gateway.get("/api/v1/audit", params={"service": "gateway", "page_size": 2}, headers=admin).json()
    assert everything["total"] >= 1 and len(everything["items"]) <= 2
    future = gateway.get("/api/v1/audit", params={"service": "gateway", "from": "2100-01-01T00:00:00"},
                         headers=admin).json()
    assert future["items"] == [] and future["total"] == 0
    assert gateway.get("/api/v1/audit", params={"service": "aggregation"}, headers=admin).status_code == 422

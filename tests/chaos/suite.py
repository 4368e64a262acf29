"""Runs the fault suite on a stack of its own: proxies in front of the database (for every
service), of the broker (for every client) and of intake (for the gateway), a steady load through the gateway, the faults in
turn with the time each took to recover, then the invariants (a rebuild of the read models from
the topics among them) and the table."""
from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from services.aggregation.rebuild import differences, rebuild
from services.common import readmodels
from services.common.settings import ServiceSettings
from services.devstack.proxy import TcpProxy
from services.devstack.stack import Ports, Stack

from . import faults as faults_mod
from .faults import Fault, Injector
from .invariants import ReceiptChecker, Verdict, check, counted, settle
from .load import Load, Poison
from .table import render

PASSWORD = "chaos-admin-password"
PREFIX = "antt_chaos"
UNIT = "14809"  # phường Bắc Sơn (Sầm Sơn): the load's tips, on a stack of their own
RECOVERY_TIMEOUT_S = 120


@dataclass
class Result:
    faults: list[Fault]
    verdict: Verdict
    table: str
    workdir: Path

    @property
    def ok(self) -> bool:
        return self.verdict.ok and all(f.recovered_s is not None for f in self.faults)


def wait_recovered(load: Load, mongo: MongoClient, since: float, timeout_s: float = RECOVERY_TIMEOUT_S) -> float | None:
    """Seconds from `since` until a tip sent after it was acknowledged and counted (in
    verification's state and aggregation's facts), or None."""
    deadline = since + timeout_s
    while time.monotonic() < deadline:
        for attempt in load.acknowledged_since(since)[:20]:
            try:
                if counted(mongo, PREFIX, attempt.tip_id):
                    return time.monotonic() - since
            except PyMongoError:
                break
        time.sleep(0.1)
    return None


def run(workdir: Path, per_kind: int, rate: float = 25, max_s: float = 1200,
        say: Callable[[str], None] = print) -> Result:
    ports = Ports.free()
    db_link = TcpProxy(ports.database, name="db-link").start()
    intake_link = TcpProxy(ports.intake, name="intake-link").start()
    # the broker advertises the proxy's port: every client, and the broker itself, goes through it
    broker_link = TcpProxy(ports.kafka, name="broker-link").start()
    links = {"db-link": db_link, "intake-link": intake_link, "broker-link": broker_link}
    stack = Stack(workdir, ports, kafka_advertised_port=broker_link.port, env={
        "ANTT_ADMIN_PASSWORD": PASSWORD, "MONGO_DB_PREFIX": PREFIX, "LOG_LEVEL": "WARNING",
        "KAFKA_TIMEOUT_S": "5", "INTAKE_WEB_RATE_PER_MIN": "10000000",
        "RECEIPT_FAILURES_PER_CLIENT": "100000",
        # every service through the proxy; directConnection, or pymongo would discover the
        # database's own address from its replica-set hello and go around the proxy
        "MONGO_URI": f"mongodb://{db_link.address}/?directConnection=true",
        "INTAKE_URL": f"http://{intake_link.address}",     # the gateway's forwarding too
    })
    injector = Injector(stack, links)
    load = Load(stack.url(), UNIT, uuid.uuid4().hex[:8], rate_per_s=rate, max_s=max_s)
    poison: Poison | None = None
    done: list[Fault] = []
    started = time.monotonic()
    try:
        say(f"starting the stack in {workdir} ...")
        stack.start()
        mongo = MongoClient(stack.database.uri, serverSelectionTimeoutMS=2000)
        load.start()
        poison = Poison(stack.bootstrap, "tips.received", load.run)
        poison.start()
        receipts = ReceiptChecker(stack.url())
        receipts.start(lambda: [a.receipt_code for a in load.snapshot() if a.acknowledged])
        warm = wait_recovered(load, mongo, time.monotonic())
        if warm is None:
            raise RuntimeError("no tip was acknowledged and counted before any fault")
        say(f"load running ({rate:g} tips/s); first tip counted after {warm:.1f} s")
        for kind, target, n in faults_mod.plan(per_kind):
            fault = injector.inject(kind, target, n)
            fault.recovered_s = wait_recovered(load, mongo, fault.ended)
            done.append(fault)
            rec = f"{fault.recovered_s:.1f}s" if fault.recovered_s is not None else "NOT RECOVERED"
            say(f"[{len(done):3d}] {kind:<5} {target:<13} {fault.ended - fault.started:5.1f}s  "
                f"recovered in {rec}  {fault.detail}")
        load.stop()
        poison.stop()
        acknowledged = {a.tip_id for a in load.snapshot() if a.acknowledged}
        settle_s = settle(mongo, PREFIX, UNIT, acknowledged, timeout_s=180)
        dead = [name for name, child in stack.services.items() if not child.alive]
        if dead:
            say(f"services not running at the end: {dead}")
        token = httpx.post(f"{stack.url()}/api/v1/auth/token",
                           data={"username": "admin", "password": PASSWORD}, timeout=30).json()
        verdict = check(attempts=load.snapshot(), run=load.run, unit_code=UNIT, mongo=mongo, prefix=PREFIX,
                        gateway=stack.url(), admin_headers={"Authorization": f"Bearer {token['access_token']}"},
                        bootstrap=stack.bootstrap, poison=poison,
                        receipts=receipts)
        verdict.rebuild_differences = rebuilt_differs(stack, say)
        table = render(done, verdict, seconds=time.monotonic() - started, rate=rate, settle_s=settle_s)
        mongo.close()
        return Result(done, verdict, table, workdir)
    finally:
        load.stop()
        if poison is not None:
            poison.stop()
        injector.resume_all()
        stack.stop()
        for link in links.values():
            link.stop()


def rebuilt_differs(stack: Stack, say: Callable[[str], None], attempts: int = 5) -> list[str]:
    """Replay every topic into an empty database after the faults and compare with the live
    read models (directly on the database, not through the proxy). The live consumer may still
    be applying its last events: compare a few times before calling a difference real."""
    settings = ServiceSettings(**{**stack.service_env(), "MONGO_URI": stack.database.uri})
    target = f"{PREFIX}_rebuilt"
    say("rebuilding the read models from the topics ...")
    counts = asyncio.run(rebuild(settings, target, drop=True, progress=lambda _: None))
    say(f"rebuilt from {counts['applied']} events ({counts['skipped']} skipped)")
    for _ in range(attempts):
        found = asyncio.run(differences(settings, settings.database_name(readmodels.OWNER), target))
        if not found:
            return []
        time.sleep(2)
    return found


def per_kind_from_env(default: int) -> int:
    return int(os.environ.get("CHAOS_FAULTS_PER_KIND", default))



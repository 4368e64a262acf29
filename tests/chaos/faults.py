"""The faults, each on one target of the running stack: a process (the broker, the database,
a service) or a link (a TcpProxy between a client and its server).

- kill:  SIGKILL, then start it again (same ports, same data, same environment);
- pause: SIGSTOP for a few seconds, then SIGCONT;
- slow:  a process on a SIGSTOP/SIGCONT duty cycle (it gets a third of its time), or a link
         that holds every chunk it forwards;
- cut:   every open connection of a link reset at once, or the link refusing all connections
         for a moment (a short partition)."""
from __future__ import annotations

import signal
import time
from dataclasses import dataclass

from services.devstack.processes import Child
from services.devstack.proxy import TcpProxy
from services.devstack.stack import Stack

KINDS = ("kill", "pause", "slow", "cut")
PROCESSES = ("broker", "database", "intake", "verification", "aggregation", "gateway", "extraction")
# Orders chosen so that a short run (2-3 faults per kind) still touches different targets.
TARGETS = {
    "kill": ("intake", "broker", "aggregation", "database", "verification", "gateway", "extraction"),
    "pause": ("database", "verification", "broker", "intake", "gateway", "aggregation", "extraction"),
    "slow": ("aggregation", "broker-link", "intake", "db-link", "broker", "database", "verification",
             "intake-link", "gateway", "extraction"),
    "cut": ("db-link", "broker-link", "intake-link"),
}
PAUSE_S = 2.5
SLOW_S = 4.0
SLOW_STOPPED_S, SLOW_RUNNING_S = 0.2, 0.1
LINK_DELAY_S = 0.3
PARTITION_S = 2.0


@dataclass
class Fault:
    kind: str
    target: str
    started: float
    ended: float | None = None
    recovered_s: float | None = None  # from `ended` until a new tip was acknowledged and counted
    detail: str = ""


class Injector:
    def __init__(self, stack: Stack, links: dict[str, TcpProxy]):
        self.stack, self.links = stack, links

    def child(self, target: str) -> Child:
        if target == "broker":
            return self.stack.broker.child
        if target == "database":
            return self.stack.database.child
        return self.stack.services[target]

    def inject(self, kind: str, target: str, n: int) -> Fault:
        fault = Fault(kind, target, time.monotonic())
        getattr(self, f"_{kind}")(target, fault, n)
        fault.ended = time.monotonic()
        return fault

    def _kill(self, target: str, fault: Fault, n: int) -> None:
        self.child(target).kill()
        restarted = time.monotonic()
        if target == "broker":
            self.stack.broker.start()
        elif target == "database":
            self.stack.database.start()
        else:
            self.stack.start_service(target)
        fault.detail = f"restarted in {time.monotonic() - restarted:.1f}s"

    def _pause(self, target: str, fault: Fault, n: int) -> None:
        child = self.child(target)
        child.signal(signal.SIGSTOP)
        try:
            time.sleep(PAUSE_S)
        finally:
            child.signal(signal.SIGCONT)

    def _slow(self, target: str, fault: Fault, n: int) -> None:
        if target in self.links:
            link = self.links[target]
            link.delay(LINK_DELAY_S)
            try:
                time.sleep(SLOW_S)
            finally:
                link.delay(0)
            return
        child = self.child(target)
        deadline = time.monotonic() + SLOW_S
        try:
            while time.monotonic() < deadline:
                child.signal(signal.SIGSTOP)
                time.sleep(SLOW_STOPPED_S)
                child.signal(signal.SIGCONT)
                time.sleep(SLOW_RUNNING_S)
        finally:
            child.signal(signal.SIGCONT)

    def _cut(self, target: str, fault: Fault, n: int) -> None:
        link = self.links[target]
        if n % 2 == 0:
            fault.detail = f"{link.cut()} connection(s) reset"
            return
        link.drop(True)
        try:
            time.sleep(PARTITION_S)
        finally:
            link.drop(False)
        fault.detail = f"partitioned {PARTITION_S:.0f}s"

    def resume_all(self) -> None:
        """After an interruption: nothing may stay stopped or slowed."""
        for target in PROCESSES:
            try:
                self.child(target).signal(signal.SIGCONT)
            except (KeyError, AttributeError, ProcessLookupError):
                pass
        for link in self.links.values():
            link.drop(False)
            link.delay(0)


def plan(per_kind: int) -> list[tuple[str, str, int]]:
    """(kind, target, n) in the order they are injected: the kinds take turns."""
    return [(kind, TARGETS[kind][n % len(TARGETS[kind])], n) for n in range(per_kind) for kind in KINDS]

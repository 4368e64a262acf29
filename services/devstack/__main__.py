"""`python -m services.devstack run`: the whole system with demo data (what `make run` does).

Uses KAFKA_BOOTSTRAP / MONGO_URI if set, else starts the broker and the database itself, with
their data under .cache/run/ (kept between runs); ANTT_BROKERS=3 starts a cluster of three
KRaft brokers instead of one, ANTT_REPLICAS=2 two processes of each service (the second ones on
the ports 10 above: gateway 8010, intake 8011 ...). Starts Prometheus too if `make tools` unpacked
it (PROMETHEUS_PORT, default 9090). Ctrl-C stops everything in order."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from . import demo, demo_year, prometheus
from .stack import ROOT, Ports, Stack

DEMO_YEAR = 2024  # the year of the seed article's figures


def _ports_from_env() -> Ports:
    ports = Ports()
    for name in ("gateway", "intake", "verification", "extraction", "aggregation", "prometheus"):
        value = os.environ.get(f"{name.upper()}_PORT")
        if value:
            setattr(ports, name, int(value))
    return ports


def _wait_for_tips(gateway_url: str, admin_password: str, demo_tips: int, timeout_s: float = 300) -> None:
    """Until verification holds the demo's tips besides the live ones (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while demo.tips_in_verification(gateway_url, admin_password) < demo_tips + len(demo.TIPS):
        if time.monotonic() > deadline:
            print(f"verification did not receive the demo's {demo_tips} tips within {timeout_s:.0f} s", file=sys.stderr)
            return
        time.sleep(1)


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def run(workdir: Path) -> int:
    admin_password = os.environ.get("ANTT_ADMIN_PASSWORD") or demo.DEMO_PASSWORD
    stack = Stack(workdir, _ports_from_env(), kafka_bootstrap=os.environ.get("KAFKA_BOOTSTRAP"),
                  mongo_uri=os.environ.get("MONGO_URI"), env={"ANTT_ADMIN_PASSWORD": admin_password},
                  with_prometheus=prometheus.tool("prometheus") is not None,
                  brokers=int(os.environ.get("ANTT_BROKERS", "1")),
                  replicas=int(os.environ.get("ANTT_REPLICAS", "1")))
    for sig in (signal.SIGINT, signal.SIGTERM):  # also when started in the background
        signal.signal(sig, _interrupt)
    try:
        print(f"starting the database, {stack.brokers} Kafka broker(s) and the services ...", flush=True)
        started = time.monotonic()
        stack.start()
        loaded = demo.load(stack.url(), admin_password)
        if loaded:  # and the statistics of a realistic year (Thanh Hóa city, 2024) for reports
            sent = demo_year.load_year(stack.bootstrap, DEMO_YEAR, lambda n: _wait_for_tips(stack.url(), admin_password, n))
            print(f"demo year: {sent} events of {DEMO_YEAR - 1}-{DEMO_YEAR} and of today's work "
                  f"for district 380 (ready in {time.monotonic() - started:.0f} s)", flush=True)
        scraping = (f"{stack.prometheus.url}   (alerts: {stack.prometheus.url}/alerts)" if stack.prometheus
                    else f"not started: {prometheus.HOW_TO_GET}")
        print(f"""
ANTT is running{' (demo data loaded)' if loaded else ' (data kept from the last run)'}; started in {time.monotonic() - started:.0f} s.
  web and API   {stack.url()}/api/v1   (OpenAPI: {stack.url()}/docs)
  services      intake {stack.url('intake')}  verification {stack.url('verification')}
                extraction {stack.url('extraction')}  aggregation {stack.url('aggregation')}
                ({stack.replicas} replica(s) each: {', '.join(stack.instances('gateway'))} ...)
  metrics       <service URL>/metrics      health: <service URL>/health/ready
  Prometheus    {scraping}
  Kafka         {stack.bootstrap}      database  {stack.uri}
  logs          {workdir}
  report        {stack.url()}/api/v1/reports/summary?unit_code=380&year={DEMO_YEAR}&format=md
  demo login    admin / {admin_password} (admin, province 38)
                canbo.380, tiepnhan.380, chihuy.380, camera.380 / {demo.DEMO_PASSWORD}
                (officer, clerk, commander, camera operator of 380)
Press Ctrl-C to stop.""", flush=True)
        while all(child.alive for child in stack.services.values()):
            time.sleep(1)
        dead = [name for name, child in stack.services.items() if not child.alive]
        print(f"service(s) stopped unexpectedly: {', '.join(dead)}; see {workdir}/services/", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.devstack")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "run")
    args = parser.parse_args()
    sys.exit(run(args.workdir))


if __name__ == "__main__":
    main()

"""Observability on the real system: a real Prometheus scrapes every service of the session's
stack while tips (one overdue), a decision, a malformed event, a bulk import, two cameras and an
extraction go through; then every query of every Grafana dashboard returns data, and the alert
rules are loaded and evaluated."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
import yaml

from services.__main__ import SERVICES
from services.common import contracts
from services.devstack.processes import free_port
from services.devstack.prometheus import RULES, Prometheus
from tests.conftest import eventually
from tests.integration.conftest import produce

WARD = "14785"  # Thanh Hóa city: used by this module only
DASHBOARDS = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards"


@pytest.fixture(scope="module")
def prometheus(stack, tmp_path_factory) -> Iterator[httpx.Client]:
    server = Prometheus(tmp_path_factory.mktemp("prometheus"), free_port(), stack.metrics_targets(),
                        scrape_interval="1s")
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client
    finally:
        server.stop()


@pytest.fixture(scope="module")
def traffic(stack, gateway, make_user, prometheus) -> list[str]:
    """Tips on two channels (near their deadline), a tip received three days ago (overdue), a
    decision, a malformed event for the dead-letter topics, a bulk import with a good and a bad
    row, a working and a broken camera and an extraction; returns the ids they got."""
    clerk = make_user("tiepnhan.obs", "clerk", WARD)
    officer = make_user("canbo.obs", "officer", WARD)
    operator = make_user("op.obs", "camera_operator", WARD)
    three_days_ago = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    ids = []
    for channel, headers, fields in (("web", None, {}), ("hotline", clerk, {}),
                                     ("hotline", clerk, {"received_at": three_days_ago})):
        r = gateway.post("/api/v1/tips", headers=headers, json={
            "channel": channel, "unit_code": WARD, "content": "Có người lạ dò xét nhà dân ban đêm",
            **fields})
        assert r.status_code == 202, r.text
        ids.append(r.json()["tip_id"])
    eventually(lambda: gateway.get(f"/api/v1/tips/{ids[0]}", headers=officer).status_code == 200)
    r = gateway.post(f"/api/v1/tips/{ids[0]}/decision", headers=officer, json={"outcome": "valuable"})
    assert r.status_code == 200, r.text
    produce(stack.bootstrap, contracts.topic("tips.received").name, [(b"T-OBS-DLQ", b"not JSON")])

    sheet = io.StringIO()
    csv.writer(sheet).writerows([["channel", "content", "unit_code"],
                                 ["leaflet", "Có người lạ hỏi mua ma túy ở bến xe", WARD],
                                 ["fax", "Kênh không có", WARD]])
    r = gateway.post("/api/v1/tips/import", headers=clerk, files={"file": ("obs.csv", sheet.getvalue().encode())})
    assert r.status_code == 202, r.text
    ids.append(r.json()["job_id"])
    job = eventually(lambda: (j := gateway.get(f"/api/v1/imports/{ids[-1]}", headers=clerk).json())["status"]
                     in ("done", "failed") and j, interval_s=0.5)
    assert (job["status"], job["done"], job["failed"]) == ("done", 1, 1), job

    for camera_id, status in (("OBS-CAM-1", "working"), ("OBS-CAM-2", "broken")):
        r = gateway.post("/api/v1/cameras", headers=operator, json={
            "camera_id": camera_id, "unit_code": WARD, "location": {"lat": 19.807, "lon": 105.776},
            "owner": {"kind": "business", "name": "Cửa hàng Minh Anh"}, "retention_days": 30,
            "status": status, "installed_at": "2025-01-01T00:00:00+07:00"})
        assert r.status_code == 201, r.text
        ids.append(camera_id)
    r = gateway.post("/api/v1/extractions", headers=operator, json={
        "camera_id": "OBS-CAM-1", "tip_id": ids[0], "reason": "Trích xuất theo tin báo",
        "time_from": "2026-03-01T20:00:00+07:00", "time_to": "2026-03-01T20:30:00+07:00",
        "extracted_at": "2026-03-02T09:00:00+07:00", "export_method": "sd_card"})
    assert r.status_code == 201, r.text
    ids.append(r.json()["extraction_id"])
    return ids


def instant(prometheus: httpx.Client, expr: str) -> list[dict]:
    r = prometheus.get("/api/v1/query", params={"query": expr})
    assert r.status_code == 200, f"{expr}: {r.text}"
    return r.json()["data"]["result"]


def panel_queries() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(DASHBOARDS.glob("*.json")):
        for panel in json.loads(path.read_text())["panels"]:
            out += [(path.stem, panel["title"], t["expr"]) for t in panel.get("targets", [])]
    return out


QUERIES = panel_queries()


@pytest.mark.parametrize("dashboard, title, expr", QUERIES,
                         ids=[f"{d}: {t} [{i}]" for i, (d, t, _) in enumerate(QUERIES)])
def test_every_panel_query_returns_data_from_the_real_scrape(prometheus, traffic, dashboard, title, expr):
    assert eventually(lambda: instant(prometheus, expr), timeout_s=90, interval_s=1)


def until(prometheus: httpx.Client, expr: str, ok=bool) -> list[dict]:
    """The query's result once `ok(result)` holds (scrapes come every second)."""
    last: list[dict] = []

    def check():
        last[:] = instant(prometheus, expr)
        return last if ok(last) else None
    try:
        return eventually(check, timeout_s=60, interval_s=1)
    except AssertionError as exc:
        raise AssertionError(f"{expr}: not as expected within 60 s; last result: {last}") from exc


def test_the_scrape_sees_every_service_and_the_traffic_with_bounded_labels(prometheus, traffic):
    up = until(prometheus, "up == 1", lambda r: len(r) == len(SERVICES))
    assert {s["metric"]["job"] for s in up} == set(SERVICES)
    tips = until(prometheus, 'antt_tips_received_total{district="380", unit_level="ward"}',
                 lambda r: {"web", "hotline"} <= {s["metric"]["channel"] for s in r})
    assert all(s["metric"]["job"] == "intake" for s in tips)
    until(prometheus, 'antt_tips_overdue{job="verification", district="380", unit_level="ward"} >= 1')
    until(prometheus, 'antt_tips_near_deadline{job="verification", district="380", unit_level="ward"} >= 1')
    until(prometheus, 'antt_import_rows_total{job="intake", kind="tips", outcome=~"done|failed"} >= 1', lambda r: len(r) == 2)
    cameras = until(prometheus, 'antt_cameras{job="extraction", district="380"} >= 1', lambda r: len(r) == 2)
    assert {s["metric"]["status"] for s in cameras} == {"working", "broken"}
    until(prometheus, 'antt_extractions_logged_total{district="380", unit_level="ward", export_method="sd_card"}')
    until(prometheus, 'antt_custody_events_total{job="extraction", kind="created"}')
    until(prometheus, 'antt_dlq_events_total{topic="tips.received", reason="invalid"}',  # both consumers
          lambda r: {"verification", "aggregation"} <= {s["metric"]["job"] for s in r})
    lag = until(prometheus, 'antt_consumer_lag{job="verification", topic="tips.received"}')
    assert {s["metric"]["partition"] for s in lag} == {
        str(p) for p in range(contracts.topic("tips.received").partitions)}
    # Caught up and idle, every partition's lag is 0 (transaction markers are not lag).
    until(prometheus, "antt_consumer_lag", lambda r: r and all(s["value"][1] == "0" for s in r))
    # No label names a tip, a user or a ward below district level.
    values = {v for s in instant(prometheus, '{__name__=~"antt_.+"}') for v in s["metric"].values()}
    assert not values & {*traffic, "T-OBS-DLQ", "tiepnhan.obs", "canbo.obs", "op.obs", WARD}


def test_the_alert_rules_are_loaded_and_evaluated(prometheus):
    wanted = {rule["alert"] for path in RULES.glob("*.yml")
              for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]}

    def evaluated() -> dict[str, str]:
        groups = prometheus.get("/api/v1/rules").json()["data"]["groups"]
        health = {rule["name"]: rule["health"] for group in groups for rule in group["rules"]}
        return health if set(health) == wanted and all(h == "ok" for h in health.values()) else {}
    assert eventually(evaluated, timeout_s=60, interval_s=1)

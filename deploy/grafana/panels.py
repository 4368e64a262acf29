"""Small builders over grafanalib so that a dashboard reads as a list of PromQL queries.
Every panel queries the one provisioned Prometheus datasource (uid DATASOURCE_UID)."""
from __future__ import annotations

import attr
from grafanalib.core import Dashboard, GridPos, Stat, Target, TimeSeries

DATASOURCE_UID = "antt-prometheus"
DATASOURCE = {"type": "prometheus", "uid": DATASOURCE_UID}
WIDTH, HEIGHT = 12, 8  # two panels per row on Grafana's 24-column grid


def query(expr: str, legend: str = "") -> Target:
    return Target(expr=expr, legendFormat=legend, datasource=DATASOURCE)


def graph(title: str, *targets: Target, unit: str = "short", description: str = "") -> TimeSeries:
    return TimeSeries(title=title, dataSource=DATASOURCE, targets=_lettered(targets), unit=unit,
                      description=description)


def stat(title: str, *targets: Target, unit: str = "short", description: str = "") -> Stat:
    return Stat(title=title, dataSource=DATASOURCE, targets=_lettered(targets), format=unit,
                description=description, reduceCalc="lastNotNull")


def _lettered(targets: tuple[Target, ...]) -> list[Target]:
    """Grafana names a panel's queries A, B, C, ..."""
    return [attr.evolve(t, refId=chr(ord("A") + i)) for i, t in enumerate(targets)]


def dashboard(uid: str, title: str, description: str, panels: list) -> Dashboard:
    """Lays the panels out two per row, in order, and numbers them."""
    for i, panel in enumerate(panels):
        panel.gridPos = GridPos(h=HEIGHT, w=WIDTH, x=(i % 2) * WIDTH, y=(i // 2) * HEIGHT)
    return Dashboard(uid=uid, title=title, description=description, tags=["antt"], refresh="30s",
                     timezone="browser", panels=panels).auto_panel_ids()


def failure_rate(metric: str, failure: str, scope: str = "", by: str = "") -> str:
    """Per-second rate of the `failure` matches of a counter, or 0 for each group the counter
    has: an error panel shows 0 rather than "no data" while nothing failed."""
    grouping = f" by ({by})" if by else ""
    failed = ", ".join(m for m in (scope, failure) if m)
    every = f"{{{scope}}}" if scope else ""
    return (f"sum{grouping} (rate({metric}{{{failed}}}[5m]))"
            f" or sum{grouping} (rate({metric}{every}[5m])) * 0")

"""The Grafana provisioning under deploy/grafana is exactly what the dashboards-as-code
generate (run `python -m deploy.grafana.generate` after a change), and its panels query only
metrics that services/common/metrics.py declares. tests/integration/test_observability.py
runs every query against a real Prometheus."""
from __future__ import annotations

import json
import re

from prometheus_client.metrics import MetricWrapperBase

from deploy.grafana import generate
from deploy.grafana.panels import DATASOURCE_UID
from services.common import metrics

SUFFIXES = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_sum", "_count"]}


def _declared() -> set[str]:
    names = set()
    for collector in vars(metrics).values():
        if isinstance(collector, MetricWrapperBase):
            for family in collector.describe():
                names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def test_the_committed_provisioning_is_the_generators_output():
    for path, text in generate.files().items():
        assert (generate.HERE / path).read_text() == text, f"regenerate deploy/grafana/{path}"
    committed = {p.relative_to(generate.HERE) for p in generate.HERE.glob("dashboards/*.json")}
    assert committed == {p for p in generate.files() if p.suffix == ".json"}


def test_every_panel_queries_declared_metrics_on_the_provisioned_datasource():
    declared = _declared()
    queries = 0
    for path, text in generate.files().items():
        if path.suffix != ".json":
            continue
        for panel in json.loads(text)["panels"]:
            for target in panel.get("targets", []):
                queries += 1
                assert target["datasource"]["uid"] == DATASOURCE_UID
                used = set(re.findall(r"\bantt_[a-z_]+", target["expr"]))
                assert used <= declared, f"{path}: {panel['title']}: {used - declared}"
    assert queries >= 20

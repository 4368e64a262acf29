"""The alert rules of deploy/prometheus load (`promtool check rules`) and behave as their unit
tests say (`promtool test rules`). promtool comes from `make tools`; without it this fails."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from services.devstack.prometheus import RULES, require

TESTS = RULES.parent / "tests"


@pytest.fixture(scope="module")
def promtool() -> Path:
    try:
        return require("promtool")
    except RuntimeError as exc:
        pytest.fail(str(exc))


def _run(*argv) -> None:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_rules_are_valid(promtool):
    _run(promtool, "check", "rules", *sorted(RULES.glob("*.yml")))


def test_every_rule_behaves_as_its_unit_tests_say(promtool):
    _run(promtool, "test", "rules", *sorted(TESTS.glob("*.yml")))


def test_every_alert_has_a_unit_test():
    alerts = {rule["alert"] for path in RULES.glob("*.yml")
              for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]}
    tested = {case["alertname"] for path in TESTS.glob("*.yml")
              for test in yaml.safe_load(path.read_text())["tests"] for case in test["alert_rule_test"]}
    assert alerts == tested
    assert alerts >= {"ServiceDown", "IntakeErrors", "IntakeUnavailable", "ConsumerLagGrowing", "DeadLetters", "ConsumerStopped",
                      "TipsNearDeadline", "TipsOverdue"}


def test_the_compose_prometheus_config_is_valid(promtool, tmp_path):
    """`promtool check config` on deploy/prometheus/prometheus.yml, its rules read from the repo."""
    config = (RULES.parent / "prometheus.yml").read_text()
    local = tmp_path / "prometheus.yml"
    local.write_text(config.replace("/etc/prometheus/rules", str(RULES)))
    _run(promtool, "check", "config", local)

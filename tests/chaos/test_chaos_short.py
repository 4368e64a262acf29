"""The short fault suite of `make test`: one fault of each kind (CHAOS_FAULTS_PER_KIND,
default 1) under a steady load on a stack of its own; no acknowledged tip lost or doubled,
every fault recovered from. The full run is `make chaos` (python -m tests.chaos)."""
from __future__ import annotations

import pytest

from tests.chaos.suite import per_kind_from_env, run

pytestmark = pytest.mark.stack


def test_short_fault_suite_loses_and_doubles_nothing(tmp_path):
    result = run(tmp_path, per_kind_from_env(1), rate=20, max_s=400)
    print("\n" + result.table)
    assert len(result.faults) == 4 * per_kind_from_env(1), result.table
    assert result.ok, result.table

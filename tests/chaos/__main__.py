"""`python -m tests.chaos` (`make chaos`): the full fault suite; prints the table, exits 1 if an
invariant failed or a fault was never recovered from.

CHAOS_FAULTS_PER_KIND (default 20) faults of each kind; CHAOS_RATE tips per second (default 25);
CHAOS_MAX_S a bound on the load's duration (default 1200 s). The stack's logs stay in
the work directory when the run fails."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from .suite import per_kind_from_env, run


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="antt-chaos-"))
    result = run(workdir, per_kind_from_env(20), rate=float(os.environ.get("CHAOS_RATE", "25")),
                 max_s=float(os.environ.get("CHAOS_MAX_S", "1200")), say=lambda s: print(s, flush=True))
    print("\n" + result.table, flush=True)
    if result.ok:
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    print(f"\nlogs kept in {workdir}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

"""The suite's table: faults by kind and target with their recovery times, then the totals."""
from __future__ import annotations

import statistics
from collections import defaultdict

from .faults import KINDS, Fault
from .invariants import Verdict


def _s(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def render(faults: list[Fault], verdict: Verdict, *, seconds: float, rate: float, settle_s: float) -> str:
    groups: dict[tuple[str, str], list[Fault]] = defaultdict(list)
    for f in faults:
        groups[(f.kind, f.target)].append(f)
    lines = [f"{'fault':<6} {'target':<13} {'count':>5}  {'recovered':>9}  time to recover s (min / median / max)",
             "-" * 82]
    for kind in KINDS:
        for (k, target), fs in sorted(groups.items()):
            if k != kind:
                continue
            rec = [f.recovered_s for f in fs if f.recovered_s is not None]
            lines.append(f"{kind:<6} {target:<13} {len(fs):>5}  {len(rec):>4}/{len(fs):<4}  {_s(rec)}")
    lines.append("-" * 82)
    for kind in KINDS:
        fs = [f for f in faults if f.kind == kind]
        rec = [f.recovered_s for f in fs if f.recovered_s is not None]
        lines.append(f"{kind:<6} {'(all)':<13} {len(fs):>5}  {len(rec):>4}/{len(fs):<4}  {_s(rec)}")
    rec = [f.recovered_s for f in faults if f.recovered_s is not None]
    lines.append(f"{'all':<6} {'':<13} {len(faults):>5}  {len(rec):>4}/{len(faults):<4}  {_s(rec)}")
    statuses = ", ".join(f"{k}: {n}" for k, n in sorted(verdict.statuses.items()))
    summary = [
        ("tips sent", f"{verdict.acknowledged + verdict.not_acknowledged} at {rate:g}/s over {seconds:.0f} s ({statuses})"),
        ("tips acknowledged (202)", str(verdict.acknowledged)),
        ("tips lost (must be 0)", str(len(verdict.lost))),
        ("tips doubled (must be 0)", str(verdict.doubled_count)),
        ("unacknowledged but present", f"{verdict.unacknowledged_present} (allowed: no 202, yet kept; by answer: "
                                       f"{', '.join(f'{k}: {n}' for k, n in sorted(verdict.unacknowledged_present_by.items())) or '-'})"),
        ("counted: GET /stats/tips vs tip_facts", f"{verdict.stats_total} vs {verdict.facts_total}"),
        ("DLQ records / without a reason", f"{verdict.dlq_records} / {len(verdict.dlq_without_reason)}"),
        ("invalid records written / not dead-lettered", f"{verdict.poison_acknowledged} / "
                                                        f"{len(verdict.poison_not_dead_lettered)} (each by verification and aggregation)"),
        ("receipt codes that do not work", str(len(verdict.receipts_failed))),
        ("rebuilt from the topics vs live read models", "identical" if not verdict.rebuild_differences
                                                         else "; ".join(verdict.rebuild_differences[:3])),
        ("settled after the last fault in", f"{settle_s:.1f} s"),
    ]
    width = max(len(k) for k, _ in summary)
    lines.append("")
    lines += [f"{k.ljust(width)} | {val}" for k, val in summary]
    lines.append("")
    lines.append("RESULT: " + ("PASS" if verdict.ok and len(rec) == len(faults) else
                               "FAIL: " + "; ".join(verdict.failures() + (
                                   [f"{len(faults) - len(rec)} fault(s) without recovery"]
                                   if len(rec) != len(faults) else []))))
    return "\n".join(lines)

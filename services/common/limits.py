"""Limits that more than one service shows or checks: intake enforces them, the gateway's
pages show them (a counter, never a silent cut)."""
from __future__ import annotations

TIP_CONTENT_MAX = 20_000  # characters (Unicode code points) of a tip's text, after trimming

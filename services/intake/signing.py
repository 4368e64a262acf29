"""Signed webhooks (Zalo and SMS gateways): HMAC-SHA256 with a secret per source over
`<timestamp>.<body>`, sent as `X-ANTT-Timestamp` (Unix seconds) and `X-ANTT-Signature`
(`sha256=<hex>`). A timestamp outside the window is refused, so a captured request cannot be
replayed later; within it, the message id makes a repeat return the first answer."""
from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def problem(secret: str, timestamp: str | None, signature: str | None, body: bytes,
            now: float, window_s: int) -> str | None:
    """Why the request must be refused, or None if it is authentic and fresh."""
    if not timestamp or not signature:
        return "X-ANTT-Timestamp and X-ANTT-Signature are required"
    if not timestamp.isdigit():
        return "X-ANTT-Timestamp must be Unix seconds"
    if abs(now - int(timestamp)) > window_s:
        return f"the timestamp is more than {window_s} s away from now"
    if not hmac.compare_digest(sign(secret, int(timestamp), body), signature):
        return "the signature does not match"
    return None

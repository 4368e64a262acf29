"""Pure logic of the anonymous follow-up: reading receipt codes, the public wording of a tip's
state, and when wrong guesses lock a receipt or a client out. No I/O."""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from services.common.crypto import sha256_hex

from .domain import CROCKFORD

# What a tipster may learn: that the tip is being handled, never the officers' verdict.
PUBLIC_STATUS = {
    "received": ("received", "Tin báo đã được tiếp nhận.", "Your tip has been received."),
    "valuable": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
    "not_valuable": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
    "duplicate": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
    "converted": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class FollowUpMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=4000)


@dataclass(frozen=True)
class ReceiptCode:
    ref: str     # "ABCD-EFGH", the receipt's key
    secret: str  # 26 characters

    def matches(self, secret_sha256: str) -> bool:
        return hmac.compare_digest(sha256_hex(self.secret), secret_sha256)


def parse_code(code: str) -> ReceiptCode | None:
    """Read a code as people type it: any case, with or without dashes or spaces, and the
    look-alike letters O, I, L taken for 0, 1, 1 (Crockford's base 32)."""
    chars = "".join(c for c in code.upper() if c not in "- ").translate(_LOOKALIKES)
    if len(chars) != 34 or any(c not in CROCKFORD for c in chars):
        return None
    return ReceiptCode(ref=f"{chars[:4]}-{chars[4:8]}", secret=chars[8:])


def public_view(receipt: dict) -> dict:
    status, vi, en = PUBLIC_STATUS[receipt.get("tip_status", "received")]
    return {"status": status, "status_text": {"vi": vi, "en": en},
            "received_at": receipt["created_at"],
            "messages": [{"from": m["from"], "text": m["text"], "at": m["at"]}
                         for m in receipt.get("messages", [])]}


def locked(failures_for_code: int, failures_for_client: int, per_code: int, per_client: int) -> bool:
    return failures_for_code >= per_code or failures_for_client >= per_client

"""Pure logic of the anonymous follow-up: the public wording of a tip's state, and when wrong
guesses lock a receipt or a client out (the codes themselves: codes.py). No I/O."""
from __future__ import annotations

# What a tipster may learn: that the tip is being handled, never the officers' verdict.
PUBLIC_STATUS = {
    "received": ("received", "Tin báo đã được tiếp nhận.", "Your tip has been received."),
    "valuable": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
    "not_valuable": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
    "duplicate": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
    "converted": ("processed", "Tin báo đã được cơ quan Công an xử lý.", "Your tip has been handled by the police."),
}


def public_view(receipt: dict) -> dict:
    status, vi, en = PUBLIC_STATUS[receipt.get("tip_status", "received")]
    return {"status": status, "status_text": {"vi": vi, "en": en},
            "received_at": receipt["created_at"],
            "messages": [{"from": m["from"], "text": m["text"], "at": m["at"]}
                         for m in receipt.get("messages", [])]}


def locked(failures_for_code: int, failures_for_client: int, per_code: int, per_client: int) -> bool:
    return failures_for_code >= per_code or failures_for_client >= per_client

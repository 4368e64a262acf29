from datetime import datetime, timezone

from services.intake import followup
from services.intake.ratelimit import RateLimiter


def test_the_public_never_learns_the_verdict():
    base = {"created_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "messages": []}
    views = {s: followup.public_view({**base, "tip_status": s})["status"] for s in followup.PUBLIC_STATUS}
    assert views["received"] == "received"
    assert {views[s] for s in ("valuable", "not_valuable", "duplicate", "converted")} == {"processed"}


def test_messages_drop_the_officers_name():
    view = followup.public_view({"created_at": "t", "tip_status": "received", "messages": [
        {"from": "police", "text": "Cảm ơn", "at": "t", "officer": "canbo.380"}]})
    assert view["messages"] == [{"from": "police", "text": "Cảm ơn", "at": "t"}]


def test_lock_out_after_too_many_wrong_guesses():
    assert not followup.locked(4, 19, per_code=5, per_client=20)
    assert followup.locked(5, 0, per_code=5, per_client=20)
    assert followup.locked(0, 20, per_code=5, per_client=20)


def test_rate_limiter_allows_a_burst_then_refills():
    limiter = RateLimiter(per_minute=3)
    assert [limiter.take("a", now=0) for _ in range(3)] == [0, 0, 0]
    wait = limiter.take("a", now=0)
    assert 19 < wait <= 20 and limiter.retry_after(wait) == "20"
    assert limiter.take("b", now=0) == 0, "clients are limited separately"
    assert limiter.take("a", now=20.5) == 0, "one token back after 20 s"

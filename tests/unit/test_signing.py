from services.intake import signing

SECRET = "a-webhook-secret-of-some-length"
BODY = b'{"message_id": "m1", "text": "x"}'


def test_a_fresh_signed_body_passes():
    sig = signing.sign(SECRET, 1_000, BODY)
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    assert signing.problem(SECRET, "1000", sig, BODY, now=1_100, window_s=300) is None


def test_missing_stale_tampered_or_wrongly_keyed_requests_are_refused():
    sig = signing.sign(SECRET, 1_000, BODY)
    assert "required" in signing.problem(SECRET, None, sig, BODY, now=1_000, window_s=300)
    assert "Unix seconds" in signing.problem(SECRET, "yesterday", sig, BODY, now=1_000, window_s=300)
    assert "300 s" in signing.problem(SECRET, "1000", sig, BODY, now=1_301, window_s=300)
    assert "does not match" in signing.problem(SECRET, "1000", sig, BODY.replace(b"x", b"y"), now=1_000, window_s=300)
    assert "does not match" in signing.problem(SECRET, "1001", sig, BODY, now=1_000, window_s=300)
    assert "does not match" in signing.problem("another-secret-of-some-length", "1000", sig, BODY, now=1_000, window_s=300)

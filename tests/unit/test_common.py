import time

import jwt
import pytest

from services.common import auth, units
from services.common.errors import ApiError
from services.common.settings import ServiceSettings

SETTINGS = ServiceSettings()


def test_unit_tree():
    assert units.path("14767") == ["38", "380", "14767"]
    assert units.covers("38", "14767") and units.covers("380", "14767") and units.covers("14767", "14767")
    assert not units.covers("14767", "380") and not units.covers("380", "03646")
    assert units.get("nope") is None and units.path("nope") == []


def test_token_round_trip_and_scope():
    token = auth.issue_token(SETTINGS, auth.Principal("u", "officer", "380"))
    principal = auth.read_token(SETTINGS, token)
    assert principal == auth.Principal("u", "officer", "380")
    assert principal.covers("14767") and not principal.covers("38")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("claims, key, alg", [
    ({"sub": "u", "role": "admin", "unit": "38", "exp": int(time.time()) - 10}, None, "HS256"),
    ({"sub": "u", "role": "admin", "unit": "38", "exp": int(time.time()) + 60}, "another-secret-of-at-least-32-bytes!!", "HS256"),
    ({"sub": "u", "role": "admin", "unit": "38", "exp": int(time.time()) + 60}, None, "HS512"),
    ({"sub": "u", "role": "king", "unit": "38", "exp": int(time.time()) + 60}, None, "HS256"),
    ({"sub": "u", "role": "admin", "unit": "38"}, None, "HS256"),
])
def test_bad_tokens_are_refused(claims, key, alg):
    token = jwt.encode(claims, key or SETTINGS.jwt_secret, algorithm=alg)
    with pytest.raises(ApiError) as err:
        auth.read_token(SETTINGS, token)
    assert err.value.status == 401


def test_unsigned_token_is_refused():
    token = jwt.encode({"sub": "u", "role": "admin", "unit": "38", "exp": int(time.time()) + 60}, None, algorithm="none")
    with pytest.raises(ApiError):
        auth.read_token(SETTINGS, token)


def test_production_refuses_development_secrets():
    with pytest.raises(ValueError, match="ANTT_JWT_SECRET"):
        ServiceSettings(ANTT_ENV="production")


def test_repeated_library_lines_are_collapsed_but_ours_are_not():
    import logging
    from services.common.logs import RepeatFilter
    f = RepeatFilter()
    line = lambda name: logging.LogRecord(name, logging.ERROR, "x", 1, "Unable connect to %s", ("n",), None)
    assert f.filter(line("aiokafka")) and not f.filter(line("aiokafka"))
    assert f.filter(line("services.common.consume")) and f.filter(line("services.common.consume"))

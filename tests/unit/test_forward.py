import httpx
import pytest

from services.gateway.forward import _upstream_failed


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("full")])
def test_a_request_that_never_reached_the_service_is_503_nothing_accepted(exc):
    error = _upstream_failed("intake", exc)
    assert error.status == 503 and "nothing was accepted" in error.message


@pytest.mark.parametrize("exc, status", [(httpx.ReadTimeout("no answer"), 504),
                                         (httpx.RemoteProtocolError("closed"), 502),
                                         (httpx.ReadError("reset"), 502)])
def test_a_lost_answer_says_the_outcome_is_unknown(exc, status):
    error = _upstream_failed("intake", exc)
    assert error.status == status and "may or may not have been applied" in error.message
    assert error.headers["Retry-After"] == "5"

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


# --- several replicas of one upstream ---------------------------------------------------------

def _replicas(down: set[str]):
    from services.gateway.upstream import Upstream
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host in down:
            raise httpx.ConnectError("refused", request=request)
        seen.append(request.url.host)
        return httpx.Response(202)
    return Upstream(["http://a", "http://b"], 5, transport=httpx.MockTransport(answer)), seen


async def test_requests_go_round_robin_to_the_replicas():
    upstream, seen = _replicas(set())
    for _ in range(4):
        assert (await upstream.request("POST", "/api/v1/tips", content=b"{}")).status_code == 202
    assert seen == ["a", "b", "a", "b"]


async def test_a_replica_that_refuses_the_connection_is_skipped_and_none_left_is_503():
    upstream, seen = _replicas({"a"})
    for _ in range(3):
        assert (await upstream.request("POST", "/api/v1/tips")).status_code == 202
    assert seen == ["b", "b", "b"]
    upstream, _ = _replicas({"a", "b"})
    with pytest.raises(httpx.ConnectError) as err:
        await upstream.get("/x")
    assert _upstream_failed("intake", err.value).status == 503


async def test_a_streamed_body_that_began_to_flow_is_not_sent_again():
    upstream, seen = _replicas({"a"})
    with pytest.raises(httpx.ConnectError):  # "a" (first in turn) refused; "b" is not tried
        await upstream.send(lambda c: c.build_request("POST", "/x"), retryable=lambda: False)
    assert seen == []


def test_the_gateway_reads_several_addresses_per_service():
    from services.gateway.settings import GatewaySettings
    settings = GatewaySettings(INTAKE_URL="http://127.0.0.1:8001, http://127.0.0.1:8011", INTAKE_PORT=1)
    assert settings.upstreams("intake") == ["http://127.0.0.1:8001", "http://127.0.0.1:8011"]
    assert GatewaySettings(VERIFICATION_PORT=8002).upstreams("verification") == ["http://127.0.0.1:8002"]
